"""The BDTX ledger, results and roll-up API (/api/v1/bdtx/): a person reads their ledger and
adds their own entries; the principal records, confirms (all or none), rejects, assesses,
computes and confirms results; a system posts completions once; officers read the needs (the
DTTS sub-columns only with staff.sensitive), the children and the school plan. What is out of
reach is a 404; a refused step a 400 with the message in Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from opentemis.core.scoping import system_scope
from opentemis.evidence.tests import files
from opentemis.plans import services
from opentemis.plans.models import EntryStatus, LedgerEntry, Plan
from opentemis.plans.tests.test_api import api, ok, vi
from opentemis.staff.models import Person
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/bdtx/"
DAY = "2025-11-20"


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def entry(pk: int) -> LedgerEntry:
    with system_scope():
        return LedgerEntry.objects.get(pk=pk)


def self_study(pw: Any, **kw: Any) -> dict[str, Any]:
    body = {
        "source": "self_study",
        "programme": "03",
        "hours": "2.5",
        "date": DAY,
        "description": "Tự học mô đun GVPT 06",
        "url": "https://example.org/bai-viet",
        **kw,
    }
    return ok(api(pw.w.teacher_a1).post(f"{BASE}people/{pw.w.person_a1.pk}/ledger/", body), 201)


def approved(pw: Any) -> Plan:
    plan = pw.ready()
    with system_scope():
        plan = services.plan_submit(actor=pw.w.teacher_a1, plan=plan)
        services.plans_approve(actor=pw.w.principal_a1, plans=[plan])
        plan.refresh_from_db()
    return plan


# --- the person's ledger ----------------------------------------------------------------------


def test_a_person_reads_their_ledger_and_adds_their_entries(pw: Any) -> None:
    teacher = api(pw.w.teacher_a1)
    url = f"{BASE}people/{pw.w.person_a1.pk}/ledger/"
    empty = ok(teacher.get(url))
    assert (empty["entries"], empty["can_add"], empty["can_manage"]) == ([], True, False)

    linked = self_study(pw)
    assert (linked["status"], linked["hours"], linked["evidence"] is not None) == (
        "pending",
        "2.5",
        True,
    )
    certificate = files.upload("chung-chi.pdf", files.pdf())
    form = {
        "source": "external",
        "programme": "02",
        "hours": "8",
        "date": DAY,
        "description": "Khóa học ngoài",
        "file": certificate,
    }
    uploaded = ok(teacher.post(url, form, format="multipart"), 201)
    assert uploaded["source"] == "external" and uploaded["evidence"] is not None

    book = ok(teacher.get(url))
    assert [e["id"] for e in book["entries"]] == [uploaded["id"], linked["id"]]
    assert book["totals"]["pending"] == {"02": "8.0", "03": "2.5"}
    assert book["totals"]["confirmed_total"] == "0.0"
    assert [line["programme"] for line in book["totals"]["lines"]] == ["01", "02", "03"]

    # Refusals: the service's messages, in Vietnamese.
    no_file = teacher.post(url, {**form, "file": ""}, format="multipart")
    assert no_file.status_code == 400
    assert vi("Upload the certificate of the course.") in str(no_file.json())
    bad = teacher.post(
        url,
        {
            "source": "self_study",
            "programme": "03",
            "hours": "0",
            "date": "2099-01-01",
            "description": "x",
            "url": "https://a.vn",
        },
    )
    assert bad.status_code == 400
    text = str(bad.json())
    assert vi("Periods must be a number above 0 and at most %(max)s.") % {"max": 200} in text
    assert vi("Enter a valid date.") not in text  # 2099-01-01 is a date, outside the year

    # The principal reads it (and may manage it), but does not add for the person.
    principal = api(pw.w.principal_a1)
    seen = ok(principal.get(url))
    assert seen["can_manage"] is True and len(seen["entries"]) == 2
    assert principal.post(url, {"source": "self_study"}).status_code == 404
    # Another school's principal, an officer of another province: a 404.
    officer_b = make_user("officer_b", role="unit_officer", unit=pw.w.province_b)
    for outsider in (pw.w.principal_b1, officer_b):
        assert api(outsider).get(url).status_code == 404
        assert api(outsider).post(url, {}).status_code == 404


def test_the_head_records_confirms_all_or_none_and_rejects(pw: Any) -> None:
    principal = api(pw.w.principal_a1)
    colleague = PersonFactory(unit=pw.w.school_a1, full_name="Lý Thị Cúc", staff_code="GVA1X")
    record = {
        "people": [pw.w.person_a1.pk, colleague.pk, pw.w.principal_a1.person.pk],
        "source": "school",
        "programme": "01",
        "hours": "4",
        "date": DAY,
        "description": "Sinh hoạt chuyên môn tổ 1-2",
    }
    recorded = ok(principal.post(f"{BASE}ledger/record/", record), 201)
    statuses = {e["person"]: e["status"] for e in recorded}
    assert statuses == {
        pw.w.person_a1.pk: "confirmed",
        colleague.pk: "confirmed",
        pw.w.principal_a1.person.pk: "pending",  # the head's own: for their superior
    }
    assert api(pw.w.teacher_a1).post(f"{BASE}ledger/record/", record).status_code == 403
    foreign = {**record, "people": [pw.w.person_a1.pk]}
    assert api(pw.w.principal_b1).post(f"{BASE}ledger/record/", foreign).status_code == 404
    wrong = principal.post(f"{BASE}ledger/record/", {**record, "source": "self_study"})
    assert wrong.status_code == 400

    first, second = self_study(pw)["id"], self_study(pw, hours="3")["id"]
    own = next(e["id"] for e in recorded if e["status"] == "pending")
    # All or none: the head's own entry refuses the lot.
    refused = principal.post(f"{BASE}ledger/confirm/", {"entries": [first, own]})
    assert refused.status_code == 403
    assert vi("Your own hours are confirmed by your superior.") in str(refused.json())
    assert entry(first).status == EntryStatus.PENDING
    assert (
        api(pw.w.principal_b1).post(f"{BASE}ledger/confirm/", {"entries": [first]}).status_code
        == 404
    )
    done = ok(principal.post(f"{BASE}ledger/confirm/", {"entries": [first, second]}))
    assert [e["status"] for e in done] == ["confirmed", "confirmed"]

    reject = f"{BASE}ledger/{second}/reject/"
    assert principal.post(reject, {}).status_code == 400
    assert api(pw.w.principal_b1).post(reject, {"reason": "x"}).status_code == 404
    assert api(pw.w.teacher_a1).post(reject, {"reason": "x"}).status_code == 403
    rejected = ok(principal.post(reject, {"reason": "Minh chứng không đọc được"}))
    assert (rejected["status"], rejected["note"]) == ("rejected", "Minh chứng không đọc được")

    dispute = f"{BASE}ledger/{first}/dispute/"
    blank = api(pw.w.teacher_a1).post(dispute, {"reason": "  "})
    assert blank.status_code == 400
    assert api(pw.w.principal_b1).post(dispute, {"reason": "x"}).status_code == 404
    disputed = ok(api(pw.w.teacher_a1).post(dispute, {"reason": "Thiếu 1 tiết"}))
    assert disputed["status"] == "disputed"


def test_a_system_posts_a_completion_once(pw: Any) -> None:
    system = api(make_user("lms", superuser=True))
    body = {
        "person": pw.w.person_a1.pk,
        "programme": "03",
        "hours": "10",
        "date": DAY,
        "description": "Hoàn thành mô đun GVPT 06 trên LMS",
        "external_ref": "lms-42",
    }
    created = ok(system.post(f"{BASE}ledger/post/", body), 201)
    assert (created["status"], created["source"]) == ("confirmed", "online")
    again = ok(system.post(f"{BASE}ledger/post/", {**body, "hours": "20"}), 200)
    assert again["id"] == created["id"] and again["hours"] == "10.0"
    with system_scope():
        assert LedgerEntry.objects.filter(external_ref="lms-42").count() == 1
    # Only a system administrator's account posts.
    for user in (pw.w.teacher_a1, pw.w.principal_a1, pw.w.officer_a):
        assert api(user).post(f"{BASE}ledger/post/", body).status_code == 404
    missing = system.post(f"{BASE}ledger/post/", {**body, "person": 10**8})
    assert missing.status_code == 400
    outside = system.post(f"{BASE}ledger/post/", {**body, "external_ref": "x", "date": "2099-1-1"})
    assert outside.status_code == 400


# --- results ----------------------------------------------------------------------------------


def test_the_head_assesses_computes_and_confirms_results(pw: Any) -> None:
    plan = approved(pw)
    principal = api(pw.w.principal_a1)
    with system_scope():
        item = plan.items.order_by("pk").first()
    assert item is not None
    assess = f"{BASE}items/{item.pk}/assess/"
    too_high = principal.post(assess, {"score": "11"})
    assert too_high.status_code == 400
    assert vi("The score is a number from 0 to 10.") in str(too_high.json())
    assert api(pw.w.principal_b1).post(assess, {"score": "7"}).status_code == 404
    assert api(pw.w.teacher_a1).post(assess, {"score": "7"}).status_code == 403
    assessed = ok(principal.post(assess, {"score": "7,5", "passed": True}))
    assert (assessed["score"], assessed["passed"]) == ("7.50", True)

    unit = pw.w.school_a1.pk
    computed = ok(principal.post(f"{BASE}units/{unit}/results/compute/", {}))
    assert [r["person"]["id"] for r in computed] == [pw.w.person_a1.pk]
    assert computed[0]["outcome"] == "not_completed" and computed[0]["reasons"]
    assert computed[0]["confirmed_at"] is None
    listed = ok(api(pw.w.officer_a).get(f"{BASE}units/{unit}/results/"))
    assert [r["id"] for r in listed] == [computed[0]["id"]]
    mine = ok(
        api(pw.w.teacher_a1).get(f"{BASE}people/{pw.w.person_a1.pk}/result/{pw.w.year.code}/")
    )
    assert mine["result"]["outcome"] == "not_completed"
    # Before computing, another person's result is null.
    other = ok(
        principal.get(f"{BASE}people/{pw.w.principal_a1.person.pk}/result/{pw.w.year.code}/")
    )
    assert other["result"] is None

    for outsider in (pw.w.principal_b1,):
        assert api(outsider).post(f"{BASE}units/{unit}/results/compute/", {}).status_code == 404
        assert api(outsider).post(f"{BASE}units/{unit}/results/confirm/", {}).status_code == 404
        assert api(outsider).get(f"{BASE}units/{unit}/results/").status_code == 404
        url = f"{BASE}people/{pw.w.person_a1.pk}/result/{pw.w.year.code}/"
        assert api(outsider).get(url).status_code == 404
    viewer = make_user("viewer_a", role="viewer", unit=pw.w.province_a)
    assert api(viewer).post(f"{BASE}units/{unit}/results/compute/", {}).status_code == 403

    unknown = principal.post(
        f"{BASE}units/{unit}/results/confirm/",
        {"results": ["00000000-0000-0000-0000-000000000001"]},
    )
    assert unknown.status_code == 404
    confirmed = ok(principal.post(f"{BASE}units/{unit}/results/confirm/", {}))
    assert [r["id"] for r in confirmed] == [computed[0]["id"]]
    assert confirmed[0]["confirmed_at"] is not None and confirmed[0]["evidence"] is not None


# --- roll-ups ---------------------------------------------------------------------------------


def test_needs_children_and_school_plan(pw: Any) -> None:
    approved(pw)
    with system_scope():
        Person.objects.filter(pk=pw.w.person_a1.pk).update(is_dtts=True)
    province = pw.w.province_a.pk
    needs = ok(api(pw.w.officer_a).get(f"{BASE}units/{province}/needs/?year={pw.w.year.code}"))
    assert needs["plans"] == 1 and needs["statuses"] == ["approved"]
    assert {r["programme"] for r in needs["rows"]} == {"01", "02", "03"}
    module = next(r for r in needs["rows"] if r["programme"] == "03")
    assert module["people"]["total"] == 1 and module["module"] is not None
    assert module["people"]["dtts"] == 1  # the officer reads sensitive data
    viewer = make_user("viewer_a", role="viewer", unit=pw.w.province_a)
    hidden = ok(api(viewer).get(f"{BASE}units/{province}/needs/"))
    row = next(r for r in hidden["rows"] if r["programme"] == "03")
    assert row["people"]["total"] == 1
    assert (row["people"]["dtts"], row["people"]["women_dtts"]) == (None, None)
    assert all(c["dtts"] is None for c in row["by_form"].values())
    bad = api(pw.w.officer_a).get(f"{BASE}units/{province}/needs/?include_submitted=perhaps")
    assert bad.status_code == 400
    with_submitted = ok(
        api(pw.w.officer_a).get(f"{BASE}units/{province}/needs/?include_submitted=true")
    )
    assert with_submitted["statuses"] == ["submitted", "approved"]

    children = ok(api(pw.w.officer_a).get(f"{BASE}units/{province}/children/"))
    assert children["total"]["plans"]["approved"] == 1
    assert [c["code"] for c in children["children"]] == ["SA-X1"]
    assert children["by_completion"] == [pw.w.commune_a.pk]

    school = pw.w.school_a1.pk
    plan = ok(api(pw.w.principal_a1).get(f"{BASE}units/{school}/school-plan/"))
    assert (plan["status"], plan["approved_plans"], plan["editable"]) == ("draft", 1, True)
    assert {r["programme"] for r in plan["rows"]} == {"01", "02", "03"}
    assert all(r["by_month"] for r in plan["rows"])
    # Not a school: no school plan. Out of reach: a 404 everywhere.
    assert api(pw.w.officer_a).get(f"{BASE}units/{province}/school-plan/").status_code == 404
    for route in ("needs", "children", "school-plan"):
        assert api(pw.w.principal_b1).get(f"{BASE}units/{school}/{route}/").status_code == 404
        assert api(pw.w.teacher_a1).get(f"{BASE}units/{school}/{route}/").status_code == 404


def test_dates_in_the_ledger_are_iso(pw: Any) -> None:
    """A date the serializer cannot read is a 400 naming the field, not a 500."""
    url = f"{BASE}people/{pw.w.person_a1.pk}/ledger/"
    answer = api(pw.w.teacher_a1).post(url, {"source": "self_study", "date": "20/11/2025"})
    assert answer.status_code == 400 and "date" in answer.json()
