"""Rows built once for a whole test module (a world too costly to build per test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from opentemis.core.route_policy import Actor
from opentemis.orgs.selectors import current_school_year
from opentemis.plans.models import PlanChangeRequest, PlanStatus
from opentemis.plans.services import plan_open


@contextmanager
def module_transaction(django_db_blocker: Any) -> Iterator[None]:
    """What is written inside stays for the module's tests and is rolled back at its end.

    For a module-scoped fixture (with ``django_db_setup``): each test's ``db`` savepoint, taken
    inside this transaction, undoes what the test itself wrote.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the plans' objects of the route matrix (opentemis/plans/route_policies_api.py) -----------

#: The kinds of plans' objects a route may take.
PLAN_KINDS = ("plan.draft", "plan.submitted", "plan.approved", "plan_item", "change_request")


def plan_things(*, draft_owner: Any, submitted_owner: Any, approved_owner: Any) -> dict[str, Any]:
    """kind -> (value, {relation: user}) for the route matrix: three plans of school A1 of the
    current year (drafted by their owners, then moved on), an item of the draft and a change
    request waiting on the approved plan. Call inside ``system_scope()`` with the BDTX data
    loaded."""
    year = current_school_year()
    plans = {}
    for kind, user in (
        ("plan.draft", draft_owner),
        ("plan.submitted", submitted_owner),
        ("plan.approved", approved_owner),
    ):
        plans[kind] = plan_open(actor=user, person=user.person, school_year=year)
    plans["plan.submitted"].status = PlanStatus.SUBMITTED
    plans["plan.submitted"].save(update_fields=["status"])
    plans["plan.approved"].status = PlanStatus.APPROVED
    plans["plan.approved"].save(update_fields=["status"])
    item = plans["plan.draft"].items.order_by("pk").first()
    assert item is not None, "the draft holds the year's contents"
    change = PlanChangeRequest.objects.create(
        plan=plans["plan.approved"], reason="Đổi mô-đun", requested_by=approved_owner
    )
    owners = {
        "plan.draft": draft_owner,
        "plan.submitted": submitted_owner,
        "plan.approved": approved_owner,
    }
    things = {kind: (plan.pk, {Actor.OWNER: owners[kind]}) for kind, plan in plans.items()}
    things["plan_item"] = (item.pk, {Actor.OWNER: draft_owner})
    things["change_request"] = (change.pk, {Actor.OWNER: approved_owner})
    return things
