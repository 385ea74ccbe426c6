"""The grading rules per kind and across attempts, hand-computed (no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opentemis.quizzes import grading

D = Decimal
CHOICES = {
    "choices": [
        {"text": "A", "correct": True},
        {"text": "B", "correct": False},
        {"text": "C", "correct": True},
        {"text": "D", "correct": False},
    ]
}
SINGLE = {"choices": [{"text": "A", "correct": False}, {"text": "B", "correct": True}]}
NUMERIC = {
    "answers": [
        {"value": "3.14", "tolerance": "0.01", "fraction": "1"},
        {"value": "3", "tolerance": "0", "fraction": "0.5"},
    ]
}
SHORT = {"answers": [{"text": "Đánh giá", "fraction": "1"}], "case_sensitive": False}


@pytest.mark.parametrize(
    ("kind", "data", "response", "expected"),
    [
        ("single", SINGLE, 1, D(1)),
        ("single", SINGLE, 0, D(0)),
        ("single", SINGLE, None, D(0)),
        # Two correct of four: each right choice is worth 1/2, each wrong one costs 1/2.
        ("multiple", CHOICES, [0, 2], D(1)),
        ("multiple", CHOICES, [0], D("0.5")),
        ("multiple", CHOICES, [0, 1], D(0)),
        ("multiple", CHOICES, [0, 1, 2], D("0.5")),
        ("multiple", CHOICES, [0, 1, 2, 3], D(0)),  # everything chosen: nothing earned
        ("multiple", CHOICES, [1, 3], D(0)),  # never below zero
        ("truefalse", {"answer": True}, True, D(1)),
        ("truefalse", {"answer": True}, False, D(0)),
        ("numeric", NUMERIC, "3,14", D(1)),
        ("numeric", NUMERIC, "3.149", D(1)),  # within the tolerance
        ("numeric", NUMERIC, "3.151", D(0)),
        ("numeric", NUMERIC, "3", D("0.5")),  # a partly right answer
        ("numeric", NUMERIC, "ba", D(0)),
        ("short", SHORT, "  đánh   GIÁ ", D(1)),  # case and spaces do not count
        ("short", SHORT, "danh gia", D(0)),  # diacritics do
        # The same word typed decomposed (another keyboard) matches.
        ("short", SHORT, "đa\u0301nh gia\u0301", D(1)),
        ("short", {**SHORT, "case_sensitive": True}, "đánh giá", D(0)),
    ],
)
def test_grade_per_kind(kind: str, data: dict[str, Any], response: Any, expected: Decimal) -> None:
    assert grading.grade(kind, data, response) == expected


def test_score_on_ten_weighs_points() -> None:
    # 1 of 1 point, 0.5 of 2 points, 0 of 1 point: 2 of 4 -> 5.00
    marks = [(D(1), D(1)), (D("0.5"), D(2)), (D(0), D(1))]
    assert grading.score_on_ten(marks) == D("5.00")
    assert grading.score_on_ten([(D(1), D(1))] * 2 + [(D(0), D(1))]) == D("6.67")
    assert grading.score_on_ten([]) == D(0)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", D("8.5")), ("last", D("6")), ("first", D("4")), ("average", D("6.17"))],
)
def test_grading_methods_across_attempts(method: str, expected: Decimal) -> None:
    assert grading.overall(method, [D("4"), D("8.5"), D("6")]) == expected
    assert grading.overall(method, []) is None


@pytest.mark.parametrize(
    ("kind", "data", "response"),
    [
        ("single", SINGLE, 5),
        ("single", SINGLE, [0, 1]),
        ("single", SINGLE, True),
        ("multiple", CHOICES, ["x"]),
        ("truefalse", {"answer": True}, "có lẽ"),
        ("short", SHORT, "x" * 501),
        ("short", SHORT, {"a": 1}),
    ],
)
def test_bad_responses_are_refused(kind: str, data: dict[str, Any], response: Any) -> None:
    with pytest.raises(ValidationError):
        grading.clean_response(kind, data, response)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("single", {"choices": [{"text": "A", "correct": True}]}),
        ("single", {"choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}]}),
        ("multiple", {"choices": [{"text": "A"}, {"text": "B"}]}),
        ("truefalse", {}),
        ("numeric", {"answers": [{"value": "abc"}]}),
        ("short", {"answers": []}),
        ("essay", {}),
    ],
)
def test_questions_that_cannot_be_asked_are_refused(kind: str, data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        grading.clean_data(kind, data)
