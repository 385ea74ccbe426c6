"""The ministry-style example evidence per criterion (``data/examples.yaml``), as suggestions.

The list follows CV 4530 (teachers) and CV 4529 (principals) "as suggestions only"; its mapping
per criterion is not verified yet (see the comment at the top of the YAML file).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "examples.yaml"


@cache
def _examples() -> dict[str, dict[int, tuple[str, ...]]]:
    with DATA.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    return {
        str(code): {int(number): tuple(items or ()) for number, items in criteria.items()}
        for code, criteria in raw.items()
    }


def examples_for(framework_code: str, criterion_number: int) -> list[str]:
    """Example evidence for one criterion of a framework; ``[]`` when there is none."""
    return list(_examples().get(framework_code, {}).get(int(criterion_number), ()))
