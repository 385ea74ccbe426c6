"""The closed loop (issue 14 item 8): one person's weak criteria through to hours, the
certificate and evidence, a unit's funnel equal to a recount of the people, small cells
suppressed, and scoping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opentemis.certificates import codes
from opentemis.certificates import services as certificates
from opentemis.certificates.models import CertificateStatus
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation
from opentemis.learning.models import EnrolmentStatus
from opentemis.loop import selectors
from opentemis.loop.selectors import STEPS
from opentemis.staff.models import Person
from tests.factories import PersonFactory, make_user

from .conftest import LoopScene, finalised, levels

pytestmark = pytest.mark.django_db


def person_loop(loop: LoopScene, person: Person) -> selectors.PersonLoop:
    with system_scope():
        return selectors.loop_person(actor=loop.w.officer_a, pk=person.pk, school_year=loop.w.year)


def test_a_weak_criterion_is_followed_through_to_hours_and_evidence(loop: LoopScene) -> None:
    found = person_loop(loop, loop.w.person_a1)
    assert found.evaluation == loop.last and found.plan == loop.plan
    by_criterion = {c.need.criterion: c for c in found.chains}
    assert list(by_criterion) == [6, 1]  # weakest first (Chưa đạt, then Đạt)
    one = by_criterion[1]
    assert [i.module_id for i in one.items] == [loop.lw.module.pk]
    assert [e.pk for e in one.enrolments] == [loop.lw.enrolment.pk]
    assert one.completed[0].status == EnrolmentStatus.COMPLETED
    assert one.hours == Decimal(10)
    assert [c.pk for c in one.certificates] == [loop.certificate.pk]
    assert [link.evidence_id for link in one.links] == [loop.evidence.pk]
    assert all(one.reached().values())
    six = by_criterion[6]
    # The draft plan suggested a module for it (plans.drafting), but no course was taken.
    assert six.items and all(i.suggested for i in six.items)
    assert six.reached() == {s: s in ("weak", "planned") for s in STEPS}
    assert found.hours == Decimal(10)


def test_the_person_page_links_each_step(loop: LoopScene) -> None:
    page = loop.w.client_for(loop.w.teacher_a1).get(reverse("loop_mine"))
    assert page.status_code == 200
    html = page.content.decode()
    for url in (
        reverse("evaluation_detail", args=[loop.last.pk]),
        reverse("plan_mine"),
        reverse("learning_course", args=[loop.lw.course.pk]),
        reverse("bdtx_ledger", args=[loop.w.person_a1.pk]),
    ):
        assert url in html, url
    assert "Bài dạy" in html


def test_the_certificate_shows_on_the_person_s_page(loop: LoopScene) -> None:
    w = loop.w
    code = codes.printed(loop.certificate.code)
    own = w.client_for(w.teacher_a1).get(reverse("loop_mine")).content.decode()
    # The holder opens their certificate (the PDF); their list is linked too.
    assert code in own
    assert reverse("certificates_pdf", args=[loop.certificate.pk]) in own
    assert reverse("certificates_mine") in own
    # The head of the school sees it too, linked to the public verification page.
    head = w.client_for(w.principal_a1).get(reverse("loop_person", args=[w.person_a1.pk]))
    html = head.content.decode()
    assert code in html
    assert reverse("certificates_verify_code", args=[loop.certificate.code]) in html
    assert reverse("certificates_pdf", args=[loop.certificate.pk]) not in html


def test_a_revoked_certificate_shows_revoked_and_stops_the_chain(loop: LoopScene) -> None:
    w = loop.w
    with system_scope():
        certificates.certificate_revoke(
            actor=w.officer_a, certificate=loop.certificate, reason="Nhầm người học."
        )
    one = next(c for c in person_loop(loop, w.person_a1).chains if c.need.criterion == 1)
    assert [c.status for c in one.certificates] == [CertificateStatus.REVOKED]
    reached = one.reached()
    assert reached["hours"] and not reached["certified"] and not reached["evidence"]
    html = w.client_for(w.teacher_a1).get(reverse("loop_mine")).content.decode()
    assert codes.printed(loop.certificate.code) in html
    assert str(CertificateStatus.REVOKED.label) in html
    assert reverse("certificates_pdf", args=[loop.certificate.pk]) not in html


def test_readers_of_the_unit_see_a_person_s_loop_others_get_404(loop: LoopScene) -> None:
    w = loop.w
    url = reverse("loop_person", args=[w.person_a1.pk])
    for user in (w.teacher_a1, w.principal_a1, w.officer_a):
        assert w.client_for(user).get(url).status_code == 200, user
    principal_a2 = make_user("principal_a2", role="principal", unit=w.school_a2)
    colleague = make_user("colleague", role="teacher", unit=w.school_a1)
    for user in (w.principal_b1, principal_a2, colleague):
        assert w.client_for(user).get(url).status_code == 404, user
    assert w.client_for(w.teacher_a1).post(url).status_code == 405


def test_the_unit_funnel_equals_a_recount(loop: LoopScene) -> None:
    w = loop.w
    with system_scope():
        funnel = selectors.unit_funnel(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        people = list(Person.objects.filter(unit_path__startswith=w.province_a.path))
    recount: dict[int | None, dict[str, int]] = {}
    for person in people:
        anywhere = dict.fromkeys(STEPS, False)
        for c in person_loop(loop, person).chains:
            for step, reached in c.reached().items():
                row = recount.setdefault(c.need.criterion, dict.fromkeys(STEPS, 0))
                row[step] += int(reached)
                anywhere[step] = anywhere[step] or reached
        if any(anywhere.values()):
            row = recount.setdefault(None, dict.fromkeys(STEPS, 0))
            for step in STEPS:
                row[step] += int(anywhere[step])
    shown = {r.criterion: {s: r.steps[s].total for s in STEPS} for r in funnel.rows}
    assert shown == recount
    assert shown[1] == {
        "weak": 2,
        "planned": 1,
        "enrolled": 1,
        "completed": 1,
        "hours": 1,
        "certified": 1,
        "evidence": 1,
    }
    assert shown[6]["weak"] == 1 and shown[6]["planned"] == 1 and shown[6]["enrolled"] == 0


def test_small_cells_of_dtts_people_are_suppressed(loop: LoopScene) -> None:
    w = loop.w
    with system_scope():
        funnel = selectors.unit_funnel(actor=w.officer_a, unit=w.province_a, school_year=w.year)
    row = next(r for r in funnel.rows if r.criterion == 1)
    assert row.steps["weak"].total == 2
    assert row.steps["weak"].dtts is None  # one DTTS teacher: below the minimum cell
    assert row.steps["weak"].women == 1  # women are not sensitive
    assert funnel.suppressed


def test_the_unit_page_is_for_readers_of_its_plans(loop: LoopScene) -> None:
    w = loop.w
    url = reverse("loop_unit")
    assert w.client_for(w.officer_a).get(url, {"unit": w.province_a.pk}).status_code == 200
    assert w.client_for(w.principal_a1).get(url).status_code == 200
    assert w.client_for(w.principal_b1).get(url, {"unit": w.school_a1.pk}).status_code == 404
    assert w.client_for(w.teacher_a1).get(url).status_code == 403
    page = w.client_for(w.principal_a1).get(url, {"unit": w.school_a1.pk})
    assert [r.criterion for r in page.context["funnel"].rows] == [1, 6, None]


def test_an_account_without_a_staff_record_has_no_loop(loop: LoopScene, world: Any) -> None:
    assert world.client_for(world.officer_a).get(reverse("loop_mine")).status_code == 200


def test_the_funnel_costs_the_same_queries_whatever_the_number_of_people(
    loop: LoopScene,
) -> None:
    w = loop.w

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx, system_scope():
            selectors.unit_funnel(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        return len(ctx.captured_queries)

    queries()  # caches warmed (the school year's lookups)
    before = queries()
    with system_scope():
        last = Evaluation.objects.select_related("cycle").get(pk=loop.last.pk)
        for n in range(5):
            person = PersonFactory(unit=w.school_a2, full_name=f"Giáo viên {n}")
            finalised(last.cycle, person, levels(c2="Dat"))
    assert queries() == before
