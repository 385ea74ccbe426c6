"""The attendance rule (bdtx.md R11), pure: no database.

share = sessions present / sessions of the class (those not cancelled). An excused absence
counts as an absence: R11 asks for ≥ 80 % *attendance* to sit the final test, and an excuse
does not replace being there (TT 28/2014 by precedent; the threshold is data, to verify). The
comparison is exact (``Decimal``): 4 of 5 sessions = 0.80 meets 0.80.
"""

from __future__ import annotations

from decimal import Decimal


def share(present: int, held: int) -> Decimal:
    """The share of sessions attended, 0 when no session is planned."""
    if held <= 0:
        return Decimal(0)
    return Decimal(present) / Decimal(held)


def meets(present: int, held: int, threshold: Decimal) -> bool:
    """Whether ``present`` sessions of ``held`` reach ``threshold`` (no session: not met)."""
    if held <= 0 or present < 0:
        return False
    return Decimal(present) >= threshold * Decimal(held)


def needed(held: int, threshold: Decimal) -> int:
    """The fewest sessions to attend out of ``held`` to meet ``threshold``."""
    for present in range(held + 1):
        if meets(present, held, threshold):
            return present
    return held
