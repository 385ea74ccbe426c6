"""Groups A / B / C of units by completion rate, as data (``data/groups.yaml``; bdtx.md R13:
Group A = completion >= 80 % [seed 003]; B and C thresholds unknown, marked ``to_verify``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "groups.yaml"


@dataclass(frozen=True)
class Group:
    name: str
    min_rate: float
    source: str
    to_verify: bool


@dataclass(frozen=True)
class Groups:
    """The groups, highest first, and how many best units to praise when none is in the first."""

    groups: tuple[Group, ...]
    praise_top: int

    @property
    def first(self) -> str:
        return self.groups[0].name

    @property
    def last(self) -> str:
        return self.groups[-1].name

    def of(self, rate: float | None) -> str:
        """The group of a completion rate in percent ("" when nobody is enrolled)."""
        if rate is None:
            return ""
        for group in self.groups:
            if rate >= group.min_rate:
                return group.name
        return self.last


def parse(text: str) -> Groups:
    """The groups of a YAML text (see data/groups.yaml); ValueError when it makes no sense."""
    raw = yaml.safe_load(text) or {}
    groups = tuple(
        Group(
            name=str(g["name"]),
            min_rate=float(g["min_rate"]),
            source=str(g.get("source", "")),
            to_verify=bool(g.get("to_verify", True)),
        )
        for g in raw.get("groups", [])
    )
    if not groups:
        raise ValueError("no group")
    rates = [g.min_rate for g in groups]
    if rates != sorted(rates, reverse=True) or len(set(rates)) != len(rates):
        raise ValueError("groups must be listed from the highest threshold down")
    if groups[-1].min_rate > 0:
        raise ValueError("the last group must start at 0")
    return Groups(groups=groups, praise_top=int(raw.get("praise_top", 3)))


@functools.cache
def groups() -> Groups:
    """The groups in force (read once per process)."""
    return parse(DATA.read_text(encoding="utf-8"))
