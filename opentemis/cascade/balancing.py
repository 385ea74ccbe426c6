"""Who supports whom: the balancing rule that gives each mass teacher one core teacher for a
year (issue 14 item 2; bdtx.md R12). Pure functions over plain tuples: the service
(``services.caseload_balance``) reads the people in a few set-wise queries, calls
:func:`balance`, and writes the result with one bulk insert.

The rule, in order of preference for each learner:

1. a core teacher of the same **subject** and the same **school level**; then the same subject
   at another level; then the same level in another subject; then anyone;
2. within each of those, the nearest by **place**: the same school, then the same commune or
   former district (one step up the unit tree at a time), then the whole unit asked;
3. **balanced**: a first pass fills each core teacher only up to the group's even share, a
   second up to the maximum (``data/caseload.yaml``); the least loaded nearest one is taken.

Nobody is ever given more than the maximum; an existing assignment is never changed here.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "caseload.yaml"
STEP = 4  # orgs.Unit.steplen: one level of the unit tree in a path


@dataclass(frozen=True)
class Settings:
    max_per_core: int
    learner_positions: tuple[str, ...]
    version: str = ""


@functools.cache
def settings() -> Settings:
    """The caseload figures in force (the data file, read once)."""
    with DATA.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return Settings(
        max_per_core=int(data["max_per_core"]),
        learner_positions=tuple(data["learner_positions"]),
        version=str(data.get("version", "")),
    )


@dataclass(frozen=True)
class Member:
    """A learner or a core teacher as the rule sees them: id, unit path, subject, level."""

    id: int
    path: str
    subject: int | None
    level: str | None


Key = Callable[[Member], Hashable | None]


def _both(m: Member) -> Hashable | None:
    return None if m.subject is None or m.level is None else (m.subject, m.level)


def _subject(m: Member) -> Hashable | None:
    return m.subject


def _level(m: Member) -> Hashable | None:
    return m.level


def _anyone(m: Member) -> Hashable | None:
    return ()


#: Subject and level, subject, level, anyone: "by subject, then school level, then place".
TIERS: tuple[Key, ...] = (_both, _subject, _level, _anyone)


def balance(
    learners: Iterable[Member], cores: Iterable[Member], load: dict[int, int], max_per_core: int
) -> dict[int, int]:
    """learner id -> core id for as many ``learners`` as capacity allows. ``load`` (core id ->
    learners already theirs) is updated in place; nobody goes past ``max_per_core``."""
    remaining = sorted(learners, key=lambda m: (m.path, m.id))
    core_list = sorted(cores, key=lambda m: (m.path, m.id))
    for core in core_list:
        load.setdefault(core.id, 0)
    assigned: dict[int, int] = {}
    for key in TIERS:
        if not remaining:
            break
        by_key_learners: dict[Hashable, list[Member]] = defaultdict(list)
        left: list[Member] = []
        for m in remaining:
            k = key(m)
            if k is None:
                left.append(m)
            else:
                by_key_learners[k].append(m)
        by_key_cores: dict[Hashable, list[Member]] = defaultdict(list)
        for c in core_list:
            k = key(c)
            if k is not None and k in by_key_learners:
                by_key_cores[k].append(c)
        for k, group in by_key_learners.items():
            group_cores = by_key_cores.get(k, [])
            if not group_cores:
                left.extend(group)
                continue
            share = math.ceil(
                (len(group) + sum(load[c.id] for c in group_cores)) / len(group_cores)
            )
            for cap in (min(share, max_per_core), max_per_core):
                group = _by_place(group, group_cores, load, cap, assigned)
                if not group:
                    break
            left.extend(group)
        remaining = sorted(left, key=lambda m: (m.path, m.id))
    return assigned


def _by_place(
    learners: list[Member],
    cores: list[Member],
    load: dict[int, int],
    cap: int,
    assigned: dict[int, int],
) -> list[Member]:
    """Give ``learners`` the least loaded core teacher below ``cap`` under the deepest shared
    unit: the same school first, then one step up the tree at a time. Returns who is left."""
    if not learners:
        return []
    deepest = max(len(m.path) for m in [*learners, *cores])
    for width in range(deepest - deepest % STEP, -1, -STEP):
        heaps: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        for c in cores:
            if load[c.id] < cap:
                heaps[c.path[:width]].append((load[c.id], c.path, c.id))
        if not heaps:
            break
        for pool in heaps.values():
            heapq.heapify(pool)
        left = []
        for m in learners:
            heap = heaps.get(m.path[:width])
            if not heap:
                left.append(m)
                continue
            n, path, core_id = heapq.heappop(heap)
            assigned[m.id] = core_id
            load[core_id] = n + 1
            if n + 1 < cap:
                heapq.heappush(heap, (n + 1, path, core_id))
        learners = left
        if not learners:
            break
    return learners
