"""The random sample an auditor draws (issue 14 item 7), pure: no database.

The population is the ids of the completions, sorted; the sample is Python's
``random.Random(seed).sample`` of it. The same seed over the same population gives the same
sample, so a draw can be shown again, exported and checked later: the seed, the size asked and
the population's size are recorded in the audit log with every draw.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Sequence
from decimal import Decimal

SEED_MAX = 10**9
SIZE_MAX = 10_000


def new_seed() -> int:
    """A seed for a draw that was not given one (shown and recorded, so it can be repeated)."""
    return secrets.randbelow(SEED_MAX - 1) + 1


def sample_size(population: int, *, size: int | None, share: Decimal | None) -> int:
    """How many to draw: ``size`` people, or ``share`` percent of the population (rounded up,
    at least one of a non-empty population); never more than the population."""
    if size is not None:
        wanted = size
    elif share is not None:
        wanted = math.ceil(Decimal(population) * share / 100) if population else 0
        wanted = max(wanted, 1) if population and share > 0 else wanted
    else:
        wanted = 0
    return max(0, min(wanted, population, SIZE_MAX))


def draw(ids: Sequence[int], *, count: int, seed: int) -> list[int]:
    """``count`` of ``ids`` drawn with ``seed``, in the order drawn (reproducible)."""
    population = sorted(set(ids))
    # Reproducible on purpose (a seeded generator, not a secret): S311 does not apply.
    return random.Random(seed).sample(population, min(count, len(population)))  # noqa: S311
