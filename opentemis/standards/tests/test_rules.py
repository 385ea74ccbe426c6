"""Rating rules: tables from the legal text (TT 20/2018 Khoản 2 Điều 10; TT 14/2018), properties."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from opentemis.standards.frameworks import criteria_numbers, rule_set
from opentemis.standards.rules import Level, rate

T, K, D, C = Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT
TT20 = "TT20_2018_GVPT"
TT14 = "TT14_2018_HTPT"


def levels_of(*values: Level) -> dict[int, Level]:
    return {number: value for number, value in enumerate(values, start=1)}


# Fifteen levels, criteria 1..15; criteria 3-7 are Tiêu chuẩn 2 (Điều 5).
TT20_TABLE = [
    # all Tốt
    (levels_of(*[T] * 15), T),
    # exactly 10/15 at Tốt incl. 3-7, rest Khá -> Tốt
    (levels_of(T, T, T, T, T, T, T, T, T, T, K, K, K, K, K), T),
    # 9/15 at Tốt -> Khá (2/3 of 15 = 10)
    (levels_of(T, T, T, T, T, T, T, T, T, K, K, K, K, K, K), K),
    # 14 Tốt but criterion 4 (key) at Khá -> Khá
    (levels_of(T, T, T, K, T, T, T, T, T, T, T, T, T, T, T), K),
    # 14 Tốt, criterion 15 at Đạt -> not all >= Khá -> Khá
    (levels_of(T, T, T, T, T, T, T, T, T, T, T, T, T, T, D), K),
    # 10/15 >= Khá with 3-7 at Khá, rest Đạt -> Khá
    (levels_of(K, K, K, K, K, K, K, K, K, K, D, D, D, D, D), K),
    # 9/15 >= Khá -> Đạt
    (levels_of(K, K, K, K, K, K, K, K, K, D, D, D, D, D, D), D),
    # key criterion 7 at Đạt -> Đạt even with everything else Tốt
    (levels_of(T, T, T, T, T, T, D, T, T, T, T, T, T, T, T), D),
    # all Đạt -> Đạt
    (levels_of(*[D] * 15), D),
    # one Chưa đạt -> Chưa đạt, whatever the rest
    (levels_of(T, T, T, T, T, T, T, T, T, T, T, T, T, T, C), C),
]


@pytest.mark.parametrize(("levels", "expected"), TT20_TABLE)
def test_tt20_table(levels, expected):
    assert rate(rule_set(TT20), levels).level == expected


def test_tt14_has_18_criteria_and_its_own_key_criteria():
    assert criteria_numbers(TT14) == list(range(1, 19))
    rules = rule_set(TT14)
    all_tot = {n: T for n in range(1, 19)}
    assert rate(rules, all_tot).level == T
    # Criterion 3 is not a key criterion of TT 14: at Khá it does not cost the Tốt rating.
    assert rate(rules, {**all_tot, 3: K}).level == T
    # Criterion 4 is: at Khá it does.
    assert rate(rules, {**all_tot, 4: K}).level == K
    # 12/18 (2/3) at Tốt with every key criterion at Tốt is enough; 11 is not.
    keys = {1, 2, 4, 5, 6, 8, 10, 12, 13, 14}
    twelve = {n: (T if n in keys | {3, 7} else K) for n in range(1, 19)}
    eleven = {n: (T if n in keys | {3} else K) for n in range(1, 19)}
    assert rate(rules, twelve).level == T
    assert rate(rules, eleven).level == K


def test_explanation_names_the_missing_conditions():
    levels = levels_of(T, T, T, K, T, T, T, T, T, T, K, K, K, K, K)  # 9 Tốt, key 4 at Khá
    with translation.override("en"):
        result = rate(rule_set(TT20), levels)
        assert result.level == K
        [line] = result.explanation()
    assert line.startswith("Not at level Excellent (Tốt):")
    assert "criterion 4 at Good (Khá) (key criterion, must be at least Excellent (Tốt))" in line
    assert "needs at least 10/15 criteria at Excellent (Tốt) or above, has 9" in line


def test_explanation_in_vietnamese():
    levels = levels_of(T, T, T, K, T, T, T, T, T, T, K, K, K, K, K)
    with translation.override("vi"):
        [line] = rate(rule_set(TT20), levels).explanation()
    assert line.startswith("Chưa đạt mức Tốt")
    assert "tiêu chí 4" in line
    assert "10/15" in line and "hiện có 9" in line


def test_chua_dat_explains_which_criteria():
    levels = levels_of(*[D] * 13, C, C)
    with translation.override("en"):
        result = rate(rule_set(TT20), levels)
    assert result.level == C
    assert any("criterion 14, 15" in line for line in result.explanation())


def test_every_level_above_is_explained():
    levels = levels_of(*[D] * 15)
    result = rate(rule_set(TT20), levels)
    assert set(result.shortfalls) == {K, T}
    assert rate(rule_set(TT20), levels_of(*[T] * 15)).shortfalls == {}


def test_levels_must_cover_the_framework():
    with pytest.raises(ValueError):
        rate(rule_set(TT20), levels_of(*[T] * 14))


level_values = st.sampled_from(list(Level))
tt20_levels = st.lists(level_values, min_size=15, max_size=15).map(lambda v: levels_of(*v))


@given(tt20_levels, st.integers(min_value=1, max_value=15), level_values)
def test_raising_one_criterion_never_lowers_the_rating(levels, number, new_level):
    rules = rule_set(TT20)
    before = rate(rules, levels).level
    if new_level >= levels[number]:
        assert rate(rules, {**levels, number: new_level}).level >= before


@given(tt20_levels)
def test_chua_dat_exactly_when_some_criterion_is_chua_dat(levels):
    result = rate(rule_set(TT20), levels).level
    assert (result == C) == (C in levels.values())


@given(tt20_levels)
def test_rating_never_exceeds_the_key_criteria_or_the_lowest_plus_one(levels):
    result = rate(rule_set(TT20), levels).level
    assert result <= min(levels[n] for n in (3, 4, 5, 6, 7))
    assert result <= min(levels.values()) + 1


@given(tt20_levels)
def test_explained_exactly_for_the_levels_above(levels):
    result = rate(rule_set(TT20), levels)
    assert set(result.shortfalls) == {lvl for lvl in Level if lvl > result.level}


def test_the_levels_are_declared_once_with_their_codes_names_and_abbreviations():
    from opentemis.standards.rules import DESCRIBED_LEVEL_CODES, LEVEL_CODES

    assert LEVEL_CODES == ("ChuaDat", "Dat", "Kha", "Tot")
    assert DESCRIBED_LEVEL_CODES == ("Dat", "Kha", "Tot")
    assert [level.legal_name for level in Level] == ["Chưa đạt", "Đạt", "Khá", "Tốt"]
    assert [level.short for level in Level] == ["CĐ", "Đ", "K", "T"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Chưa đạt", Level.CHUA_DAT),
        ("chua dat", Level.CHUA_DAT),
        ("C.Đ", Level.CHUA_DAT),
        ("cđ", Level.CHUA_DAT),
        ("ChuaDat", Level.CHUA_DAT),
        ("Đạt", Level.DAT),
        (" Đ ", Level.DAT),
        ("KHÁ", Level.KHA),
        ("k", Level.KHA),
        ("Tốt", Level.TOT),
        ("T.", Level.TOT),
        ("Giỏi", None),
        ("", None),
        ("x", None),
    ],
)
def test_a_level_as_people_write_it(written, expected):
    assert Level.from_text(written) == expected
