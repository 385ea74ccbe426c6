"""The plans API (/api/v1/bdtx/): a teacher opens, edits and submits their plan; the principal
approves many at once, returns one, decides a change request and sets the deadline; what is out
of reach is a 404; a refused step a 400 with the message in Vietnamese."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.core.scoping import system_scope
from opentemis.plans import services
from opentemis.plans.models import ChangeStatus, Plan, PlanDeadline, PlanStatus
from opentemis.training.models import Module, ProgrammeContent
from opentemis.training.services import local_content_delete
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/bdtx/"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.content
    return response.json() if response.content else {}


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def fresh(plan: Any) -> Plan:
    with system_scope():
        return Plan.objects.get(pk=plan.pk)


def submitted(pw: Any, user: Any = None) -> Plan:
    plan = pw.ready(user)
    with system_scope():
        return services.plan_submit(actor=user or pw.w.teacher_a1, plan=plan)


def colleague(pw: Any, code: str = "GVA1X") -> Any:
    person = PersonFactory(unit=pw.w.school_a1, full_name="Lý Thị Cúc", staff_code=code)
    return make_user(code.lower(), role="teacher", unit=pw.w.school_a1, person=person)


# --- the teacher ------------------------------------------------------------------------------


def test_open_edit_and_submit_through_the_api(pw: Any) -> None:
    teacher = api(pw.w.teacher_a1)
    opened = ok(teacher.post(f"{BASE}plans/open/", {}))
    plan = opened["plan"]
    assert (plan["status"], plan["person"]["staff_code"]) == ("draft", "GVA1")
    assert plan["catalogue"] == "TT17-GVPT v1"
    suggested = [i for i in opened["items"] if i["suggested"]]
    assert suggested and all(i["reason"] for i in suggested)
    assert suggested[0]["module"]["code"] == "GVPT 05"  # Chưa đạt first
    assert suggested[0]["reason"].startswith("Tiêu chí 5 ở mức")
    assert [h["programme"] for h in opened["hours"]] == ["01", "02", "03"]
    assert {h["required"] for h in opened["hours"]} == {40}
    assert vi("Write the objectives of your plan.") in opened["submit_problems"]
    assert opened["due"] is not None
    # Opening again answers the same plan.
    assert ok(teacher.post(f"{BASE}plans/open/", {}))["plan"]["id"] == plan["id"]

    url = f"{BASE}plans/{plan['id']}/"
    stale = teacher.patch(url, {"version": plan["version"] + 5, "objectives": "x"})
    assert stale.status_code == 409
    edited = ok(
        teacher.patch(
            url, {"version": plan["version"], "objectives": "Mục tiêu", "outputs": "Sản phẩm"}
        )
    )["plan"]
    assert (edited["objectives"], edited["outputs"]) == ("Mục tiêu", "Sản phẩm")
    assert edited["version"] > plan["version"]

    item = suggested[0]
    changed = ok(
        teacher.patch(
            f"{url}items/{item['id']}/", {"hours": 12, "form": "ket_hop", "starts": "2025-10-01"}
        )
    )
    assert (changed["hours"], changed["form"], changed["starts"]) == (12, "ket_hop", "2025-10-01")
    ok(teacher.delete(f"{url}items/{item['id']}/"), 204)
    added = ok(teacher.post(f"{url}items/", {"module": item["module"]["id"]}), 201)
    assert added["module"]["code"] == "GVPT 05" and not added["suggested"]
    with system_scope():
        p01 = fresh(Plan(pk=plan["id"])).items.get(content=pw.p01)
        p02 = fresh(Plan(pk=plan["id"])).items.get(content=pw.p02)
    ok(teacher.delete(f"{url}items/{p01.pk}/"), 204)
    ok(teacher.post(f"{url}items/", {"content": pw.p01.pk, "hours": 40}), 201)

    # Complete the periods of programme 03 and submit.
    detail = ok(teacher.get(url))
    p03 = next(h for h in detail["hours"] if h["programme"] == "03")
    if not p03["met"]:
        ok(teacher.patch(f"{url}items/{added['id']}/", {"hours": 40}))
    done = ok(teacher.post(f"{url}submit/", {}))
    assert done["plan"]["status"] == "submitted" and done["submit_problems"] == []
    # Submitted: it no longer changes.
    refused = teacher.patch(f"{url}items/{p02.pk}/", {"hours": 5})
    assert refused.status_code == 400
    message = vi("The plan is submitted and waits for approval: it no longer changes.")
    assert refused.json() == {"non_field_errors": [message]}


def test_refusals_are_400_in_vietnamese(pw: Any) -> None:
    # An account without a staff record has no plan to open.
    nobody = api(pw.w.officer_a).post(f"{BASE}plans/open/", {})
    message = vi("Your account is not linked to a staff record.")
    assert nobody.json() == {"non_field_errors": [message]} and "Tài khoản" in message
    plan = pw.open()
    teacher = api(pw.w.teacher_a1)
    url = f"{BASE}plans/{plan.pk}/"
    refused = teacher.post(f"{url}submit/", {})
    assert refused.status_code == 400
    problems = refused.json()["non_field_errors"]
    assert vi("Write the objectives of your plan.") in problems
    assert "Hãy ghi mục tiêu của kế hoạch." in problems  # Vietnamese, the default
    assert vi("Write the expected outputs of your plan.") in problems
    both = teacher.post(f"{url}items/", {"module": 1, "content": 1})
    assert both.json() == {"non_field_errors": [vi("Choose one module or one content.")]}
    with system_scope():
        other = Module.objects.exclude(catalogue_id=plan.catalogue_id).first()
    assert other is not None
    outside = teacher.post(f"{url}items/", {"module": other.pk})
    assert outside.json() == {
        "non_field_errors": [vi("This module is not in the catalogue of your plan.")]
    }
    with system_scope():
        first = Plan.objects.get(pk=plan.pk).items.order_by("pk").first()
    assert first is not None
    hours = teacher.patch(f"{url}items/{first.pk}/", {"hours": 0})
    assert hours.status_code == 400 and "hours" in hours.json()
    dates = teacher.patch(f"{url}items/{first.pk}/", {"starts": "2026-03-01", "ends": "2026-02-01"})
    assert dates.json() == {"non_field_errors": [vi("The end date is before the start date.")]}
    assert teacher.patch(url, {"objectives": "x"}).json()["version"]  # required
    # A change request is for approved plans only.
    early = teacher.post(f"{url}change-requests/", {"reason": "Đổi"})
    assert early.json() == {
        "non_field_errors": [vi("Only an approved plan needs a change request: edit it.")]
    }


def test_someone_elses_plan_is_a_404_and_the_list_is_scoped(pw: Any) -> None:
    plan = pw.open()
    other = colleague(pw)
    theirs = pw.open(other)
    stranger = api(other)
    url = f"{BASE}plans/{plan.pk}/"
    assert stranger.get(url).status_code == 404
    assert stranger.patch(url, {"version": 1, "objectives": "x"}).status_code == 404
    assert stranger.post(f"{url}submit/", {}).status_code == 404
    with system_scope():
        item = Plan.objects.get(pk=plan.pk).items.order_by("pk").first()
    assert item is not None
    assert stranger.delete(f"{url}items/{item.pk}/").status_code == 404
    # An item of another plan, through one's own: 404 too.
    assert stranger.delete(f"{BASE}plans/{theirs.pk}/items/{item.pk}/").status_code == 404
    assert stranger.post(f"{url}items/", {"content": pw.p01.pk}).status_code == 404
    # The principal of another province sees neither.
    outsider = api(pw.w.principal_b1)
    assert outsider.get(url).status_code == 404
    assert ok(outsider.get(f"{BASE}plans/")) == []
    assert outsider.get(f"{BASE}plans/", {"unit": pw.w.school_a1.pk}).status_code == 404
    # Each sees their own; the principal and the Sở see both.
    assert [p["id"] for p in ok(stranger.get(f"{BASE}plans/"))] == [theirs.pk]
    assert [p["id"] for p in ok(api(pw.w.teacher_a1).get(f"{BASE}plans/"))] == [plan.pk]
    both = {plan.pk, theirs.pk}
    assert {p["id"] for p in ok(api(pw.w.principal_a1).get(f"{BASE}plans/"))} == both
    assert {p["id"] for p in ok(api(pw.w.officer_a).get(f"{BASE}plans/"))} == both
    # The principal sees the plan (read) but only its person edits it.
    principal = api(pw.w.principal_a1)
    assert ok(principal.get(url))["plan"]["id"] == plan.pk
    assert principal.post(f"{url}submit/", {}).status_code == 404


def test_list_filters(pw: Any) -> None:
    plan = submitted(pw)
    other = pw.open(colleague(pw))
    officer = api(pw.w.officer_a)
    rows = ok(officer.get(f"{BASE}plans/", {"status": "submitted"}))
    assert [r["id"] for r in rows] == [plan.pk]
    assert [r["id"] for r in ok(officer.get(f"{BASE}plans/", {"status": "draft"}))] == [other.pk]
    assert ok(officer.get(f"{BASE}plans/", {"unit": pw.w.school_a2.pk})) == []
    assert len(ok(officer.get(f"{BASE}plans/", {"unit": pw.w.school_a1.pk}))) == 2
    assert ok(officer.get(f"{BASE}plans/", {"year": pw.w.year.code}))
    assert officer.get(f"{BASE}plans/", {"year": "1990-1991"}).status_code == 404
    assert officer.get(f"{BASE}plans/", {"status": "nope"}).status_code == 400
    assert officer.get(f"{BASE}plans/", {"unit": "x"}).status_code == 400


# --- the principal ----------------------------------------------------------------------------


def test_bulk_approve_return_and_change_request(pw: Any) -> None:
    first = submitted(pw)
    second_user = colleague(pw)
    second = submitted(pw, second_user)
    third_user = colleague(pw, "GVA1Y")
    third = submitted(pw, third_user)
    principal = api(pw.w.principal_a1)
    # The teacher cannot approve (403), nor anyone outside (404 for what they cannot see).
    assert (
        api(pw.w.teacher_a1).post(f"{BASE}plans/approve/", {"plans": [first.pk]}).status_code == 403
    )
    assert (
        api(pw.w.principal_b1).post(f"{BASE}plans/approve/", {"plans": [first.pk]}).status_code
        == 404
    )
    assert principal.post(f"{BASE}plans/approve/", {"plans": []}).status_code == 400
    rows = ok(principal.post(f"{BASE}plans/approve/", {"plans": [first.pk, second.pk]}))
    assert [(r["id"], r["status"]) for r in rows] == [
        (first.pk, "approved"),
        (second.pk, "approved"),
    ]
    # Return one, saying why.
    url = f"{BASE}plans/{third.pk}/return/"
    assert principal.post(url, {}).json() == {"reason": [vi("This field is required.")]}
    returned = ok(principal.post(url, {"reason": "Bổ sung thời gian thực hiện"}))
    assert returned["plan"]["status"] == "returned"
    assert returned["plan"]["returned_reason"] == "Bổ sung thời gian thực hiện"
    # All or none: a plan that is not submitted says why; nothing is approved.
    refused = principal.post(f"{BASE}plans/approve/", {"plans": [third.pk]})
    assert refused.status_code == 400
    assert fresh(third).status == PlanStatus.RETURNED

    # The teacher asks to change the approved plan; the principal refuses, then accepts.
    teacher = api(pw.w.teacher_a1)
    asked = ok(teacher.post(f"{BASE}plans/{first.pk}/change-requests/", {"reason": "Đổi"}), 201)
    assert asked["status"] == "pending"
    decide = f"{BASE}change-requests/{asked['id']}/decide/"
    assert api(pw.w.principal_b1).post(decide, {"accept": True}).status_code == 404
    assert teacher.post(decide, {"accept": True}).status_code == 403
    no_note = principal.post(decide, {"accept": False})
    assert no_note.json() == {"non_field_errors": [vi("Say why the change is refused.")]}
    assert principal.post(decide, {}).json() == {"accept": [vi("This field is required.")]}
    decided = ok(principal.post(decide, {"accept": True, "note": "Đồng ý"}))
    assert decided["status"] == ChangeStatus.ACCEPTED
    detail = ok(teacher.get(f"{BASE}plans/{first.pk}/"))
    assert detail["plan"]["status"] == "draft"
    assert [c["status"] for c in detail["change_requests"]] == ["accepted"]


def test_deadlines(pw: Any) -> None:
    due = pw.w.year.end_date - dt.timedelta(days=60)
    body = {"unit": pw.w.school_a1.pk, "due": due.isoformat()}
    assert api(pw.w.teacher_a1).put(f"{BASE}deadlines/", body).status_code == 403
    assert api(pw.w.principal_b1).put(f"{BASE}deadlines/", body).status_code == 404
    answer = ok(api(pw.w.principal_a1).put(f"{BASE}deadlines/", body))
    assert answer == {"unit": pw.w.school_a1.pk, "school_year": pw.w.year.code, "due": str(due)}
    with system_scope():
        assert PlanDeadline.objects.get(unit=pw.w.school_a1).due == due
    # The principal of a school does not set the province's.
    province = {"unit": pw.w.province_a.pk, "due": due.isoformat()}
    assert api(pw.w.principal_a1).put(f"{BASE}deadlines/", province).status_code == 404
    late = {"unit": pw.w.province_a.pk, "due": "2099-01-01"}
    refused = api(pw.w.officer_a).put(f"{BASE}deadlines/", late)
    assert refused.json() == {
        "non_field_errors": [vi("The deadline must fall before the end of the school year.")]
    }
    plan = pw.open()
    assert ok(api(pw.w.teacher_a1).get(f"{BASE}plans/{plan.pk}/"))["due"] == str(due)


def test_the_schema_describes_the_plans_api(db: Any) -> None:
    schema = APIClient().get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/bdtx/")]
    assert len(paths) == 25  # 11 of the plans, 14 of the ledger, results and roll-ups
    assert "409" in schema["paths"]["/api/v1/bdtx/plans/{id}/"]["patch"]["responses"]


def test_a_content_in_a_draft_plan_is_not_removed(pw: Any) -> None:
    """The Sở removing a programme-02 content that drafts already hold: refused, not a 500."""
    pw.open()
    with system_scope(), pytest.raises(ValidationError) as refused:
        local_content_delete(actor=pw.w.officer_a, content=pw.p02)
    assert "SA-1" in refused.value.messages[0]
    with system_scope():
        assert ProgrammeContent.objects.filter(pk=pw.p02.pk).exists()
    page = pw.w.client_for(pw.w.officer_a)
    url = reverse("training_content_edit", args=[pw.p02.pk])
    answer = page.post(url, {"delete": "1"}, follow=True)
    assert answer.status_code == 200
    assert "không xóa được nữa" in answer.content.decode()
    with system_scope():
        assert ProgrammeContent.objects.filter(pk=pw.p02.pk).exists()
