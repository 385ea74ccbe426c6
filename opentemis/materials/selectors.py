"""Reads of the materials app: who reaches an activity's material, through ``learning.access``.

A learner reaches the material of a course they are enrolled in; the course's officer (who
builds it) reaches it too, to preview, without any progress recorded. Anyone else gets 404, as
for a missing object; an activity of another kind too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.learning.access import learner_activity, managed_activity
from opentemis.learning.models import Activity, Enrolment
from opentemis.learning.services import prerequisites_missing
from opentemis.materials.models import Asset, Page, Video


def viewed_activity(actor: User, pk: int, kind: str) -> tuple[Activity, Enrolment | None]:
    """Activity ``pk`` of ``kind`` and the actor's enrolment (``None``: the course's officer,
    previewing); 404 otherwise."""
    try:
        activity, enrolment = learner_activity(actor, pk)
    except Http404:
        activity, enrolment = managed_activity(actor, pk), None
    if activity.kind != kind:
        raise Http404
    return activity, enrolment


def built_activity(actor: User, pk: int, kind: str) -> Activity:
    """Activity ``pk`` of ``kind`` if the actor builds its course; 404 otherwise."""
    activity = managed_activity(actor, pk)
    if activity.kind != kind:
        raise Http404
    return activity


def missing_before(enrolment: Enrolment | None, activity: Activity) -> list[Activity]:
    """The prerequisites the learner has not done (none for a previewing officer)."""
    return prerequisites_missing(enrolment, activity) if enrolment is not None else []


def require_unlocked(enrolment: Enrolment | None, activity: Activity) -> None:
    """Refuse (403) a file or a report while prerequisites are missing."""
    if missing_before(enrolment, activity):
        raise PermissionDenied


def viewed_asset(actor: User, pk: int) -> tuple[Asset, Enrolment | None]:
    """Asset ``pk`` if the actor reaches its activity (learner or officer); 404 otherwise."""
    asset = Asset.objects.filter(pk=pk).select_related("activity").first()
    if asset is None:
        raise Http404
    _activity, enrolment = viewed_activity(actor, asset.activity_id, asset.activity.kind)
    return asset, enrolment


def built_asset(actor: User, pk: int) -> Asset:
    asset = Asset.objects.filter(pk=pk).select_related("activity").first()
    if asset is None:
        raise Http404
    built_activity(actor, asset.activity_id, asset.activity.kind)
    return asset


def page_of(activity: Activity) -> Page | None:
    return Page.objects.filter(activity=activity).first()


def video_of(activity: Activity) -> Video | None:
    return Video.objects.filter(activity=activity).first()


def assets_of(activity: Activity, role: str) -> list[Asset]:
    return list(Asset.objects.filter(activity=activity, role=role).order_by("id"))
