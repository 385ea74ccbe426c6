"""CMI → state and score, by hand-computed cases (cmi.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opentemis.packages import cmi
from opentemis.packages.models import Standard

S12, S04 = Standard.SCORM12, Standard.SCORM2004


@pytest.mark.parametrize(
    ("data", "state", "score"),
    [
        ({}, "started", None),
        ({"cmi.core.lesson_status": "not attempted"}, "started", None),
        ({"cmi.core.lesson_status": "incomplete"}, "started", None),
        ({"cmi.core.lesson_status": "browsed"}, "started", None),
        ({"cmi.core.lesson_status": "completed"}, "complete", None),
        ({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "80"}, "passed", "80.00"),
        ({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"}, "failed", "40.00"),
        # raw 7 on 0..10 → 70 %
        (
            {
                "cmi.core.lesson_status": "passed",
                "cmi.core.score.raw": "7",
                "cmi.core.score.min": "0",
                "cmi.core.score.max": "10",
            },
            "passed",
            "70.00",
        ),
        # raw 15 on 10..20 → 50 %
        (
            {"cmi.core.score.raw": "15", "cmi.core.score.min": "10", "cmi.core.score.max": "20"},
            "started",
            "50.00",
        ),
        # 2 of 3 → 66.67 %
        (
            {"cmi.core.score.raw": "2", "cmi.core.score.min": "0", "cmi.core.score.max": "3"},
            "started",
            "66.67",
        ),
        ({"cmi.core.score.raw": "150"}, "started", "100.00"),  # clamped
        ({"cmi.core.score.raw": "abc"}, "started", None),
        ({"cmi.core.score.raw": "5", "cmi.core.score.max": "0"}, "started", None),
    ],
)
def test_scorm12(data: dict[str, str], state: str, score: str | None) -> None:
    assert cmi.judge(S12, data) == (state, None if score is None else Decimal(score))


@pytest.mark.parametrize(
    ("data", "state", "score"),
    [
        ({}, "started", None),
        ({"cmi.completion_status": "incomplete"}, "started", None),
        ({"cmi.completion_status": "completed"}, "complete", None),
        ({"cmi.completion_status": "completed", "cmi.success_status": "unknown"}, "complete", None),
        (
            {
                "cmi.completion_status": "completed",
                "cmi.success_status": "passed",
                "cmi.score.scaled": "0.85",
            },
            "passed",
            "85.00",
        ),
        # success without completion still counts as passed/failed
        ({"cmi.success_status": "failed", "cmi.score.scaled": "0.3"}, "failed", "30.00"),
        ({"cmi.score.scaled": "-0.5"}, "started", "0.00"),  # negative scaled → 0 %
        ({"cmi.score.scaled": "2"}, "started", None),  # out of range, no raw
        (
            {
                "cmi.score.scaled": "",
                "cmi.score.raw": "18",
                "cmi.score.min": "0",
                "cmi.score.max": "20",
            },
            "started",
            "90.00",
        ),
        ({"cmi.score.scaled": "0.666666"}, "started", "66.67"),
    ],
)
def test_scorm2004(data: dict[str, str], state: str, score: str | None) -> None:
    assert cmi.judge(S04, data) == (state, None if score is None else Decimal(score))


def test_clean_keeps_the_versions_keys_and_drops_unknown_ones() -> None:
    raw = {
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": 80,
        "cmi.interactions.0.id": "q1",
        "cmi.suspend_data": '{"q0":1}',
        "cmi.completion_status": "completed",  # a 2004 element in a 1.2 commit: dropped
        "cmi.core.exit": None,
        "adl.nav.request": "continue",
        "cmi.objectives": {},  # scorm-again flattens an empty collection so
        "cmi.interactions.1.correct_responses": [],
    }
    assert cmi.clean(S12, raw) == {
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": "80",
        "cmi.interactions.0.id": "q1",
        "cmi.suspend_data": '{"q0":1}',
        "cmi.core.exit": "",
    }
    assert cmi.clean(S04, {"cmi.core.lesson_status": "passed", "cmi.location": "p3"}) == {
        "cmi.location": "p3"
    }


@pytest.mark.parametrize(
    "raw",
    [
        [],
        "cmi",
        {"evil": "1"},
        {"cmi.core.lesson_status": {"nested": 1}},
        {"cmi.core.lesson_status": [1]},
        {"cmi..x": "1"},
        {"cmi.core.lesson_status": "x" * (cmi.MAX_VALUE + 1)},
        {"cmi.core.lesson_status": float("inf")},
        {"cmi.suspend_data": "a\x00b"},
        {f"cmi.interactions.{i}.id": "x" for i in range(cmi.MAX_KEYS + 1)},
    ],
)
def test_clean_refuses(raw: object) -> None:
    with pytest.raises(ValidationError):
        cmi.clean(S12, raw)


def test_resumed_gives_back_location_suspend_data_and_entry() -> None:
    data = {
        "cmi.core.lesson_location": "cau-2",
        "cmi.suspend_data": "{}",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": "00:01:00",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.total_time": "00:05:00",
    }
    assert cmi.resumed(S12, data) == {
        "cmi.core.lesson_location": "cau-2",
        "cmi.suspend_data": "{}",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.total_time": "00:05:00",
        "cmi.core.entry": "resume",
    }
    assert cmi.resumed(S04, {"cmi.location": "p2", "cmi.exit": "normal"}) == {"cmi.location": "p2"}
    assert cmi.resumed(S04, {"cmi.exit": "suspend"}) == {"cmi.entry": "resume"}


def _statement(verb: str, result: object, parent: bool = False) -> dict[str, object]:
    statement: dict[str, object] = {
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "result": result,
    }
    if parent:
        statement["context"] = {"contextActivities": {"parent": [{"id": "x"}]}}
    return statement


@pytest.mark.parametrize(
    ("statement", "state", "score"),
    [
        (_statement("answered", {"score": {"scaled": 0.5}, "success": False}), "failed", "50.00"),
        (
            _statement(
                "completed", {"score": {"raw": 2, "max": 3}, "success": True, "completion": True}
            ),
            "passed",
            "66.67",
        ),
        (_statement("completed", {"completion": True}), "complete", None),
        (_statement("completed", {}), "complete", None),
        (_statement("answered", {"score": {"scaled": 1}}), "started", "100.00"),
    ],
)
def test_xapi(statement: dict[str, object], state: str, score: str | None) -> None:
    result = cmi.clean_xapi(statement)
    assert result is not None
    assert cmi.judge_xapi(result) == (state, None if score is None else Decimal(score))


def test_xapi_ignores_sub_content_and_other_verbs() -> None:
    assert cmi.clean_xapi(_statement("answered", {"success": True}, parent=True)) is None
    assert cmi.clean_xapi(_statement("interacted", {})) is None
    assert cmi.clean_xapi({"verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"}}) is None
    with pytest.raises(ValidationError):
        cmi.clean_xapi({"verb": "completed"})
    with pytest.raises(ValidationError):
        cmi.clean_xapi([])
