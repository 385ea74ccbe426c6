"""Issue 9, items 7 and 8: the BM1 form guides the person, and principals finalise knowingly.

Through the service, the page and the API alike: the comments and plan section is required to
submit; evidence lands on the criterion of the card, checked against the framework; finalising
before the opinions deadline with no opinion asks for an explicit confirmation (configurable);
an answered poll says so at once.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle, Evaluation, EvidenceLink, Status
from opentemis.evaluations.tests.conftest import PLAN
from opentemis.evaluations.tests.test_api import api, url
from opentemis.evidence.models import Evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _get(pk: int) -> Evaluation:
    with system_scope():
        return Evaluation.objects.select_related("cycle").get(pk=pk)


def _post(levels: dict[str, str], **extra: str) -> dict[str, str]:
    return {**{f"level_{k}": v for k, v in levels.items()}, **extra}


def _warning(pk: int) -> str:
    with system_scope():
        return services.finalise_warning(Evaluation.objects.get(pk=pk))


def _opinions_open(ev) -> None:
    """Move the cycle's opinions deadline a week ahead of today."""
    today = timezone.localdate()
    with system_scope():
        Cycle.objects.filter(pk=ev.cycle.pk).update(
            self_due=today,
            opinions_due=today + dt.timedelta(days=7),
            review_due=today + dt.timedelta(days=14),
        )


# --- the comments and plan section is required to submit ---------------------------------


def test_submit_without_the_comments_and_plan_is_refused_naming_what_is_missing(ev):
    evaluation = ev.start()
    with system_scope(), pytest.raises(ValidationError) as refused:
        services.evaluation_submit(
            actor=ev.w.teacher_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
            texts={"strengths": "Yêu nghề", "improvements": "  "},
        )
    message = " ".join(refused.value.messages)
    assert "Những vấn đề cần cải thiện" in message  # blank is missing too
    assert "Kế hoạch học tập, bồi dưỡng: mục tiêu" in message
    assert "Điểm mạnh" not in message
    assert "Nhu cầu bồi dưỡng" in message
    assert _get(evaluation.pk).status == Status.DRAFT


def test_submit_takes_the_plan_saved_with_the_draft(ev):
    evaluation = ev.start()
    with system_scope():
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=1, texts=PLAN
        )
        services.evaluation_submit(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=2, levels=ev.levels("Kha")
        )
    assert _get(evaluation.pk).status == Status.SUBMITTED


def test_missing_levels_and_plan_are_said_at_once(ev):
    evaluation = ev.start()
    with system_scope(), pytest.raises(ValidationError) as refused:
        services.evaluation_submit(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=1, levels={"1": "Tot"}
        )
    assert len(refused.value.messages) == 2
    assert "2, 3, 4" in refused.value.messages[0]
    assert "Điểm mạnh" in refused.value.messages[1]


def test_api_submit_without_the_plan_is_400_and_stays_a_draft(ev):
    evaluation = ev.start()
    response = api(ev.w.teacher_a1).post(
        url(evaluation, "submit"), {"version": 1, "levels": ev.levels("Tot")}, format="json"
    )
    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert "Điểm mạnh" in message and "Nhu cầu bồi dưỡng" in message
    assert _get(evaluation.pk).status == Status.DRAFT


