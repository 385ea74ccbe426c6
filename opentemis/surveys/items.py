"""The survey's item sets, from data (``data/*.yaml``), not code: the eight aspects of the
national satisfaction survey (bdtx.md R14), the 1-10 scale, the 5 % rule and the index bands
(R15, TT 10/2017/TT-BNV by analogy, to verify). A survey pins the version it used, so a new
wording never changes what earlier answers meant.

``answers`` (what a learner sends): ``{item code: whole number on the scale}``; a missing
item, an empty value or ``null`` is unanswered.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = "satisfaction.yaml"


@dataclass(frozen=True)
class Item:
    code: str
    aspect: str
    text: str


@dataclass(frozen=True)
class Band:
    low: Decimal
    high: Decimal
    label: str


@dataclass(frozen=True)
class ItemSet:
    version: str
    source: str
    to_verify: str
    items: tuple[Item, ...]
    scale_min: int
    scale_max: int
    scale_low: str
    scale_high: str
    scale_source: str
    max_unanswered: Decimal
    bands: tuple[Band, ...]
    min_group: int
    comment: str

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def band(self, mean: Decimal) -> str:
        """The index band of a mean: [low, high), the last one closed."""
        for index, band in enumerate(self.bands):
            last = index == len(self.bands) - 1
            if band.low <= mean < band.high or (last and mean == band.high):
                return band.label
        return ""

    def clean(self, answers: Any) -> dict[str, int]:
        """The answers kept (on the scale, known items), or a Vietnamese refusal: a value off
        the scale, or more than ``max_unanswered`` of the items left empty (R15: the form is
        invalid, so it is refused rather than counted)."""
        if not isinstance(answers, Mapping):
            raise ValidationError(_("Answer the survey's questions."))
        kept: dict[str, int] = {}
        for item in self.items:
            raw = answers.get(item.code)
            if raw in (None, ""):
                continue
            try:
                value = int(str(raw).strip())
            except (TypeError, ValueError):
                value = self.scale_min - 1
            if str(value) != str(raw).strip() or value not in self.scale:
                raise ValidationError(
                    _("«%(aspect)s»: choose a score from %(min)s to %(max)s.")
                    % {"aspect": item.aspect, "min": self.scale_min, "max": self.scale_max}
                )
            kept[item.code] = value
        missing = len(self.items) - len(kept)
        if Decimal(missing) > self.max_unanswered * len(self.items):
            raise ValidationError(
                _(
                    "%(missing)s of %(total)s questions are unanswered: a form with more than "
                    "%(share)s %% unanswered is invalid. Answer every question."
                )
                % {
                    "missing": missing,
                    "total": len(self.items),
                    "share": f"{self.max_unanswered * 100:.0f}",
                }
            )
        return kept


def _parse(raw: Mapping[str, Any]) -> ItemSet:
    scale = raw["scale"]
    return ItemSet(
        version=str(raw["version"]),
        source=str(raw.get("source", "")),
        to_verify=str(raw.get("to_verify", "")),
        items=tuple(Item(str(i["code"]), str(i["aspect"]), str(i["text"])) for i in raw["items"]),
        scale_min=int(scale["min"]),
        scale_max=int(scale["max"]),
        scale_low=str(scale.get("low", "")),
        scale_high=str(scale.get("high", "")),
        scale_source=str(scale.get("source", "")),
        max_unanswered=Decimal(str(raw.get("max_unanswered", "0.05"))),
        bands=tuple(
            Band(Decimal(str(b["from"])), Decimal(str(b["to"])), str(b["label"]))
            for b in raw.get("bands", [])
        ),
        min_group=max(5, int(raw.get("min_group", 5))),  # never below Moodle's 5 (§3)
        comment=str(raw.get("comment", "")),
    )


@functools.cache
def item_sets() -> dict[str, ItemSet]:
    """Every shipped item set by version."""
    found: dict[str, ItemSet] = {}
    for path in sorted(DATA.glob("*.yaml")):
        parsed = _parse(yaml.safe_load(path.read_text(encoding="utf-8")))
        found[parsed.version] = parsed
    return found


def default_version() -> str:
    return _parse(yaml.safe_load((DATA / DEFAULT_FILE).read_text(encoding="utf-8"))).version


def get(version: str) -> ItemSet:
    """The item set of ``version`` (the survey's pinned one)."""
    found = item_sets().get(version)
    if found is None:
        raise ValidationError(_("Unknown survey item set."))
    return found
