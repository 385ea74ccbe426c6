"""Who reads and writes where in a forum: the group rule (models.py).

:func:`forum_viewer` is where every page and endpoint starts: the forum activity and what the
actor is in it (a learner of one group; a grader or an officer reaching some groups). Anyone
else gets a 404, as for a missing forum.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.forums.models import Forum, Grouping, Post, Thread
from opentemis.learning.access import graded_paths, own_enrolment
from opentemis.learning.models import Activity, ActivityKind, Enrolment, EnrolmentStatus
from opentemis.orgs.models import Unit, path_prefixes

#: The province of a unit path: the ministry is the root, a province the next step.
PROVINCE_DEPTH = 2


def group_of(grouping: str, unit_path: str) -> str:
    """The group key of a learner at ``unit_path``."""
    if grouping == Grouping.PROVINCE:
        return unit_path[: PROVINCE_DEPTH * Unit.steplen]
    if grouping == Grouping.SCHOOL:
        return unit_path
    return ""


def forum_of(activity: Activity) -> Forum:
    """The activity's forum settings; an unsaved default one if none was saved yet."""
    found = Forum.objects.filter(activity=activity).first()
    return found if found is not None else Forum(activity=activity)


@dataclass
class Viewer:
    actor: User
    activity: Activity
    forum: Forum
    enrolment: Enrolment | None
    learner_group: str | None  # the actor's own group, as a learner
    paths: tuple[str, ...] | None  # the subtrees graded (None: all); empty: none

    @property
    def is_staff(self) -> bool:
        """A grader or an officer of the course (reaches some groups beyond their own)."""
        return self.paths is None or bool(self.paths)

    def moderates(self, group: str) -> bool:
        """Hides, locks and marks answers in ``group``."""
        if self.paths is None:
            return True
        return any(group.startswith(p) or p.startswith(group) for p in self.paths)

    def sees(self, group: str) -> bool:
        return group == self.learner_group or self.moderates(group)

    def may_post(self, group: str) -> bool:
        if self.moderates(group):
            return True
        return (
            group == self.learner_group
            and self.enrolment is not None
            and self.enrolment.status != EnrolmentStatus.LEFT
        )

    def moderated_q(self, field: str = "group") -> Q | None:
        """:meth:`moderates` as conditions on a group field, for lists (``None``: all)."""
        if self.paths is None:
            return None
        query = Q(pk__in=[])
        for path in self.paths:
            query |= Q(**{f"{field}__startswith": path})
            query |= Q(**{f"{field}__in": ["", *path_prefixes(path)]})
        return query

    def groups_q(self, field: str = "group") -> Q | None:
        """:meth:`sees` as conditions on a group field, for lists (``None``: all). An empty
        ``Q()`` would vanish when or-ed with another: "all" is said with ``None``."""
        moderated = self.moderated_q(field)
        if moderated is None or self.learner_group is None:
            return moderated
        return Q(**{field: self.learner_group}) | moderated


def forum_viewer(actor: User, pk: int) -> Viewer:
    """Forum activity ``pk`` and the actor's place in it; 404 if they have none."""
    activity = (
        Activity.objects.filter(pk=pk, kind=ActivityKind.FORUM)
        .select_related("course", "section")
        .first()
    )
    if activity is None:
        raise Http404
    forum = forum_of(activity)
    enrolment = own_enrolment(actor, activity.course_id)
    paths = graded_paths(actor, activity.course)
    if enrolment is None and paths is not None and not paths:
        raise Http404
    group = group_of(forum.grouping, enrolment.unit_path) if enrolment is not None else None
    return Viewer(actor, activity, forum, enrolment, group, paths)


def thread_viewer(actor: User, pk: int) -> tuple[Thread, Viewer]:
    """Thread ``pk`` and the actor's place in its forum; 404 unless they see its group (a
    hidden thread: only its moderators)."""
    thread = Thread.objects.filter(pk=pk).select_related("forum", "author").first()
    if thread is None:
        raise Http404
    viewer = forum_viewer(actor, thread.forum.activity_id)
    if not viewer.sees(thread.group) or (thread.hidden and not viewer.moderates(thread.group)):
        raise Http404
    return thread, viewer


def post_viewer(actor: User, pk: int) -> tuple[Post, Thread, Viewer]:
    post = Post.objects.filter(pk=pk).first()
    if post is None:
        raise Http404
    thread, viewer = thread_viewer(actor, post.thread_id)
    return post, thread, viewer
