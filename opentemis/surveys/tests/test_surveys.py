"""The satisfaction survey: items from data (8 aspects, 1-10), the 5 % rule, one response per
learner, progress reported, anonymous results with the minimum group of 5, pages and API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress, CourseStatus
from opentemis.surveys import items, selectors, services, transfer
from opentemis.surveys.demo import demo_survey
from opentemis.surveys.models import SurveyResponse
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


def test_submit_is_idempotent_and_reports_complete(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        assert survey.item_set == items.default_version()
        services.response_submit(
            actor=world.teacher_a1, survey=survey, enrolment=lw.enrolment, answers=_all(7)
        )
        services.response_submit(
            actor=world.teacher_a1,
            survey=survey,
            enrolment=lw.enrolment,
            answers=_all(9),
            comment="Tốt",
        )
        rows = SurveyResponse.objects.filter(survey=survey)
        assert rows.count() == 1 and rows.get().answers["muc_tieu"] == 9
        progress = ActivityProgress.objects.get(enrolment=lw.enrolment, activity=activity)
        assert progress.state == "complete"
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=world.teacher_a1, survey=survey, enrolment=lw.enrolment, answers={}
            )
        assert rows.get().answers["muc_tieu"] == 9  # a refused form changes nothing
        lw.course.status = CourseStatus.CLOSED
        lw.course.save()
        activity.course = lw.course
        survey.activity = activity
        with pytest.raises(ValidationError, match="Khóa học đã kết thúc"):
            services.response_submit(
                actor=world.teacher_a1, survey=survey, enrolment=lw.enrolment, answers=_all(5)
            )


def test_suppression_by_hand() -> None:
    assert selectors.suppress({"a": 5, "b": 7}, 5) == set()
    assert selectors.suppress({"a": 4, "b": 7, "c": 9}, 5) == {"a", "b"}  # complementary
    assert selectors.suppress({"a": 4, "b": 3, "c": 9}, 5) == {"a", "b"}
    assert selectors.suppress({"a": 4}, 5) == {"a"}


def _learners(world: Any, lw: Any, unit: Any, n: int, prefix: str) -> list[Any]:
    with system_scope():
        return [
            lw.enrol(PersonFactory(unit=unit, full_name=f"{prefix} {i}", staff_code=f"{prefix}{i}"))
            for i in range(n)
        ]


def test_results_hide_groups_under_five(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    commune_b = None
    with system_scope():
        from tests.factories import make_unit

        commune_b = make_unit("Xã Hòa Bình", parent=world.province_a, kind="commune", code="SA-X2")
        school_b = make_unit(
            "Trường Tiểu học Hòa Bình", parent=commune_b, kind="school", code="SA-TH9"
        )
        survey = services.survey_for(activity)
        in_a = _learners(world, lw, world.school_a1, 5, "A")
        in_b = _learners(world, lw, school_b, 4, "B")
        for enrolment in in_a:
            services.response_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(9), comment="Hay"
            )
        for enrolment in in_b:
            services.response_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(3), comment="Bí mật B"
            )
        data = selectors.results(survey, world.officer_a)
    assert data.total.shown and data.total.count == 9
    # 5 answers of 9 and 4 of 3: (45 + 12) / 9 = 6.33
    assert data.total.index == Decimal("6.33") and data.total.band == "Cao"
    groups = {g.name: g for g in data.groups}
    # commune B has 4: hidden; commune A, alone shown, would give B away by subtraction: hidden
    assert not groups["Xã Hòa Bình"].shown and not groups["Xã Hòa Bình"].aspects
    assert not groups["Xã Hòa An"].shown
    assert data.total.comments == []
    client = Client()
    client.force_login(world.officer_a)
    page = client.get(reverse("survey_results", args=[activity.pk])).content.decode()
    assert "Bí mật B" not in page
    assert "6,33" in page or "6.33" in page
    api = client.get(reverse("api:learn-survey-results", args=[activity.pk])).json()
    assert api["total"]["count"] == 9
    assert all(not g["shown"] and g["count"] is None for g in api["groups"])
    # one more in commune B: both groups of 5 shown, with their comments
    with system_scope():
        extra = _learners(world, lw, school_b, 1, "C")[0]
        services.response_submit(
            actor=None, survey=survey, enrolment=extra, answers=_all(3), comment="Bí mật B"
        )
        data = selectors.results(survey, world.officer_a)
    groups = {g.name: g for g in data.groups}
    assert groups["Xã Hòa Bình"].shown and groups["Xã Hòa Bình"].index == Decimal("3.00")
    assert groups["Xã Hòa Bình"].band == "Thấp" and "Bí mật B" in groups["Xã Hòa Bình"].comments


def test_a_reader_sees_only_their_subtree(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        for enrolment in _learners(world, lw, world.school_a1, 6, "A"):
            services.response_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(9)
            )
        for enrolment in _learners(world, lw, world.school_a2, 2, "B"):
            services.response_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(2)
            )
    principal_a2 = make_user("principal_a2", role="principal", unit=world.school_a2)
    client = Client()
    client.force_login(principal_a2)
    api = client.get(reverse("api:learn-survey-results", args=[activity.pk])).json()
    assert api["total"]["shown"] is False and api["total"]["count"] is None  # 2 < 5
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    client.force_login(officer_b)
    assert client.get(reverse("survey_results", args=[activity.pk])).status_code == 404
    assert client.get(reverse("api:learn-survey-results", args=[activity.pk])).status_code == 404


def test_pages_and_api_end_to_end(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    learner = Client()
    learner.force_login(world.teacher_a1)
    page = learner.get(reverse("survey_take", args=[activity.pk]))
    assert page.status_code == 200 and "Mục tiêu" in page.content.decode()
    assert page.content.decode().count('type="radio"') == 80
    partial = {code: "8" for code in list(_all(8))[:7]}
    refused = learner.post(reverse("survey_take", args=[activity.pk]), partial)
    assert refused.status_code == 400
    with system_scope():
        assert not SurveyResponse.objects.exists()
    ok = learner.post(
        reverse("survey_take", args=[activity.pk]), {**{k: "8" for k in _all(8)}, "comment": "x"}
    )
    assert ok.status_code == 302
    answer = learner.post(
        reverse("api:learn-survey-submit", args=[activity.pk]),
        {"answers": _all(10)},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["answers"]["muc_tieu"] == 10
    bad = learner.post(
        reverse("api:learn-survey-submit", args=[activity.pk]),
        {"answers": {"muc_tieu": 10}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    with system_scope():
        assert SurveyResponse.objects.get().answers["muc_tieu"] == 10
    # another teacher, not enrolled: 404
    stranger = make_user(
        "stranger", role="teacher", unit=world.school_a1, person=PersonFactory(unit=world.school_a1)
    )
    learner.force_login(stranger)
    assert learner.get(reverse("survey_take", args=[activity.pk])).status_code == 404
    assert (
        learner.post(
            reverse("api:learn-survey-submit", args=[activity.pk]),
            {"answers": _all(10)},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert learner.get(reverse("survey_results", args=[activity.pk])).status_code == 404


def test_demo_and_transfer(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    _learners(world, lw, world.school_a1, 6, "A")
    assert demo_survey(activity=activity, share=1.0) == 7
    with system_scope():
        data, files = transfer.export_survey(activity)
        assert data == {"item_set": items.default_version()} and files == {}
        other = lw.activity("survey", "Bản sao")
        transfer.import_survey(other, {"item_set": "nope"}, {})
        assert services.survey_for(other).item_set == items.default_version()
