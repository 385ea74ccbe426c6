"""Reads of the forum: the threads and posts a viewer sees (``access.Viewer``), and the groups
a grader or an officer may write in.

The groups of a forum split by province or school are the units of the course's learners: a
grader (a core teacher) reaches learners of other schools, so the distinct unit paths of the
enrolments are read in the system scope, then kept only where the grading rule reaches
(docs/architecture.md, scoping contract). Nothing else is read there.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opentemis.core.scoping import system_scope
from opentemis.forums.access import Viewer, group_of
from opentemis.forums.models import Grouping, Post, Thread
from opentemis.learning.models import Enrolment
from opentemis.orgs.models import Unit

GROUPS_MAX = 500


def threads(viewer: Viewer, group: str | None = None) -> QuerySet[Thread]:
    """The threads the viewer sees, latest activity first (``group``: one of them only)."""
    rows = Thread.objects.filter(forum__activity=viewer.activity)
    seen = viewer.groups_q()
    if seen is not None:
        rows = rows.filter(seen)
    if group is not None:
        rows = rows.filter(group=group)
    moderated = viewer.moderated_q()
    if moderated is not None:
        rows = rows.filter(Q(hidden=False) | moderated)
    return rows.select_related("author", "answer").order_by("-last_post_at", "-pk")


def posts(thread: Thread) -> QuerySet[Post]:
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "hidden_by", "parent__author")
        .order_by("created_at", "pk")
    )


def staff_groups(viewer: Viewer) -> list[tuple[str, str]]:
    """(group key, label) of the groups a grader or an officer may write in."""
    if not viewer.is_staff:
        return []
    grouping = viewer.forum.grouping
    if grouping == Grouping.COURSE:
        return [("", _("The whole course"))]
    with system_scope():
        paths = (
            Enrolment.objects.filter(course_id=viewer.activity.course_id)
            .values_list("unit_path", flat=True)
            .distinct()[: GROUPS_MAX * 20]
        )
        keys = sorted({group_of(grouping, p) for p in paths})
        keys = [k for k in keys if viewer.moderates(k)][:GROUPS_MAX]
        names = dict(Unit.objects.filter(path__in=keys).values_list("path", "name"))
    return [(k, names.get(k, k)) for k in keys]


def group_labels(keys: set[str]) -> dict[str, str]:
    """Unit names of group keys the viewer already sees (their threads' groups)."""
    labels = {"": _("The whole course")}
    with system_scope():
        labels.update(Unit.objects.filter(path__in=keys - {""}).values_list("path", "name"))
    return labels
