"""Rows built once for a whole test module (a world too costly to build per test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from opentemis.core.scoping import system_scope
from opentemis.plans import ledger, services
from opentemis.plans.models import EntrySource
from opentemis.training.models import Module, Programme, ProgrammeContent
from tests.factories import PersonFactory, make_user


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


# --- object makers for the route matrix -------------------------------------------------------


def plan_things(w: Any) -> dict[str, tuple[int, Any]]:
    """BDTX plans in school A1 (the plans pages' kinds), as kind -> (pk, owner's account):
    ``plan.draft`` (teacher A1's own draft) and its ``plan_item``, ``plan.submitted`` (another
    teacher's, waiting for the principal), ``plan.approved`` (a third teacher's) and
    ``change_request`` (pending, on that approved plan). Call before other programme contents
    exist: submitting locks the contents the plans use. Needs the year's BDTX data loaded
    (``load_builtin_catalogues``)."""

    def submitted(username: str, code: str, name: str) -> Any:
        person = PersonFactory(unit=w.school_a1, staff_code=code, full_name=name)
        user = make_user(username, role="teacher", unit=w.school_a1, person=person)
        plan = services.plan_open(actor=user, person=person, school_year=w.year)
        if not plan.items.filter(programme=Programme.P03).exists():
            module = Module.objects.filter(catalogue_id=plan.catalogue_id, audience="GV").first()
            services.item_add(actor=user, plan=plan, module=module, fields={"hours": 40})
        plan.refresh_from_db()
        plan = services.plan_update(
            actor=user, plan=plan, version=plan.version, objectives="Mục tiêu", outputs="Sản phẩm"
        )
        return services.plan_submit(actor=user, plan=plan), user

    with system_scope():
        for programme, unit, code in (("01", None, "CT01-KH"), ("02", w.province_a, "SA-KH")):
            ProgrammeContent.objects.create(
                school_year=w.year, programme=programme, unit=unit, code=code, title=code, hours=40
            )
        draft = services.plan_open(actor=w.teacher_a1, person=w.person_a1, school_year=w.year)
        item = draft.items.order_by("pk").first()
        waiting, waiting_user = submitted("plan_a1", "GVA1KH", "Bùi Văn Kế")
        approved, approved_user = submitted("plan_b1", "GVA1DC", "Mai Thị Điều")
        services.plans_approve(actor=w.principal_a1, plans=[approved])
        approved.refresh_from_db()
        change = services.change_request(actor=approved_user, plan=approved, reason="Đổi mô-đun")
    assert item is not None
    return {
        "plan.draft": (draft.pk, w.teacher_a1),
        "plan_item": (item.pk, w.teacher_a1),
        "plan.submitted": (waiting.pk, waiting_user),
        "plan.approved": (approved.pk, approved_user),
        "change_request": (change.pk, approved_user),
    }


def ledger_things(w: Any) -> dict[str, tuple[int, Any]]:
    """A BDTX ledger entry of teacher A1 (``ledger_entry``), a class recorded by the principal
    of school A1 (confirmed), as kind -> (pk, owner's account)."""
    with system_scope():
        (entry,) = ledger.entry_record(
            actor=w.principal_a1,
            people=[w.person_a1],
            school_year=w.year,
            source=EntrySource.CLASS,
            programme=Programme.P01,
            hours="4",
            date=w.year.start_date,
            description="Lớp tập huấn chương trình mới",
        )
    return {"ledger_entry": (entry.pk, w.teacher_a1)}
