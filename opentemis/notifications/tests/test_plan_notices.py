"""Notices of BDTX plan steps: the approvers hear of a submission, the person of a decision."""

from __future__ import annotations

from typing import Any

import pytest

from opentemis.core.scoping import system_scope
from opentemis.notifications.models import Notice, NoticeKind
from opentemis.plans import services
from opentemis.plans.tests.conftest import pw  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _notices(user: Any) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user, kind=NoticeKind.PLAN).order_by("pk"))


def test_submit_tells_the_principal_and_approval_tells_the_teacher(
    pw: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    plan = pw.ready()
    with django_capture_on_commit_callbacks(execute=True), system_scope():
        plan = services.plan_submit(actor=pw.w.teacher_a1, plan=plan)
    told = _notices(pw.w.principal_a1)
    assert len(told) == 1 and pw.w.person_a1.full_name in told[0].title
    assert told[0].url.endswith("/bdtx/duyet/")
    assert _notices(pw.w.teacher_a1) == []  # never the actor
    assert _notices(pw.w.officer_a) == []  # the nearest approver only, not the Sở
    with django_capture_on_commit_callbacks(execute=True), system_scope():
        services.plans_approve(actor=pw.w.principal_a1, plans=[plan])
    mine = _notices(pw.w.teacher_a1)
    assert len(mine) == 1 and "phê duyệt" in mine[0].title


def test_a_principals_own_plan_goes_to_the_superior(
    pw: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    plan = pw.ready(pw.w.principal_a1)
    with django_capture_on_commit_callbacks(execute=True), system_scope():
        services.plan_submit(actor=pw.w.principal_a1, plan=plan)
    assert len(_notices(pw.w.officer_a)) == 1
    assert _notices(pw.w.principal_a1) == []
