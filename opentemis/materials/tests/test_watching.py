"""The watched share and the intervals (watching.py), by hand and as properties."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from opentemis.materials import watching


@pytest.mark.parametrize(
    ("intervals", "merged"),
    [
        ([], []),
        ([(0, 10)], [(0, 10)]),
        ([(5, 10), (0, 5)], [(0, 10)]),  # touching: joined
        ([(5, 10), (0, 5), (20, 30), (8, 12)], [(0, 12), (20, 30)]),
        ([(0, 10), (2, 3)], [(0, 10)]),  # contained
        ([(3, 3), (4, 2)], []),  # empty and reversed: dropped
        ([(0, 1), (0, 1), (0, 1)], [(0, 1)]),  # repeated
    ],
)
def test_merge(intervals: list[tuple[float, float]], merged: list[tuple[float, float]]) -> None:
    assert watching.merge(intervals) == merged


def test_share_by_hand() -> None:
    # 0-12 and 20-30 of a 40-second video: 22 s watched, 55 %.
    assert watching.share([(5, 10), (0, 5), (20, 30), (8, 12)], 40) == pytest.approx(0.55)
    # Watching the same minute three times is one minute.
    assert watching.share([(0, 60), (0, 60), (30, 60)], 120) == pytest.approx(0.5)
    # Beyond the end counts up to the end only.
    assert watching.share([(90, 130)], 100) == pytest.approx(0.1)
    assert watching.share([(0, 5)], 0) == 0.0


def test_minimum_share() -> None:
    assert watching.min_watch({}) == 0.9
    assert watching.min_watch({"min_watch": 0.8}) == 0.8
    for nonsense in (0, -1, 1.5, "0.5", True, None):
        assert watching.min_watch({"min_watch": nonsense}) == 0.9
    assert watching.is_done(0.9, {})
    assert not watching.is_done(0.8999, {})
    assert watching.is_done(0.8, {"min_watch": 0.8})
    assert not watching.is_done(0.79, {"min_watch": 0.8})


@pytest.mark.parametrize(
    ("position", "intervals"),
    [
        (-1, []),
        (101.5, []),  # past the end (100 s, 1 s tolerance)
        ("abc", []),
        (None, []),
        (float("nan"), []),
        (float("inf"), []),
        (True, []),
        (5, [[-3, 4]]),
        (5, [[4, 200]]),
        (5, [[8, 4]]),  # ends before it starts
        (5, [[1, 2, 3]]),
        (5, ["0-10"]),
        (5, {"a": 1}),
        (5, [[0, 1]] * (watching.MAX_INTERVALS + 1)),
    ],
)
def test_nonsense_is_refused(position: object, intervals: object) -> None:
    with pytest.raises(ValidationError):
        watching.clean_report(position, intervals, 100.0)


def test_a_report_within_the_tolerance_is_clipped() -> None:
    assert watching.clean_report(100.5, [[99, 100.8]], 100.0) == (100.0, [(99.0, 100.0)])


spans = st.lists(
    st.tuples(st.floats(0, 100), st.floats(0, 100)).map(lambda p: (min(p), max(p))), max_size=30
)


@given(spans, spans)
def test_merging_is_a_union_order_free_and_idempotent(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> None:
    once = watching.merge(a + b)
    assert watching.merge(once) == once
    assert watching.merge(b + a) == once
    assert watching.merge(once + a) == once  # a report sent again changes nothing
    for (_s1, e1), (s2, _e2) in itertools.pairwise(once):
        assert e1 < s2  # disjoint and sorted
    share = watching.share(a + b, 100)
    assert 0 <= share <= 1
    assert share >= watching.share(a, 100) - 1e-9  # more reports never lower it
