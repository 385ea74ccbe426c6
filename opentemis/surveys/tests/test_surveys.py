"""The satisfaction survey: items from data (8 aspects, 1-10), the 5 % rule; one final answer
per learner; progress reported; pages and API. Anonymity and withholding: test_anonymity.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress, CourseStatus
from opentemis.surveys import items, services, transfer
from opentemis.surveys.demo import demo_survey
from opentemis.surveys.models import SurveyAnswer, SurveyReceipt
from tests.factories import PersonFactory, make_user
from tests.learning_world import make_course


def _all(value: int) -> dict[str, int]:
    return {item.code: value for item in items.get(items.default_version()).items}


def test_item_set_from_data() -> None:
    item_set = items.get(items.default_version())
    assert [i.aspect for i in item_set.items] == [
        "Mục tiêu",
        "Nội dung mô-đun",
        "Phương pháp bồi dưỡng",
        "Đánh giá kết quả",
        "Học liệu",
        "Công tác tổ chức",
        "Báo cáo viên/giảng viên",
        "Tác động của mô-đun",
    ]
    assert (item_set.scale_min, item_set.scale_max) == (1, 10)
    assert "TT 10/2017" in item_set.scale_source and item_set.to_verify
    assert item_set.min_group >= 5
    # bands [0,2) [2,4) [4,6) [6,8) [8,10]
    assert item_set.band(Decimal("1.99")) == "Rất thấp"
    assert item_set.band(Decimal("2")) == "Thấp"
    assert item_set.band(Decimal("7.99")) == "Cao"
    assert item_set.band(Decimal("8")) == "Rất cao"
    assert item_set.band(Decimal("10")) == "Rất cao"


def test_the_five_percent_rule() -> None:
    item_set = items.get(items.default_version())
    answers = _all(8)
    assert item_set.clean(answers) == answers
    one_missing = dict(answers)
    del one_missing["tac_dong"]  # 1 of 8 = 12.5 % > 5 %: invalid
    with pytest.raises(ValidationError, match="5 %"):
        item_set.clean(one_missing)
    with pytest.raises(ValidationError):
        item_set.clean({**answers, "muc_tieu": 11})
    with pytest.raises(ValidationError):
        item_set.clean({**answers, "muc_tieu": "7.5"})
    with pytest.raises(ValidationError):
        item_set.clean({**answers, "muc_tieu": 0})
    with pytest.raises(ValidationError):
        item_set.clean(["8"] * 8)
    # unknown keys are ignored, strings of digits accepted (a form posts text)
    assert item_set.clean({**{k: str(v) for k, v in answers.items()}, "x": 3}) == answers


def test_one_final_answer_that_counts_for_completion(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        assert survey.item_set == items.default_version()
        with pytest.raises(ValidationError):  # refused: nothing stored, nothing counted
            services.answer_submit(
                actor=world.teacher_a1, survey=survey, enrolment=lw.enrolment, answers={}
            )
        assert not SurveyReceipt.objects.exists() and not SurveyAnswer.objects.exists()
        receipt = services.answer_submit(
            actor=world.teacher_a1, survey=survey, enrolment=lw.enrolment, answers=_all(7)
        )
        assert receipt.enrolment == lw.enrolment
        progress = ActivityProgress.objects.get(enrolment=lw.enrolment, activity=activity)
        assert progress.state == "complete"
        with pytest.raises(ValidationError, match="đã trả lời"):
            services.answer_submit(
                actor=world.teacher_a1,
                survey=survey,
                enrolment=lw.enrolment,
                answers=_all(9),
                comment="Tốt",
            )
        assert SurveyReceipt.objects.count() == 1
        answer = SurveyAnswer.objects.get()
        assert answer.answers["muc_tieu"] == 7 and answer.comment == ""
        lw.course.status = CourseStatus.CLOSED
        lw.course.save()
        activity.course = lw.course
        survey.activity = activity
        with pytest.raises(ValidationError, match="Khóa học đã kết thúc"):
            services.answer_submit(
                actor=world.teacher_a1, survey=survey, enrolment=lw.enrolment, answers=_all(5)
            )


def test_pages_and_api_end_to_end(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    learner = Client()
    learner.force_login(world.teacher_a1)
    url = reverse("survey_take", args=[activity.pk])
    page = learner.get(url).content.decode()
    assert "Mục tiêu" in page and page.count('type="radio"') == 80
    assert 'name="confirm"' in page and "không thể thay đổi" in page
    full = {k: "8" for k in _all(8)}
    partial = {code: "8" for code in list(_all(8))[:7]}
    assert learner.post(url, {**partial, "confirm": "1"}).status_code == 400
    unconfirmed = learner.post(url, {**full, "comment": "x"})
    assert unconfirmed.status_code == 400 and "xác nhận" in unconfirmed.content.decode()
    with system_scope():
        assert not SurveyReceipt.objects.exists() and not SurveyAnswer.objects.exists()
    ok = learner.post(url, {**full, "comment": "x", "confirm": "1"})
    assert ok.status_code == 302
    after = learner.get(url).content.decode()
    assert 'type="radio"' not in after and "Thầy/cô đã trả lời" in after
    again = learner.post(url, {**full, "confirm": "1"})
    assert again.status_code == 400 and "đã trả lời khảo sát này" in again.content.decode()
    api = reverse("api:learn-survey-submit", args=[activity.pk])
    refused = learner.post(
        api, {"answers": _all(10), "confirm": True}, content_type="application/json"
    )
    assert refused.status_code == 400 and "đã trả lời" in str(refused.json())
    with system_scope():
        assert SurveyReceipt.objects.count() == 1
        assert SurveyAnswer.objects.get().answers["muc_tieu"] == 8
    # the API, for another learner: confirm required, then once
    other = make_user(
        "other_learner",
        role="teacher",
        unit=world.school_a1,
        person=PersonFactory(unit=world.school_a1),
    )
    lw.enrol(other.person)
    learner.force_login(other)
    no_confirm = learner.post(api, {"answers": _all(10)}, content_type="application/json")
    assert no_confirm.status_code == 400
    bad = learner.post(
        api, {"answers": {"muc_tieu": 10}, "confirm": True}, content_type="application/json"
    )
    assert bad.status_code == 400
    answer = learner.post(
        api, {"answers": _all(10), "confirm": True}, content_type="application/json"
    )
    assert answer.status_code == 200 and set(answer.json()) == {"item_set", "submitted_at"}
    with system_scope():
        assert SurveyReceipt.objects.count() == 2 and SurveyAnswer.objects.count() == 2
    # another teacher, not enrolled: 404
    stranger = make_user(
        "stranger", role="teacher", unit=world.school_a1, person=PersonFactory(unit=world.school_a1)
    )
    learner.force_login(stranger)
    assert learner.get(url).status_code == 404
    assert (
        learner.post(
            api, {"answers": _all(10), "confirm": True}, content_type="application/json"
        ).status_code
        == 404
    )
    assert learner.get(reverse("survey_results", args=[activity.pk])).status_code == 404


def test_demo_and_transfer(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        for i in range(6):
            lw.enrol(PersonFactory(unit=world.school_a1, staff_code=f"D{i}"))
    assert demo_survey(activity=activity, share=1.0) == 7
    assert demo_survey(activity=activity, share=1.0) == 0  # answered: skipped
    with system_scope():
        assert SurveyAnswer.objects.count() == 7
        data, files = transfer.export_survey(activity)
        assert data == {"item_set": items.default_version()} and files == {}
        other = lw.activity("survey", "Bản sao")
        transfer.import_survey(other, {"item_set": "nope"}, {})
        assert services.survey_for(other).item_set == items.default_version()
