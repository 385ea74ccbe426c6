"""The cascade's pages, the Excel upload and the API, through the views; the core teacher's
colleagues page (learning)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from opentemis.accounts.models import AuditEvent
from opentemis.cascade import balancing, importer, services
from opentemis.cascade.models import Caseload, CaseloadMethod, CoreCheck
from opentemis.cascade.tests.conftest import CascadeWorld, finalised, worked_since
from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress, ProgressState
from opentemis.staff.models import CoreDesignation
from tests.factories import make_user
from tests.learning_world import make_course


def _sheet(rows: list[tuple[str, str]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = importer.SHEET
    sheet.append([importer.LEARNER, importer.CORE])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "phan-cong.xlsx"
    return buffer


def test_the_core_list_shows_candidates_with_their_check(cw: CascadeWorld) -> None:
    w = cw.w
    worked_since(cw.learners_a1[0], dt.date(2012, 9, 1))
    finalised(cw.learners_a1[0], w.year, rating="Tot", levels={n: "Tot" for n in range(1, 16)})
    client = w.client_for(w.officer_a)
    url = reverse("cascade_core", args=[w.province_a.pk])
    page = client.get(url, {"level": "TH", "year": w.year.code})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Lê Văn Cốt" in text  # designated
    assert cw.learners_a1[0].full_name in text  # a candidate
    assert "Tốt" in text  # the rating read, by its name
    assert len(page.context["candidates"]) == 4  # teacher A1 and three learners of A1
    eligible = client.get(url, {"level": "TH", "eligible": "1"})
    assert [c.person for c in eligible.context["candidates"]] == [cw.learners_a1[0]]


def test_designating_through_the_page_asks_for_a_reason(cw: CascadeWorld) -> None:
    w = cw.w
    client = w.client_for(w.officer_a)
    person = cw.learners_a2[0]
    url = reverse("cascade_person", args=[person.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"kind": "teacher", "level": "THCS", "year": w.year.code})
    assert refused.status_code == 200
    with system_scope():
        assert not CoreDesignation.objects.filter(person=person).exists()
    done = client.post(
        url,
        {
            "kind": "teacher",
            "level": "THCS",
            "override_reason": "Được Sở đề cử.",
            "year": w.year.code,
        },
    )
    assert done.status_code == 302
    with system_scope():
        check = CoreCheck.objects.get(person=person)
    assert check.override_reason == "Được Sở đề cử." and check.level is not None
    assert check.level.code == "THCS"


def test_a_foreign_units_caseloads_are_a_404(cw: CascadeWorld) -> None:
    w = cw.w
    officer_b = make_user("officer_b", role="unit_officer", unit=w.province_b)
    client = w.client_for(officer_b)
    for name in ("cascade_caseloads", "cascade_core", "cascade_upload", "cascade_template"):
        assert client.get(reverse(name, args=[w.province_a.pk])).status_code == 404, name
    assert client.post(reverse("cascade_balance", args=[w.province_a.pk])).status_code == 404
    assert client.get(reverse("cascade_core_caseload", args=[cw.core_a1.pk])).status_code == 404
    api = client.get(f"/api/v1/cascade/units/{w.province_a.pk}/caseloads/")
    assert api.status_code == 404
    principal = w.client_for(w.principal_a1)
    assert principal.get(reverse("cascade_caseloads", args=[w.province_a.pk])).status_code == 404


def test_the_overview_runs_the_balancing_as_a_job(
    cw: CascadeWorld, django_capture_on_commit_callbacks: Any
) -> None:
    w = cw.w
    client = w.client_for(w.officer_a)
    overview = client.get(reverse("cascade_caseloads", args=[w.province_a.pk]))
    assert overview.context["overview"].unassigned == 7
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("cascade_balance", args=[w.province_a.pk]), {"year": w.year.code}
        )
    assert answer.status_code == 302 and "/jobs/" in answer["Location"]
    with system_scope():
        assert Caseload.objects.filter(school_year=w.year).count() == 7
    after = client.get(reverse("cascade_caseloads", args=[w.province_a.pk]))
    assert after.context["overview"].unassigned == 0
    api = client.get(f"/api/v1/cascade/units/{w.province_a.pk}/caseloads/")
    assert api.status_code == 200 and api.json()["count"] == 7


def test_an_upload_is_checked_then_saved_whole(cw: CascadeWorld) -> None:
    w = cw.w
    client = w.client_for(w.officer_a)
    url = reverse("cascade_upload", args=[w.province_a.pk])
    good = _sheet([("DTA10", "CCA2"), ("DTA20", "CCA1"), ("GVA1", "CCA1")])
    preview = client.post(url, {"file": good, "year": w.year.code})
    assert preview.status_code == 200 and preview.context["check"].changes == 3
    with system_scope():
        assert not Caseload.objects.exists()  # a preview writes nothing
    token = preview.context["token"]
    saved = client.post(url, {"token": token, "year": w.year.code})
    assert saved.status_code == 302
    with system_scope():
        rows = {c.learner.staff_code: c.core.staff_code for c in Caseload.objects.all()}
        assert rows == {"DTA10": "CCA2", "DTA20": "CCA1", "GVA1": "CCA1"}
        assert {c.method for c in Caseload.objects.all()} == {CaseloadMethod.UPLOADED}
        assert AuditEvent.objects.filter(action="cascade.caseload_upload").count() == 1


def test_a_bad_upload_saves_nothing_and_says_where(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_assign(
            actor=w.officer_a, learner=cw.learners_a1[1], core=cw.core_a1, school_year=w.year
        )
    bad = _sheet(
        [
            ("DTA10", "CCA2"),  # fine
            ("NOBODY", "CCA1"),  # unknown colleague
            ("DTA10", "CCA1"),  # twice
            ("GVB1", "CCA1"),  # province B
            ("DTA11", "GVA2"),  # not core staff
            ("CCA2", "CCA1"),  # core staff have no core teacher
        ]
    )
    with system_scope():
        result = importer.caseload_import(
            actor=w.officer_a, unit=w.province_a, school_year=w.year, file=bad, dry_run=False
        )
        assert not result.written
        assert Caseload.objects.get(learner=cw.learners_a1[1]).core_id == cw.core_a1.pk
        assert Caseload.objects.count() == 1  # the good row was not saved either
    rows = sorted(i.row for i in result.errors if i.row)
    assert rows == [3, 4, 5, 6, 7]
    message = result.errors[0].message
    assert "dòng 3" in message.lower() or "Row 3" in message


def test_an_upload_past_the_maximum_is_refused(cw: CascadeWorld, monkeypatch: Any) -> None:
    w = cw.w
    limited = balancing.Settings(1, balancing.settings().learner_positions)
    monkeypatch.setattr(balancing, "settings", lambda: limited)
    with system_scope():
        result = importer.caseload_import(
            actor=w.officer_a,
            unit=w.province_a,
            school_year=w.year,
            file=_sheet([("DTA10", "CCA1"), ("DTA11", "CCA1")]),
            dry_run=False,
        )
        assert not result.written and len(result.errors) == 1
        assert not Caseload.objects.exists()


def test_the_template_downloads_with_the_current_assignments(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
    answer = w.client_for(w.officer_a).get(reverse("cascade_template", args=[w.province_a.pk]))
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    rows = list(book[importer.SHEET].iter_rows(values_only=True))
    assert rows[0][:2] == (importer.LEARNER, importer.CORE) and len(rows) == 8


def test_the_school_core_group_is_read_by_its_principal(cw: CascadeWorld) -> None:
    w = cw.w
    url = reverse("cascade_school", args=[w.school_a1.pk])
    page = w.client_for(w.principal_a1).get(url)
    assert page.status_code == 200 and "Lê Văn Cốt" in page.content.decode()
    assert "Mai Thị Cán" not in page.content.decode()  # school A2's
    assert w.client_for(w.principal_b1).get(url).status_code == 404
    assert w.client_for(w.teacher_a1).get(url).status_code == 404


def test_the_core_teachers_page_lists_colleagues_and_what_needs_them(cw: CascadeWorld) -> None:
    w = cw.w
    lw = make_course(w)
    product = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
        ActivityProgress.objects.create(
            enrolment=lw.enrolment,
            activity=product,
            unit_path=lw.enrolment.unit_path,
            state=ProgressState.COMPLETE,
        )
        lw.course.due = dt.date.today() + dt.timedelta(days=3)
        lw.course.save(update_fields=["due"])
    other = lw.enrol(cw.learners_a1[0])
    client = w.client_for(cw.core_user)
    page = client.get(reverse("learning_colleagues"))
    assert page.status_code == 200
    text = page.content.decode()
    colleagues = page.context["colleagues"]
    assert {c.caseload.learner_id for c in colleagues} == {
        w.person_a1.pk,
        *(p.pk for p in cw.learners_a1),
    }
    by_person = {c.caseload.learner_id: c for c in colleagues}
    needs = [n.text for n in by_person[w.person_a1.pk].needs]
    assert any("Sản phẩm cuối khóa" in n for n in needs)
    assert [n.url for n in by_person[other.person_id].needs] == [""]  # not started, 3 days left
    assert "Sản phẩm cuối khóa" in text
    # The menu shows the page to core teachers only.
    assert reverse("learning_colleagues") in text
    assert (
        reverse("learning_colleagues") not in w.client_for(w.teacher_a1).get("/").content.decode()
    )
    api = client.get("/api/v1/learn/colleagues/")
    assert api.status_code == 200 and len(api.json()) == 4
    # Anyone else supports nobody.
    assert (
        w.client_for(w.teacher_a1).get(reverse("learning_colleagues")).context["colleagues"] == []
    )


def test_the_core_teacher_records_a_plan_and_an_activity(cw: CascadeWorld) -> None:
    w = cw.w
    with system_scope():
        services.caseload_balance(actor=w.officer_a, unit=w.province_a, school_year=w.year)
    client = w.client_for(cw.core_user)
    url = reverse("cascade_support")
    assert (
        client.post(url, {"action": "plan", "text": "Hỗ trợ tổ 1", "status": "active"}).status_code
        == 302
    )
    answer = client.post(
        url,
        {
            "action": "activity",
            "date": "2025-10-03",
            "form": "meeting",
            "colleagues": [str(cw.learners_a1[0].pk)],
            "note": "Sinh hoạt chuyên môn",
        },
    )
    assert answer.status_code == 302
    sede = w.client_for(w.officer_a).get(reverse("cascade_core_caseload", args=[cw.core_a1.pk]))
    assert "Sinh hoạt chuyên môn" in sede.content.decode()
    assert "Hỗ trợ tổ 1" in sede.content.decode()


def test_the_menu_leads_officers_and_principals_to_their_pages(cw: CascadeWorld) -> None:
    w = cw.w
    officer = w.client_for(w.officer_a)
    assert reverse("cascade_home") in officer.get("/").content.decode()
    assert officer.get(reverse("cascade_home"))["Location"] == reverse(
        "cascade_core", args=[w.province_a.pk]
    )
    principal = w.client_for(w.principal_a1)
    assert reverse("cascade_school_home") in principal.get("/").content.decode()
    assert principal.get(reverse("cascade_school_home"))["Location"] == reverse(
        "cascade_school", args=[w.school_a1.pk]
    )
    assert w.client_for(w.teacher_a1).get(reverse("cascade_home")).status_code == 404