def test_page_highlights_missing_criteria_and_plan_fields_and_links_to_them(ev):
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    levels = {k: v for k, v in ev.levels("Tot").items() if int(k) <= 12}
    response = client.post(
        reverse("evaluation_self", args=[evaluation.pk]),
        _post(levels, version="1", action="submit", strengths="Yêu nghề"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    missing_cards = re.findall(r'<fieldset class="card criterion is-missing" id="c(\d+)"', body)
    assert missing_cards == ["13", "14", "15"]
    for name in ("improvements", "plan_goals", "plan_content"):
        assert f'href="#{name}"' in body
    assert 'href="#strengths"' not in body
    assert 'href="#c13"' in body
    # What was typed is still there, nothing was saved.
    assert "Yêu nghề" in body
    assert _get(evaluation.pk).status == Status.DRAFT


def test_key_criterion_badge_does_not_say_required(ev):
    evaluation = ev.start()
    body = (
        ev.w.client_for(ev.w.teacher_a1)
        .get(reverse("evaluation_self", args=[evaluation.pk]))
        .content.decode()
    )
    assert "tiêu chí then chốt" in body
    assert ">bắt buộc<" not in body
    assert "Các tiêu chí khác vẫn phải được đánh giá đầy đủ" in body  # the legend
    assert "Tiêu chí then chốt (3, 4, 5, 6, 7)" in body


# --- evidence in each criterion's card ------------------------------------------------------


def test_evidence_lands_on_the_criterion_of_its_card(ev, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    response = client.post(
        reverse("evaluation_evidence", args=[evaluation.pk]),
        {"criterion": "7", "title": "Giáo án", "file": SimpleUploadedFile("g.pdf", PDF)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="ev-box-7"' in body
    assert "Đã đính kèm vào tiêu chí 7" in body
    with system_scope():
        assert list(EvidenceLink.objects.values_list("criterion", flat=True)) == [7]


def test_a_criterion_outside_the_framework_stores_nothing(ev, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    response = client.post(
        reverse("evaluation_evidence", args=[evaluation.pk]),
        {"criterion": "16", "file": SimpleUploadedFile("g.pdf", PDF)},
    )
    assert response.status_code == 302
    with system_scope():
        assert not EvidenceLink.objects.exists()
        assert not Evidence.objects.exists()  # not even uploaded to the library
    page = client.get(reverse("evaluation_self", args=[evaluation.pk])).content.decode()
    assert "Tiêu chí 16 không" in page


def test_without_javascript_the_result_waits_in_the_card(ev, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    response = client.post(
        reverse("evaluation_evidence", args=[evaluation.pk]),
        {"criterion": "9", "url": "https://example.edu.vn/bai-giang"},
    )
    assert response.url.endswith("#c9")
    page = client.get(response.url).content.decode()
    result = re.search(r'<div id="ev-result-9"[^>]*>([^<]*)</div>', page)
    assert result and "Đã đính kèm vào tiêu chí 9" in result.group(1)
    assert '<div class="messages">' not in page  # not at the top, above the anchor


def test_api_refuses_a_criterion_outside_the_framework(ev):
    evaluation = ev.start()
    with system_scope():
        item = Evidence.objects.create(
            owner=ev.w.person_a1, kind="link", title="Giáo án", url="https://example.edu.vn/a"
        )
    response = api(ev.w.teacher_a1).post(
        url(evaluation, "evidence"), {"criterion": 16, "evidence": item.pk}
    )
    assert response.status_code == 400
    with system_scope():
        assert not EvidenceLink.objects.exists()


def test_upload_too_large_is_refused_beside_the_input(ev, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 10
    evaluation = ev.start()
    response = ev.w.client_for(ev.w.teacher_a1).post(
        reverse("evaluation_evidence", args=[evaluation.pk]),
        {"criterion": "3", "file": SimpleUploadedFile("g.pdf", PDF)},
        HTTP_HX_REQUEST="true",
    )
    box = response.content.decode()
    result = re.search(r'<div id="ev-result-3"[^>]*>([^<]*)</div>', box)
    assert result and "vượt quá giới hạn 10\xa0byte" in result.group(1)


@override_settings(EVIDENCE_MAX_BYTES=3 * 1024 * 1024)
def test_file_inputs_carry_the_servers_limit_and_messages(ev):
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    for page in (
        client.get(reverse("evaluation_self", args=[evaluation.pk])),
        client.get(reverse("evidence_library")),
    ):
        body = page.content.decode().replace("\xa0", " ")
        assert f'data-max-bytes="{3 * 1024 * 1024}"' in body
        assert "vượt quá giới hạn 3,0 MB" in body  # the server's message, for the browser
        assert "{size}" in body
        assert "tối đa 3,0 MB" in body  # the limit stated where files are chosen
        assert 'accept=".doc,.docx' in body


def test_library_upload_success_is_shown_in_the_upload_form(ev, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    response = ev.w.client_for(ev.w.teacher_a1).post(
        reverse("evidence_upload"),
        {"up-file": SimpleUploadedFile("g.pdf", PDF), "up-title": "Giáo án"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    result = re.search(r"<div data-upload-result[^>]*>([^<]*)</div>", body)
    assert result and "Giáo án" in result.group(1)


# --- principals finalise knowingly ----------------------------------------------------------


def test_finalising_before_the_opinions_deadline_without_opinions_needs_confirmation(ev):
    evaluation = ev.submitted()
    _opinions_open(ev)
    evaluation = _get(evaluation.pk)
    with system_scope():
        with pytest.raises(ValidationError) as refused:
            services.evaluation_finalise(
                actor=ev.w.principal_a1,
                evaluation=evaluation,
                version=evaluation.version,
                levels=ev.levels("Tot"),
            )
        assert "acknowledge_no_opinions" in refused.value.error_dict
        assert "hạn góp ý còn đến" in " ".join(refused.value.messages)
        assert Evaluation.objects.get(pk=evaluation.pk).status == Status.SUBMITTED
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
            acknowledge_no_opinions=True,
        )
    assert _get(evaluation.pk).status == Status.FINALISED


def test_no_warning_with_an_opinion_after_the_deadline_or_when_configured_off(ev, settings):
    evaluation = ev.submitted()
    # The fixture's deadlines (May 2026) have passed: no warning.
    assert _warning(evaluation.pk) == ""
    _opinions_open(ev)
    assert _warning(evaluation.pk)
    settings.EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS = False
    assert _warning(evaluation.pk) == ""
    settings.EVALUATION_CONFIRM_FINALISE_WITHOUT_OPINIONS = True
    with system_scope():
        services.opinion_give(actor=ev.colleague, evaluation=_get(evaluation.pk), level="Kha")
    assert _warning(evaluation.pk) == ""


def test_manager_without_poll_answers_is_warned_too(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    _opinions_open(ev)
    assert "phiếu lấy ý kiến" in _warning(evaluation.pk)


def test_review_page_warns_and_refuses_until_the_box_is_ticked(ev):
    evaluation = ev.submitted()
    _opinions_open(ev)
    client = ev.w.client_for(ev.w.principal_a1)
    review = reverse("evaluation_review", args=[evaluation.pk])
    page = client.get(review).content.decode()
    assert 'id="finalise-warning"' in page and 'name="acknowledge_no_opinions"' in page
    data = _post(ev.levels("Tot"), version=str(evaluation.version), action="finalise")
    refused = client.post(review, data)
    assert refused.status_code == 400
    assert re.search(
        r'class="alert alert-error" id="finalise-warning" role="alert"', refused.content.decode()
    )
    assert _get(evaluation.pk).status == Status.SUBMITTED
    done = client.post(review, {**data, "acknowledge_no_opinions": "1"})
    assert done.status_code == 302
    assert _get(evaluation.pk).status == Status.FINALISED


def test_api_finalise_answers_the_warning_and_accepts_the_flag(ev):
    evaluation = ev.submitted()
    _opinions_open(ev)
    principal = api(ev.w.principal_a1)
    body = {"version": evaluation.version, "levels": ev.levels("Tot")}
    refused = principal.post(url(evaluation, "finalise"), body, format="json")
    assert refused.status_code == 400
    (warning,) = refused.json()["acknowledge_no_opinions"]
    assert "đồng nghiệp" in warning
    assert _get(evaluation.pk).status == Status.SUBMITTED
    done = principal.post(
        url(evaluation, "finalise"), {**body, "acknowledge_no_opinions": True}, format="json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "finalised"


# --- the poll -------------------------------------------------------------------------------


def test_reopening_an_answered_poll_says_so_at_once(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    client = ev.w.client_for(ev.w.teacher_a1)
    poll = reverse("evaluation_poll", args=[evaluation.pk])
    first = client.get(poll).content.decode()
    assert "Hiệu trưởng" in first  # whom the poll is about, with their role
    assert first.count('name="level_') == 18 * 4
    data = _post(ev.levels("Kha", n=18), overall="Kha")
    assert client.post(poll, data).status_code == 302
    again = client.get(poll).content.decode()
    assert 'id="poll-answered"' in again
    assert 'name="level_1"' not in again
    # A second POST changes nothing.
    client.post(poll, data)
    with system_scope():
        assert services.poll_results(_get(evaluation.pk)).answers == 1


def test_a_file_refused_for_a_submitted_form_does_not_stay_in_the_library(ev, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    evaluation = ev.submitted()
    response = ev.w.client_for(ev.w.teacher_a1).post(
        reverse("evaluation_evidence", args=[evaluation.pk]),
        {"criterion": "3", "file": SimpleUploadedFile("g.pdf", PDF)},
        HTTP_HX_REQUEST="true",
    )
    assert "đã được nộp" in response.content.decode()
    with system_scope():
        assert not Evidence.objects.exists()
        assert not EvidenceLink.objects.exists()
