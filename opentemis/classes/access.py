"""Who takes attendance (issue 13 item 6): the course's officers (``manages_course``), the
lecturer of a session, and the course's graders for their subtree (``grades_path``). Anyone
else gets a 404, as for a missing class. Learners reach their class through
``learning.access.learner_activity``.

A lecturer or a grader (a core teacher) takes the roll call of colleagues of other schools,
outside their own scope: once the rule above allowed it, the roster is read in the system scope
(docs/architecture.md, scoping contract), narrowed to the subtrees they take.
"""

from __future__ import annotations

from django.http import Http404

from opentemis.accounts.models import User
from opentemis.classes.models import ClassSession, FaceClass
from opentemis.learning.access import graded_paths, manages_course
from opentemis.learning.models import Activity, ActivityKind

#: What a taker sees of the roster: ``None`` all of it, else these subtrees (may be empty).
Paths = tuple[str, ...] | None


def _class_activity(pk: int) -> Activity:
    activity = (
        Activity.objects.filter(pk=pk, kind=ActivityKind.CLASS)
        .select_related("course", "course__school_year", "section")
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def taker_paths(actor: User, face_class: FaceClass, session: ClassSession | None = None) -> Paths:
    """The subtrees of the roster ``actor`` takes attendance of (``None``: all; empty: none).
    With ``session``: its lecturer takes all of it; without: the lecturer of any session."""
    course = face_class.activity.course
    if not actor.is_authenticated:
        return ()
    if manages_course(actor, course):
        return None
    if session is not None:
        if session.lecturer_id == actor.pk:
            return None
    elif face_class.sessions.filter(lecturer_id=actor.pk).exists():
        return None
    return graded_paths(actor, course)


def within(path: str, paths: Paths) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


def taker_class(actor: User, pk: int) -> tuple[FaceClass, Paths]:
    """The class of activity ``pk`` and what ``actor`` takes of it; 404 if nothing."""
    activity = _class_activity(pk)
    face_class = FaceClass.objects.filter(activity=activity).first()
    if face_class is None:
        if manages_course(actor, activity.course):
            face_class = FaceClass.objects.get_or_create(activity=activity)[0]
        else:
            raise Http404
    face_class.activity = activity
    paths = taker_paths(actor, face_class)
    if paths is not None and not paths:
        raise Http404
    return face_class, paths


def taker_session(actor: User, pk: int) -> tuple[ClassSession, Paths]:
    """Session ``pk`` and what ``actor`` takes of its roster; 404 if nothing."""
    session = (
        ClassSession.objects.filter(pk=pk)
        .select_related(
            "face_class", "face_class__activity", "face_class__activity__course", "lecturer"
        )
        .first()
    )
    if session is None:
        raise Http404
    paths = taker_paths(actor, session.face_class, session)
    if paths is not None and not paths:
        raise Http404
    return session, paths


def managed_class(actor: User, pk: int) -> FaceClass:
    """The class of activity ``pk`` if ``actor`` manages its course (created on first use)."""
    activity = _class_activity(pk)
    if not manages_course(actor, activity.course):
        raise Http404
    face_class = FaceClass.objects.get_or_create(activity=activity)[0]
    face_class.activity = activity
    return face_class
