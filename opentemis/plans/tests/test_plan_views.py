"""The personal plan page and the approval pages, through their views (issue 12 items 2-3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.plans import services
from opentemis.plans.models import ChangeStatus, Plan, PlanDeadline, PlanItem, PlanStatus
from opentemis.training.models import Module, Programme
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _plan(pw: Any, user: Any = None) -> Plan:
    user = user or pw.w.teacher_a1
    with system_scope():
        return Plan.objects.get(person_id=user.person_id, school_year=pw.w.year)


def _items(plan: Plan, programme: str = "") -> list[PlanItem]:
    with system_scope():
        items = plan.items.select_related("module", "content").order_by("position", "id")
        return list(items.filter(programme=programme) if programme else items)


def _teacher(pw: Any, n: int) -> Any:
    person = PersonFactory(unit=pw.w.school_a1, staff_code=f"GVV{n}", full_name=f"Giáo Viên {n}")
    return make_user(f"gvv{n}", role="teacher", unit=pw.w.school_a1, person=person)


def _submitted(pw: Any, user: Any) -> Plan:
    plan = pw.ready(user)
    with system_scope():
        return services.plan_submit(actor=user, plan=plan)


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the teacher's plan -----------------------------------------------------------------------


def test_the_first_visit_shows_the_draft_with_suggestions_and_their_reasons(pw: Any) -> None:
    response = _client(pw.w.teacher_a1).get(reverse("plan_mine"))
    assert response.status_code == 200
    page = _text(response)
    suggested = _items(_plan(pw), Programme.P03)
    assert [i.module.code for i in suggested][:2] == ["GVPT 05", "GVPT 06"]
    for item in suggested:
        assert item.module.code in page and item.reason in page
    assert "Tiêu chí 6 ở mức Đạt" in page  # the reason, as the person reads it
    assert "Tiêu chí 5 ở mức Chưa đạt" in page
    assert pw.p01.title in page and pw.p02.title in page
    assert reverse("evaluation_detail", args=[pw.evaluation.pk]) in page  # where they came from
    assert 'id="plan-totals"' in page
    # Opening again makes no second plan.
    _client(pw.w.teacher_a1).get(reverse("plan_mine"))
    with system_scope():
        assert Plan.objects.filter(person=pw.w.person_a1).count() == 1


def test_editing_an_items_hours_in_place_updates_the_totals(pw: Any) -> None:
    client = _client(pw.w.teacher_a1)
    client.get(reverse("plan_mine"))
    plan = _plan(pw)
    item = _items(plan, Programme.P03)[0]
    prefix = f"i{item.pk}"
    data = {f"{prefix}-hours": "30", f"{prefix}-form": "ket_hop", f"{prefix}-starts": "2025-10-01"}
    response = client.post(reverse("plan_item_update", args=[item.pk]), data, headers=HTMX)
    assert response.status_code == 200
    page = _text(response)
    assert f'id="item-status-{item.pk}"' in page
    assert 'id="plan-totals"' in page and 'hx-swap-oob="true"' in page
    planned = sum(i.hours for i in _items(plan, Programme.P03))
    assert planned != 40
    assert f'plan-total-figure">{planned}/40<' in page
    plan.refresh_from_db()
    assert f'id="plan-version" value="{plan.version}"' in page
    item.refresh_from_db()
    assert (item.hours, item.form, str(item.starts)) == (30, "ket_hop", "2025-10-01")


def test_a_wrong_item_value_is_refused_and_what_was_typed_stays(pw: Any) -> None:
    client = _client(pw.w.teacher_a1)
    client.get(reverse("plan_mine"))
    item = _items(_plan(pw), Programme.P03)[0]
    prefix = f"i{item.pk}"
    data = {
        f"{prefix}-hours": "12",
        f"{prefix}-form": "tu_xa",
        f"{prefix}-starts": "2026-03-01",
        f"{prefix}-ends": "2026-01-01",
        f"{prefix}-objectives": "Điều tôi đã gõ",
    }
    answer = client.post(reverse("plan_item_update", args=[item.pk]), data, headers=HTMX)
    assert answer.status_code == 422
    assert "alert-error" in _text(answer)
    # Without HTMX: the whole page again, the typed values in the form.
    page = client.post(reverse("plan_item_update", args=[item.pk]), data)
    assert page.status_code == 422
    assert "Điều tôi đã gõ" in _text(page) and 'value="2026-03-01"' in _text(page)
    before = item.hours
    item.refresh_from_db()
    assert item.hours == before


def test_adding_and_removing_items(pw: Any) -> None:
    client = _client(pw.w.teacher_a1)
    page = _text(client.get(reverse("plan_mine")))
    plan = _plan(pw)
    with system_scope():
        module = Module.objects.get(catalogue_id=plan.catalogue_id, code="GVPT 09")
    assert f'<option value="{module.pk}">GVPT 09' in page
    assert "tiêu chí 9" in page  # the criteria each module develops
    response = client.post(reverse("plan_item_add", args=[plan.pk]), {"module": module.pk})
    assert response.status_code == 302
    assert module.pk in [i.module_id for i in _items(plan)]
    page = _text(client.get(reverse("plan_mine")))
    assert f'<option value="{module.pk}">' not in page  # no longer offered
    first = _items(plan, Programme.P03)[0]
    client.post(reverse("plan_item_remove", args=[first.pk]))
    assert first.pk not in [i.pk for i in _items(plan)]


def test_a_refused_submission_lists_every_reason_and_keeps_the_text(pw: Any) -> None:
    client = _client(pw.w.teacher_a1)
    client.get(reverse("plan_mine"))
    plan = _plan(pw)
    item = _items(plan, Programme.P03)[0]
    with system_scope():
        services.item_update(actor=pw.w.teacher_a1, item=item, fields={"hours": 1})
    plan.refresh_from_db()
    data = {
        "version": plan.version,
        "objectives": "Nâng cao năng lực đánh giá",
        "outputs": "",
        "action": "submit",
    }
    response = client.post(reverse("plan_save", args=[plan.pk]), data)
    assert response.status_code == 422
    page = _text(response)
    assert 'id="submit-problems"' in page
    assert "sản phẩm" in page.lower()  # the outputs are missing
    assert "03" in page.split('id="submit-problems"')[1].split("</div>")[0]  # and periods
    assert "Nâng cao năng lực đánh giá" in page  # nothing typed is lost
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.objectives == "Nâng cao năng lực đánh giá"
    with system_scope():
        services.item_update(actor=pw.w.teacher_a1, item=item, fields={"hours": 30})
    plan.refresh_from_db()
    data.update(version=plan.version, outputs="Bộ đề kiểm tra")
    response = client.post(reverse("plan_save", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # A double click submits once; the page is read-only now.
    again = client.post(reverse("plan_save", args=[plan.pk]), data)
    assert again.status_code == 302
    page = _text(client.get(reverse("plan_mine")))
    assert "plan_item_update" not in page and 'name="action"' not in page


def test_a_stale_version_is_a_409_with_both_texts(pw: Any) -> None:
    client = _client(pw.w.teacher_a1)
    client.get(reverse("plan_mine"))
    plan = _plan(pw)
    stale = plan.version
    with system_scope():
        services.plan_update(
            actor=pw.w.teacher_a1, plan=plan, version=stale, objectives="Bản khác", outputs=""
        )
    data = {"version": stale, "objectives": "Bản của tôi", "outputs": "", "action": "save"}
    response = client.post(reverse("plan_save", args=[plan.pk]), data)
    assert response.status_code == 409
    page = _text(response)
    assert 'id="conflict"' in page and "Bản khác" in page and "Bản của tôi" in page


def test_an_approved_plan_is_read_only_with_a_change_request(pw: Any) -> None:
    plan = _submitted(pw, pw.w.teacher_a1)
    with system_scope():
        services.plans_approve(actor=pw.w.principal_a1, plans=[plan])
    client = _client(pw.w.teacher_a1)
    page = _text(client.get(reverse("plan_mine")))
    assert reverse("plan_change_request", args=[plan.pk]) in page
    assert 'name="action"' not in page
    refused = client.post(reverse("plan_change_request", args=[plan.pk]), {"reason": " "})
    assert refused.status_code == 422
    client.post(reverse("plan_change_request", args=[plan.pk]), {"reason": "Đổi mô-đun 5"})
    page = _text(client.get(reverse("plan_mine")))
    assert "Đổi mô-đun 5" in page
    assert reverse("plan_change_request", args=[plan.pk]) not in page  # one pending at a time
    # The principal refuses it (a reason is required), the teacher sees the decision.
    principal = _client(pw.w.principal_a1)
    with system_scope():
        change = plan.change_requests.get()
    url = reverse("plan_change_decide", args=[change.pk])
    assert principal.post(url, {"decision": "refuse", "note": ""}).status_code == 422
    principal.post(url, {"decision": "refuse", "note": "Đã hết hạn điều chỉnh"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.REFUSED
    assert "Đã hết hạn điều chỉnh" in _text(client.get(reverse("plan_mine")))


# --- the principal ------------------------------------------------------------------------------


def test_the_principal_sees_everyone_and_approves_three_at_once(pw: Any) -> None:
    users = [pw.w.teacher_a1, _teacher(pw, 1), _teacher(pw, 2)]
    plans = [_submitted(pw, u) for u in users]
    draft_user = _teacher(pw, 3)
    pw.open(draft_user)
    _teacher(pw, 4)  # has not opened their plan
    client = _client(pw.w.principal_a1)
    page = _text(client.get(reverse("plan_approvals")))
    assert pw.w.school_a1.name in page
    assert 'data-status="submitted">(3)' in page and 'data-status="draft">(1)' in page
    assert "Giáo Viên 4" in page
    assert re.search(r'data-status="missing">\((\d+)\)', page)
    only = _text(client.get(reverse("plan_approvals"), {"status": "submitted"}))
    assert "Giáo Viên 3" not in only and "Giáo Viên 1" in only
    response = client.post(
        reverse("plan_approvals") + f"?unit={pw.w.school_a1.pk}", {"plans": [p.pk for p in plans]}
    )
    assert response.status_code == 302
    for plan in plans:
        plan.refresh_from_db()
        assert plan.status == PlanStatus.APPROVED


def test_approving_a_plan_that_is_not_submitted_approves_none_and_says_why(pw: Any) -> None:
    submitted = _submitted(pw, pw.w.teacher_a1)
    draft = pw.open(_teacher(pw, 5))
    response = _client(pw.w.principal_a1).post(
        reverse("plan_approvals"), {"plans": [submitted.pk, draft.pk]}
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Giáo Viên 5" in page.split('id="approve-errors"')[1]
    assert f'value="{submitted.pk}" id="pick-{submitted.pk}"' in page and "checked" in page
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.SUBMITTED


def test_the_principal_returns_a_plan_with_a_reason(pw: Any) -> None:
    plan = _submitted(pw, pw.w.teacher_a1)
    client = _client(pw.w.principal_a1)
    page = _text(client.get(reverse("plan_review", args=[plan.pk])))
    assert reverse("plan_approve", args=[plan.pk]) in page
    assert "plan_item_update" not in page and "GVPT 05" in page
    url = reverse("plan_return", args=[plan.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 422
    assert client.post(url, {"reason": "Thiếu thời gian cụ thể"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.returned_reason) == (PlanStatus.RETURNED, "Thiếu thời gian cụ thể")
    page = _text(_client(pw.w.teacher_a1).get(reverse("plan_mine")))
    assert "Thiếu thời gian cụ thể" in page and 'name="action"' in page  # editable again


def test_another_schools_principal_gets_404(pw: Any) -> None:
    plan = _submitted(pw, pw.w.teacher_a1)
    client = _client(pw.w.principal_b1)
    assert client.get(reverse("plan_review", args=[plan.pk])).status_code == 404
    assert client.post(reverse("plan_approve", args=[plan.pk])).status_code == 404
    unit = f"?unit={pw.w.school_a1.pk}"
    assert client.get(reverse("plan_approvals") + unit).status_code == 404
    assert client.post(reverse("plan_approvals") + unit, {"plans": [plan.pk]}).status_code == 404
    # Naming another school's plan from one's own page: 404 too, nothing approved.
    own = f"?unit={pw.w.school_b1.pk}"
    assert client.post(reverse("plan_approvals") + own, {"plans": [plan.pk]}).status_code == 404
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_viewer_sees_the_plans_without_buttons(pw: Any) -> None:
    plan = _submitted(pw, pw.w.teacher_a1)
    viewer = make_user("viewer_a1", role="viewer", unit=pw.w.school_a1)
    client = _client(viewer)
    page = _text(client.get(reverse("plan_approvals") + f"?unit={pw.w.school_a1.pk}"))
    assert pw.w.person_a1.full_name in page
    assert 'name="plans"' not in page and reverse("plan_deadline") not in page
    page = _text(client.get(reverse("plan_review", args=[plan.pk])))
    assert "GVPT 05" in page
    assert reverse("plan_approve", args=[plan.pk]) not in page
    assert reverse("plan_return", args=[plan.pk]) not in page
    assert client.post(reverse("plan_approve", args=[plan.pk])).status_code == 403


def test_an_officer_picks_a_school_and_sets_the_deadline(pw: Any) -> None:
    client = _client(pw.w.officer_a)
    page = _text(client.get(reverse("plan_approvals") + f"?unit={pw.w.school_a1.pk}"))
    assert pw.w.person_a1.full_name in page
    assert f'<option value="{pw.w.school_a2.pk}"' in page  # another school of the province
    url = reverse("plan_deadline") + f"?unit={pw.w.province_a.pk}"
    assert client.post(url, {"due": "not a date"}).status_code == 422
    assert client.post(url, {"due": "2026-05-20"}).status_code == 302
    with system_scope():
        assert PlanDeadline.objects.get(unit=pw.w.province_a).due.isoformat() == "2026-05-20"
    page = _text(_client(pw.w.teacher_a1).get(reverse("plan_mine")))
    assert "20/05/2026" in page


def test_someone_without_a_staff_record_is_told_so(pw: Any) -> None:
    response = _client(pw.w.officer_a).get(reverse("plan_mine"))
    assert response.status_code == 200
    assert "plan-totals" not in _text(response)
