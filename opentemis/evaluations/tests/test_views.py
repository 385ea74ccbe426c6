"""The workflow through the pages: BM1 with autosave, submit, opinions, review, result."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation, Status
from opentemis.evaluations.tests.conftest import PLAN

pytestmark = pytest.mark.django_db


def _levels_post(levels: dict[str, str], **extra: str) -> dict[str, str]:
    data = {f"level_{k}": v for k, v in levels.items()}
    data.update(extra)
    return data


def _get(pk: int) -> Evaluation:
    with system_scope():
        return Evaluation.objects.get(pk=pk)


def test_teacher_starts_fills_and_submits_bm1(ev):
    client = ev.w.client_for(ev.w.teacher_a1)
    home = client.get(reverse("evaluation_home"))
    assert "Đánh giá chuẩn 2025-2026" in home.content.decode()
    response = client.post(reverse("evaluation_me"))
    with system_scope():
        evaluation = Evaluation.objects.get(person=ev.w.person_a1)
    assert response.url == reverse("evaluation_self", args=[evaluation.pk])
    page = client.get(response.url)
    body = page.content.decode()
    assert "Đạo đức nhà giáo" in body  # criterion 1 of TT 20
    assert 'name="level_15"' in body
    autosave = client.post(
        reverse("evaluation_autosave", args=[evaluation.pk]),
        _levels_post({"1": "Tot"}, version="1", strengths="Yêu nghề"),
        HTTP_HX_REQUEST="true",
    )
    assert autosave.status_code == 200
    assert 'value="2"' in autosave.content.decode()  # the new version goes back to the form
    assert _get(evaluation.pk).strengths == "Yêu nghề"
    levels = ev.levels("Tot", c4="Kha")
    submitted = client.post(
        reverse("evaluation_self", args=[evaluation.pk]),
        _levels_post(levels, version="2", action="submit", **{**PLAN, "strengths": "Yêu nghề"}),
    )
    assert submitted.status_code == 302
    stored = _get(evaluation.pk)
    assert stored.status == Status.SUBMITTED
    assert stored.self_rating == "Kha"  # criterion 4 (key) at Khá keeps it from Tốt
    detail = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "tiêu chí 4" in detail.lower() or "criterion 4" in detail.lower()


def test_stale_bm1_save_shows_the_other_changes_and_keeps_the_draft(ev):
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    url = reverse("evaluation_self", args=[evaluation.pk])
    client.post(url, _levels_post({"1": "Tot"}, version="1"))
    response = client.post(url, _levels_post({"1": "Dat"}, version="1"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "self_levels[1]" in body
    assert _get(evaluation.pk).self_levels == {"1": "Tot"}
    assert 'name="version" id="version" value="2"' in body


def test_submit_when_the_database_is_down_keeps_the_draft_and_the_typing(ev):
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    with mock.patch.object(services, "evaluation_submit", side_effect=OperationalError("down")):
        response = client.post(
            reverse("evaluation_self", args=[evaluation.pk]),
            _levels_post(ev.levels("Tot"), version="1", action="submit", strengths="Chữ đã gõ"),
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"  # the same 503 as everywhere (core.unavailable)
    assert "Chữ đã gõ" in response.content.decode()
    stored = _get(evaluation.pk)
    assert stored.status == Status.DRAFT
    assert stored.self_levels == {}


def test_principal_reviews_with_live_explanation_and_finalises(ev):
    evaluation = ev.submitted()
    client = ev.w.client_for(ev.w.principal_a1)
    roster = client.get(reverse("evaluation_school", args=[ev.w.school_a1.pk]))
    assert ev.w.person_a1.full_name in roster.content.decode()
    page = client.get(reverse("evaluation_review", args=[evaluation.pk]))
    assert page.status_code == 200
    preview = client.post(
        reverse("evaluation_preview", args=[evaluation.pk]),
        _levels_post(ev.levels("Tot", c3="Kha")),
    )
    assert "3" in preview.content.decode() and "Tốt" in preview.content.decode()
    done = client.post(
        reverse("evaluation_review", args=[evaluation.pk]),
        _levels_post(ev.levels("Tot"), version=str(evaluation.version), action="finalise"),
    )
    assert done.status_code == 302
    stored = _get(evaluation.pk)
    assert stored.status == Status.FINALISED and stored.final_rating == "Tot"
    # The teacher sees the explained result and acknowledges it.
    teacher = ev.w.client_for(ev.w.teacher_a1)
    detail = teacher.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "Tốt" in detail
    teacher.post(reverse("evaluation_acknowledge", args=[evaluation.pk]))
    assert _get(evaluation.pk).status == Status.ACKNOWLEDGED


def test_return_for_revision_reaches_the_teacher(ev):
    evaluation = ev.submitted()
    client = ev.w.client_for(ev.w.principal_a1)
    client.post(
        reverse("evaluation_review", args=[evaluation.pk]),
        {"version": str(evaluation.version), "action": "return", "reason": "Thiếu minh chứng"},
    )
    assert _get(evaluation.pk).status == Status.RETURNED
    page = ev.w.client_for(ev.w.teacher_a1).get(reverse("evaluation_self", args=[evaluation.pk]))
    assert "Thiếu minh chứng" in page.content.decode()


@pytest.mark.parametrize("name", ["evaluation_detail", "evaluation_review", "evaluation_self"])
def test_other_province_principal_gets_404(ev, name):
    evaluation = ev.submitted()
    response = ev.w.client_for(ev.w.principal_b1).get(reverse(name, args=[evaluation.pk]))
    assert response.status_code == 404


def test_colleague_cannot_open_the_review_or_the_self_form(ev):
    evaluation = ev.submitted()
    client = ev.w.client_for(ev.colleague)
    assert client.get(reverse("evaluation_review", args=[evaluation.pk])).status_code == 404
    assert client.get(reverse("evaluation_self", args=[evaluation.pk])).status_code == 404


def test_colleague_gives_an_opinion_and_the_leader_sees_the_summary(ev):
    evaluation = ev.submitted()
    client = ev.w.client_for(ev.colleague)
    page = client.get(reverse("group_opinions"))
    assert ev.w.person_a1.full_name in page.content.decode()
    client.post(
        reverse("group_opinions"), {"evaluation": evaluation.pk, "level": "Tot", "comment": "Tốt"}
    )
    with system_scope():
        assert evaluation.opinions.get().level == "Tot"
    summary = ev.w.client_for(ev.leader).get(reverse("group_opinions")).content.decode()
    assert "BM3" in summary


def test_officer_sees_live_completion_and_reopens(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Kha"),
        )
    client = ev.w.client_for(ev.w.officer_a)
    page = client.get(reverse("cycle_detail", args=[ev.cycle.pk]))
    assert page.status_code == 200
    rows = page.context["rows"]
    commune = next(r for r in rows if r.unit.pk == ev.w.commune_a.pk)
    # school A1: teacher, colleague, leader, principal; school A2: one teacher.
    assert (commune.to_evaluate, commune.self_evaluated, commune.finalised) == (5, 1, 1)
    client.post(reverse("evaluation_reopen", args=[evaluation.pk]), {"reason": "Sai sót"})
    assert _get(evaluation.pk).status == Status.SUBMITTED


def test_other_province_officer_cannot_see_the_cycle_completion(ev):
    other = ev.w.client_for(ev.w.principal_b1)
    assert other.get(reverse("cycle_detail", args=[ev.cycle.pk])).status_code == 404


def test_staff_answer_the_principal_poll_anonymously(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    client = ev.w.client_for(ev.w.teacher_a1)
    home = client.get(reverse("evaluation_home")).content.decode()
    assert reverse("evaluation_poll", args=[evaluation.pk]) in home
    data = _levels_post(ev.levels("Kha", n=18), overall="Kha")
    assert client.post(reverse("evaluation_poll", args=[evaluation.pk]), data).status_code == 302
    # the principal themself cannot open the poll
    principal = ev.w.client_for(ev.w.principal_a1)
    assert principal.get(reverse("evaluation_poll", args=[evaluation.pk])).status_code == 404


def test_officer_opens_a_cycle_from_the_page(world):
    from opentemis.standards.services import load_builtin_frameworks

    load_builtin_frameworks()
    client = world.client_for(world.officer_a)
    response = client.post(
        reverse("cycle_new"),
        {
            "unit": world.province_a.pk,
            "name": "Chu kỳ 2025-2026",
            "self_due": "2026-05-15",
            "opinions_due": "2026-05-20",
            "review_due": "2026-05-31",
        },
    )
    assert response.status_code == 302
    teacher = world.client_for(world.teacher_a1)
    assert "Chu kỳ 2025-2026" in teacher.get(reverse("evaluation_home")).content.decode()
    assert world.client_for(world.teacher_a1).get(reverse("cycle_new")).status_code == 404
