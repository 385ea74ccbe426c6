"""The official forms are exports of personal data: printing somebody else's is recorded in the
audit of reads (decision 0012); printing one's own is not."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from opentemis.accounts.audit_text import describe
from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations.tests.test_printing import _finalised


def _reads() -> list[AuditEvent]:
    with system_scope():
        return list(AuditEvent.objects.filter(action__startswith="reads.").order_by("id"))


def test_printing_someone_elses_form_is_recorded_and_ones_own_is_not(ev: Any) -> None:
    evaluation = _finalised(ev)
    own = ev.w.client_for(ev.w.teacher_a1).get(reverse("print_bm1_pdf", args=[evaluation.pk]))
    assert own.status_code == 200
    assert _reads() == []
    url = reverse("print_bm1_xlsx", args=[evaluation.pk])
    assert ev.w.client_for(ev.w.principal_a1).get(url).status_code == 200
    [event] = _reads()
    assert event.action == "reads.evaluation_form" and event.actor == ev.w.principal_a1
    assert event.unit == ev.w.school_a1
    assert event.changes["ids"] == [evaluation.pk]
    assert event.changes["form"] == "BM1" and event.changes["format"] == "xlsx"
    with system_scope():
        [entry] = describe([event])
    assert entry.sentence.endswith("đã tải biểu mẫu BM1 (XLSX).")


def test_a_refused_form_leaves_no_read_event(ev: Any) -> None:
    evaluation = _finalised(ev)
    other = ev.w.client_for(ev.w.principal_b1)
    assert other.get(reverse("print_bm1_pdf", args=[evaluation.pk])).status_code == 404
    assert _reads() == []
