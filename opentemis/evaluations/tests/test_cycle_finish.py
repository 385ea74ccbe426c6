"""Finishing a cycle (decision 0005): the officers who manage it finish it from its page; the
framework versions its evaluations used are locked in the same transaction, audited, and never
change or go away afterwards; nothing in the cycle is edited any more."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle, CycleStatus
from opentemis.standards.frameworks import framework_data
from opentemis.standards.models import Framework
from opentemis.standards.services import framework_upload
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TT20, TT14 = "TT20_2018_GVPT", "TT14_2018_HTPT"


def _locked() -> set[str]:
    return set(Framework.objects.filter(is_locked=True).values_list("code", flat=True))


def _cycle(ev: Any) -> Cycle:
    with system_scope():
        return Cycle.objects.get(pk=ev.cycle.pk)


def test_finishing_locks_the_standards_its_evaluations_used_and_is_audited(ev):
    ev.submitted()  # a teacher: TT 20
    ev.start(ev.w.principal_a1)  # a principal: TT 14
    with system_scope():
        services.cycle_finish(actor=ev.w.officer_a, cycle=ev.cycle)
        event = AuditEvent.objects.get(action="cycle.finish")
    cycle = _cycle(ev)
    assert cycle.status == CycleStatus.FINISHED and cycle.finished_at is not None
    assert _locked() == {TT20, TT14}  # the preschool standards, unused, stay open
    assert event.actor == ev.w.officer_a and event.object_id == str(ev.cycle.pk)
    assert event.changes == {"after": {"frameworks": [f"{TT14} v1", f"{TT20} v1"]}}


def test_finishing_is_for_the_officers_of_the_cycle_and_happens_once(ev):
    ev.submitted()
    with system_scope():
        with pytest.raises(PermissionDenied):
            services.cycle_finish(actor=ev.w.principal_a1, cycle=ev.cycle)
        assert _cycle(ev).status == CycleStatus.OPEN and _locked() == set()
        services.cycle_finish(actor=ev.w.officer_a, cycle=ev.cycle)
        with pytest.raises(ValidationError):
            services.cycle_finish(actor=ev.w.officer_a, cycle=_cycle(ev))
        assert AuditEvent.objects.filter(action="cycle.finish").count() == 1


def test_a_failed_finish_locks_nothing(ev, monkeypatch):
    ev.submitted()

    def audit_fails(**_: Any) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("opentemis.evaluations.services.cycles.audit", audit_fails)
    with system_scope(), pytest.raises(RuntimeError):
        services.cycle_finish(actor=ev.w.officer_a, cycle=ev.cycle)
    assert _cycle(ev).status == CycleStatus.OPEN and _locked() == set()


def test_nothing_in_a_finished_cycle_is_edited_any_more(ev):
    evaluation = ev.start()
    with system_scope():
        services.cycle_finish(actor=ev.w.officer_a, cycle=ev.cycle)
        evaluation.cycle.refresh_from_db()
        with pytest.raises(ValidationError):
            services.evaluation_save_draft(
                actor=ev.w.teacher_a1, evaluation=evaluation, version=1, levels={"1": "Tot"}
            )


def test_a_locked_standard_never_changes_and_cannot_be_deleted(ev, client):
    ev.submitted()
    root = make_user("root", superuser=True)
    with system_scope():
        services.cycle_finish(actor=ev.w.officer_a, cycle=ev.cycle)
        used = Framework.objects.get(code=TT20, version=1)
        criteria = list(used.criteria.order_by("number").values_list("number", "name"))
    # Through the service: changed content for the locked code becomes a new version.
    changed = copy.deepcopy(framework_data()[TT20])
    changed["title_vi"] += " (sửa đổi)"
    [loaded] = framework_upload(actor=root, frameworks=[changed])
    used.refresh_from_db()
    assert (loaded.version, loaded.is_locked) == (2, False)
    assert used.is_locked and "(sửa đổi)" not in used.title_vi
    assert list(used.criteria.order_by("number").values_list("number", "name")) == criteria
    # Through the admin: the locked version cannot be deleted; an unused one can.
    client.force_login(root)
    assert (
        client.get(reverse("admin:standards_framework_delete", args=[used.pk])).status_code == 403
    )
    assert (
        client.get(reverse("admin:standards_framework_delete", args=[loaded.pk])).status_code == 200
    )


def test_the_cycle_page_lets_its_officers_finish_it(ev):
    ev.submitted()
    url = reverse("cycle_finish", args=[ev.cycle.pk])
    officer = ev.w.client_for(ev.w.officer_a)
    principal = ev.w.client_for(ev.w.principal_a1)
    page = reverse("cycle_detail", args=[ev.cycle.pk])
    assert f'action="{url}"' in officer.get(page).content.decode()
    assert f'action="{url}"' not in principal.get(page).content.decode()
    assert principal.post(url).status_code == 404  # sees the cycle, does not manage it
    assert officer.get(url).status_code == 405
    assert _cycle(ev).status == CycleStatus.OPEN

    answer = officer.post(url, follow=True)
    assert answer.redirect_chain == [(page, 302)]
    body = answer.content.decode()
    assert "Đã kết thúc đợt đánh giá" in body and f'action="{url}"' not in body
    assert _cycle(ev).status == CycleStatus.FINISHED and TT20 in _locked()
    again = officer.post(url, follow=True).content.decode()
    assert "Đợt đánh giá này đã kết thúc rồi." in again
