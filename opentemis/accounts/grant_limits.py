"""Which roles are granted only for a limited time, and for how long at most: data, in
``data/time_limited_roles.yaml`` (the length is a choice to verify, not a rule of law)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "time_limited_roles.yaml"


@cache
def _limits() -> dict[str, int]:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    return {str(role): int(spec["max_days"]) for role, spec in raw.items()}


def max_days(role: str) -> int | None:
    """The longest grant of ``role`` in days; None: the role is granted without an end."""
    return _limits().get(role)
