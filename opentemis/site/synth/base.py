"""Shared pieces of the generator: sizes, constants, the materialised path, seeded random picks."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from opentemis.orgs.models import Unit
from opentemis.site.synth import data

Row = tuple[Any, ...]
Progress = Callable[[str], None]

CURRENT_YEAR = "2025-2026"
PREVIOUS_YEAR = "2024-2025"
# Ages and dates are counted from the start of the current school year.
REFERENCE_DATE = dt.date(2025, 9, 1)


class SynthError(RuntimeError):
    """The generator cannot run (non-empty database without reset, missing reference data)."""


# ---------------------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class SizeSpec:
    """How much of the nation to build.

    ``communes_per_province`` / ``schools_per_province`` None means the real counts (national
    allocation); a number scales a province down for the demo and tests.
    """

    name: str
    provinces: tuple[str, ...] | None  # province codes; None = all 34
    communes_per_province: int | None = None
    schools_per_province: int | None = None
    staff_scale: float = 1.0
    training: int = 0  # teacher-training institutions under the Bộ
    training_staff: int = 150


SIZES: dict[str, SizeSpec] = {
    "national": SizeSpec("national", None, training=len(data.TEACHER_TRAINING)),
    # Đà Nẵng: a mid-sized unit (≈35 k staff): city wards, mountain communes, Cơ-tu staff.
    "province": SizeSpec("province", ("48",)),
    # The demo: the capital and a northern mountain province, scaled down.
    "small": SizeSpec("small", ("01", "15"), 10, 60, training=1, training_staff=40),
    # Hidden: national-shaped but tiny, so tests exercise every loader path in a second.
    "tiny": SizeSpec(
        "tiny", ("01", "15", "79"), 2, 5, staff_scale=0.45, training=1, training_staff=14
    ),
}
PUBLIC_SIZES = ("national", "province", "small")

# ------------------------------------------------------------------------------ materialised path


def path_step(n: int) -> str:
    """The ``n``-th child's path segment (1-based), as treebeard's ``_get_path`` encodes it."""
    alphabet, steplen = Unit.alphabet, Unit.steplen
    base = len(alphabet)
    if not 0 < n < base**steplen:
        raise ValueError(f"path step {n} does not fit in {steplen} characters")
    digits = []
    while n:
        n, rest = divmod(n, base)
        digits.append(alphabet[rest])
    return "".join(reversed(digits)).rjust(steplen, alphabet[0])


# ---------------------------------------------------------------------------------- random picks


def seeded(seed: int, *key: str) -> random.Random:
    """A generator per (seed, province, purpose): a province is the same in every size."""
    # Synthetic data, not secrets: a reproducible PRNG is the point.
    return random.Random(":".join([str(seed), *key]))  # noqa: S311


class Picker:
    """Weighted choice over precomputed cumulative weights (``random.choices`` re-sums them)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        self.items: list[Any] = []
        self.cum: list[float] = []
        running = 0.0
        for item, weight in pairs:
            if weight <= 0:
                continue
            running += weight
            self.items.append(item)
            self.cum.append(running)
        if not self.items:
            raise ValueError("Picker needs at least one positive weight")
        self.total = running

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def uniform(items: Sequence[Any]) -> Picker:
    return Picker((item, 1.0) for item in items)


def apportion(
    total: int, weights: Sequence[float], minimum: Sequence[int] | None = None
) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), after the minimums."""
    counts = list(minimum) if minimum else [0] * len(weights)
    rest = total - sum(counts)
    weight_sum = sum(weights)
    if rest <= 0 or weight_sum <= 0:
        return counts
    quotas = [rest * w / weight_sum for w in weights]
    floors = [math.floor(q) for q in quotas]
    left = rest - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [c + f for c, f in zip(counts, floors, strict=True)]
