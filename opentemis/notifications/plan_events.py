"""Notices about BDTX plans (issue 12 item 3: every step is notified).

The plans app sends :data:`opentemis.plans.signals.plan_changed` after each step commits;
:func:`on_plan_changed` (connected in ``signals.py``) tells the people concerned:

=========================================  ============================================
step                                       who is told
=========================================  ============================================
submitted; change requested                the approvers: holders of ``plans.manage`` on
                                           the nearest unit at or above the plan's unit
                                           (the principal; the superior for their own)
approved, returned; change accepted or     the person whose plan it is
refused; year's results confirmed
=========================================  ============================================

Never twice (the event's key), never to the actor (``events.notify``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import ROLE_PERMS, Perm
from opentemis.core.scoping import system_scope
from opentemis.notifications.events import Recipient, notify, person_users
from opentemis.notifications.models import NoticeKind
from opentemis.orgs.models import path_prefixes
from opentemis.plans.models import Plan

APPROVER_ROLES = tuple(role for role, perms in ROLE_PERMS.items() if Perm.MANAGE_PLANS in perms)


def approvers_of(plan: Plan) -> list[Recipient]:
    """Who approves ``plan``: the active holders of ``plans.manage`` on the nearest unit at or
    above the plan's unit that has one other than the person themselves."""
    grants = (
        RoleAssignment.objects.filter(
            unit__path__in=path_prefixes(plan.unit_path),
            role__in=APPROVER_ROLES,
            is_active=True,
            user__is_active=True,
        )
        .exclude(user__person_id=plan.person_id)
        .select_related("user", "unit")
    )
    by_depth: dict[int, dict[int, str]] = {}
    for grant in grants:
        by_depth.setdefault(len(grant.unit.path), {})[grant.user_id] = grant.user.email
    if not by_depth:
        return []
    return list(by_depth[max(by_depth)].items())


def on_plan_changed(
    sender: Any,
    *,
    plan: Plan,
    action: str,
    actor: User | None,
    details: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of ``plan_changed``: the notices of one step (system code: it writes to other
    people's inboxes whatever the actor may read)."""
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = Plan.objects.select_related("person", "unit", "school_year").get(pk=plan.pk)
        details = details or {}
        actor_id = actor.pk if actor else None
        name = record.person.full_name
        year = record.school_year.code
        key = f"{action}:{record.pk}:{record.version}"
        if action in ("plans.submit", "plans.change_request"):
            title = (
                _("%(name)s submitted a BDTX plan for your approval")
                if action == "plans.submit"
                else _("%(name)s asks to change an approved BDTX plan")
            ) % {"name": name}
            body = _("%(name)s (%(unit)s), school year %(year)s.") % {
                "name": name,
                "unit": record.unit.name,
                "year": year,
            }
            if details.get("reason"):
                body += " " + _("Reason: %(reason)s") % {"reason": details["reason"]}
            notify(
                recipients=approvers_of(record),
                kind=NoticeKind.PLAN,
                key=key,
                title=title,
                body=body,
                url=reverse("plan_approvals"),
                unit_id=record.unit_id,
                actor_id=actor_id,
            )
            return
        titles = {
            "plans.approve": _("Your BDTX plan for %(year)s was approved"),
            "plans.return": _("Your BDTX plan for %(year)s was returned"),
            "plans.change_accept": _("Your change to the BDTX plan for %(year)s was accepted"),
            "plans.change_refuse": _("Your change to the BDTX plan for %(year)s was refused"),
            "plans.results_confirm": _("Your BDTX result for %(year)s was confirmed"),
        }
        if action not in titles:
            return
        note = details.get("reason") or details.get("note") or ""
        notify(
            recipients=person_users([record.person_id]),
            kind=NoticeKind.PLAN,
            key=key,
            title=titles[action] % {"year": year},
            body=_("Reason: %(reason)s") % {"reason": note} if note else "",
            url=reverse("plan_mine"),
            unit_id=record.unit_id,
            actor_id=actor_id,
        )
