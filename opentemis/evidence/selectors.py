"""Reads over evidence: only the owner and the people who evaluate them see a library.

Everyone else gets 404 (not 403), a principal of another school included: an item outside the
actor's reach is not even confirmed to exist. ``Evidence.objects`` is scoped as well (the net).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.evidence.access import may_view_others
from opentemis.evidence.models import Evidence
from opentemis.staff.models import Person


def can_open_library(actor: User, owner: Person) -> bool:
    """The owner, or someone who evaluates them (the check evaluations registers in
    ``evidence.access``: ``evaluations.access.can_review_person``)."""
    if not actor.is_authenticated:
        return False  # fail closed, whatever reaches here
    return actor.person_id == owner.pk or may_view_others(actor, owner)


def evidence_library(*, actor: User, owner: Person) -> QuerySet[Evidence]:
    """``owner``'s items, newest first, each with ``in_use`` (cited by an evaluation); 404 if
    the actor may not open them. One query."""
    if not can_open_library(actor, owner):
        raise Http404
    # The citations are evaluations' EvidenceLink rows (above this app), reached through the
    # relation they declare on Evidence (``links``) rather than imported; their manager scopes.
    citations = Evidence._meta.get_field("links").related_model
    cited = citations._default_manager.filter(evidence=OuterRef("pk"))
    return (
        Evidence.objects.filter(owner=owner)
        .select_related("stored_file", "school_year")
        .annotate(in_use=Exists(cited))
    )


def get_evidence_for_user(*, actor: User, pk: int) -> Evidence:
    """One item the actor may open (owner or evaluator); 404 for "missing" and "not yours"."""
    item = (
        Evidence.objects.select_related("owner", "stored_file", "school_year").filter(pk=pk).first()
    )
    if item is None or not can_open_library(actor, item.owner):
        raise Http404
    return item
