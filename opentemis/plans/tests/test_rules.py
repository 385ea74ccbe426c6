"""The plan rules as pure functions: hand-computed cases and properties (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from opentemis.plans.rules import (
    Assessed,
    ModuleRef,
    Need,
    hours_lines,
    judge,
    split_hours,
    suggest,
    weakest_first,
)

GVPT = "TT20_2018_GVPT"
MODULES = [
    ModuleRef(code=f"GVPT {n:02d}", framework=GVPT, criteria=(n,), audience="GV")
    for n in range(1, 16)
] + [
    ModuleRef(code="QL 1", framework="TT14_2018_HTPT", criteria=(5,), audience="CBQL"),
    ModuleRef(code="MN 1", framework=GVPT, criteria=(6,), audience="GV", levels=("MN",)),
]


def test_weakest_first_orders_below_kha_by_level_then_chosen_then_kha() -> None:
    levels = {"1": "Tot", "2": "Kha", "3": "Dat", "4": "ChuaDat", "5": "Kha", "6": "Dat"}
    needs = weakest_first(levels, chosen=[5, 1])
    assert [(n.criterion, n.level, n.chosen) for n in needs] == [
        (4, "ChuaDat", False),
        (3, "Dat", False),
        (6, "Dat", False),
        (1, "Tot", True),  # chosen in BM1 part 2, even at Tốt
        (5, "Kha", True),
        (2, "Kha", False),
    ]


def test_suggest_keeps_the_audience_level_and_framework_and_says_why() -> None:
    needs = [Need(6, "Dat"), Need(5, "ChuaDat"), Need(2, "Kha", chosen=True)]
    picks = suggest(needs=needs, modules=MODULES, framework=GVPT, audience="GV", level="TH")
    assert [p.module for p in picks] == ["GVPT 06", "GVPT 05", "GVPT 02"]
    assert "6" in picks[0].reason and "Đạt" in picks[0].reason
    assert "2" in picks[2].reason
    preschool = suggest(needs=needs, modules=MODULES, framework=GVPT, audience="GV", level="MN")
    assert "MN 1" in [p.module for p in preschool]
    managers = suggest(
        needs=needs, modules=MODULES, framework="TT14_2018_HTPT", audience="CBQL", level="TH"
    )
    assert [p.module for p in managers] == ["QL 1"]


def test_a_module_answering_two_needs_is_suggested_once_with_both_reasons() -> None:
    both = [ModuleRef(code="X", framework=GVPT, criteria=(3, 4), audience="GV")]
    picks = suggest(
        needs=[Need(3, "Dat"), Need(4, "ChuaDat")],
        modules=both,
        framework=GVPT,
        audience="GV",
        level="",
    )
    assert len(picks) == 1 and picks[0].criteria == (3, 4) and ";" in picks[0].reason


@given(st.lists(st.integers(1, 15), unique=True, max_size=15), st.integers(1, 6))
def test_suggestions_never_exceed_the_limit_nor_repeat(criteria: list[int], limit: int) -> None:
    needs = [Need(c, "Dat") for c in criteria]
    picks = suggest(
        needs=needs, modules=MODULES, framework=GVPT, audience="GV", level="TH", limit=limit
    )
    assert len(picks) == min(limit, len(criteria))
    assert len({p.module for p in picks}) == len(picks)
    # The weakest needs come first: the picks follow the needs' order.
    assert [p.criteria[0] for p in picks] == criteria[: len(picks)]


@given(st.integers(0, 400), st.integers(1, 12))
def test_split_hours_adds_up_and_is_even(total: int, count: int) -> None:
    parts = split_hours(total, count)
    assert sum(parts) == total and len(parts) == count
    assert max(parts) - min(parts) <= 1


def test_hours_lines_say_what_is_missing() -> None:
    lines = hours_lines({"01": 40, "02": 40, "03": 40}, {"01": Decimal(40), "03": Decimal(25)})
    assert [(x.programme, x.met, x.missing) for x in lines] == [
        ("01", True, 0),
        ("02", False, 40),
        ("03", False, 15),
    ]


def test_judge_explains_a_not_completed_year() -> None:
    result = judge(
        required={"01": 40, "02": 40, "03": 40},
        counted={"01": 40, "02": 40, "03": Decimal(25)},
        items=[Assessed("GVPT 06", score=Decimal("4.5")), Assessed("GVPT 05", passed=True)],
        pass_score=Decimal(5),
    )
    assert not result.completed
    assert any("03" in r and "25" in r and "40" in r for r in result.reasons)
    assert any("GVPT 06" in r and "4.5" in r for r in result.reasons)
    assert not any("GVPT 05" in r for r in result.reasons)


def test_judge_by_total_hours_when_the_rule_says_so() -> None:
    result = judge(
        required={"01": 40, "02": 40, "03": 40},
        counted={"01": 60, "02": 20, "03": 40},
        items=[],
        pass_score=Decimal(5),
        rule={"hours": "total", "items": "all_passed"},
    )
    assert result.completed


@given(
    st.dictionaries(st.sampled_from(["01", "02", "03"]), st.integers(0, 80)),
    st.sampled_from(["01", "02", "03"]),
    st.integers(1, 40),
    st.lists(st.one_of(st.none(), st.decimals(0, 10, places=1)), max_size=4),
    st.sampled_from(["each_programme", "total"]),
)
def test_more_hours_never_lower_the_result(
    counted: dict[str, int], programme: str, extra: int, scores: list[Decimal | None], hours: str
) -> None:
    items = [Assessed(f"M{i}", score=s) for i, s in enumerate(scores)]
    required = {"01": 40, "02": 40, "03": 40}
    rule = {"hours": hours, "items": "all_passed"}
    before = judge(
        required=required, counted=counted, items=items, pass_score=Decimal(5), rule=rule
    )
    more = {**counted, programme: counted.get(programme, 0) + extra}
    after = judge(required=required, counted=more, items=items, pass_score=Decimal(5), rule=rule)
    assert after.completed >= before.completed
    assert len(after.reasons) <= len(before.reasons)
