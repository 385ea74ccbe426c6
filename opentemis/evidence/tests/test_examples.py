from __future__ import annotations

from opentemis.evidence.examples import examples_for
from opentemis.standards.frameworks import criteria_numbers


def test_every_criterion_of_tt20_and_tt14_has_examples():
    for code in ("TT20_2018_GVPT", "TT14_2018_HTPT"):
        numbers = criteria_numbers(code)
        assert len(numbers) == {"TT20_2018_GVPT": 15, "TT14_2018_HTPT": 18}[code]
        for number in numbers:
            examples = examples_for(code, number)
            assert examples and all(isinstance(e, str) and e for e in examples), (code, number)


def test_examples_are_vietnamese_suggestions():
    assert "Kế hoạch bài dạy" in examples_for("TT20_2018_GVPT", 4)
    assert any("ma trận" in e for e in examples_for("TT20_2018_GVPT", 6))


def test_unknown_framework_or_criterion_has_none():
    assert examples_for("NOPE", 1) == []
    assert examples_for("TT20_2018_GVPT", 99) == []
