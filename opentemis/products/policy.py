"""The grading queues' settings, from data (``data/grading.yaml``), not code: how long a
submission waits before it overflows to the pool, how long a claim holds it (Open edX ORA2's
8 hours), the share a lecturer second-marks. None is set by a regulation (bdtx.md §3, §5):
the file says so in ``to_verify``."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "grading.yaml"
# Draws are integers in [0, DRAW_RANGE): a submission is in the second-marking sample when its
# draw is below share * DRAW_RANGE (models.Submission.draw).
DRAW_RANGE = 10_000


@dataclass(frozen=True)
class GradingPolicy:
    version: str
    overflow_after: dt.timedelta
    lease: dt.timedelta
    second_mark_share: float
    appeal_reason_max: int
    to_verify: str

    @property
    def sample_below(self) -> int:
        """The draws (below this) of the submissions in the second-marking sample."""
        return round(self.second_mark_share * DRAW_RANGE)


def parse(raw: dict[str, object]) -> GradingPolicy:
    """The settings of one file; a value out of its range is an error, not a silent default."""
    overflow = float(str(raw["overflow_after_hours"]))
    lease = float(str(raw["lease_hours"]))
    share = float(str(raw["second_mark_share"]))
    reason_max = int(str(raw.get("appeal_reason_max", 2000)))
    if overflow <= 0 or lease <= 0 or not 0 <= share <= 1 or reason_max < 10:
        raise ValueError(f"{DATA.name}: a value is out of range")
    return GradingPolicy(
        version=str(raw["version"]),
        overflow_after=dt.timedelta(hours=overflow),
        lease=dt.timedelta(hours=lease),
        second_mark_share=share,
        appeal_reason_max=reason_max,
        to_verify=str(raw.get("to_verify", "")),
    )


@functools.cache
def grading_policy() -> GradingPolicy:
    """The settings in force (read once per process)."""
    return parse(yaml.safe_load(DATA.read_text(encoding="utf-8")))
