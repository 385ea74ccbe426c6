"""Where an anonymous answer is filed, and which groups of answers may be shown (decision 0024).

**Generalised unit.** An answer carries no link to its author, but its unit would single them
out in a school of three. It is filed under the *deepest ancestor* of the learner's unit (the
unit itself first) that holds at least ``k`` learners of the course (``k``: the item set's
``min_group``, at least 5, Moodle feedback's minimum, bdtx.md §3), never above the course's
own unit. With fewer than ``k`` learners in the whole course, the course's unit.

**Withholding** (results of a survey and the TEMIS report's satisfaction part). A group of
answers is shown only with at least ``k`` answers; so that a withheld group cannot be
recovered by subtraction (the parent's figure minus its visible children), a withheld group
never stands alone: the smallest shown group next to it is withheld too (complementary
suppression, the rule ``reports.protection`` applies to small cells, decision 0009). And a unit
withheld in its parent's table is withheld in its own report too, where one more of its child
groups is then withheld if none was, so that its children do not add up to it (rule 3 of
``reports.protection``). :func:`withheld` decides this once for a chain of units, top down, so
that every page and report shows the same figure for a unit, or none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence

STEP = 4  # the unit tree's path step (orgs.Unit.steplen)
HERE = "*"  # a group key's suffix: the answers filed at the unit itself (generalised to it)


def prefixes(path: str, floor: str) -> list[str]:
    """The ancestors of the unit at ``path`` (itself first) down to ``floor``'s depth, deepest
    first; ``floor`` when ``path`` is not under it."""
    if not path.startswith(floor):
        return [floor]
    return [path[:n] for n in range(len(path), len(floor) - 1, -STEP) if n >= len(floor)]


def generalised_path(path: str, floor: str, count: Callable[[str], int], k: int) -> str:
    """The deepest of :func:`prefixes` whose subtree holds at least ``k`` learners
    (``count(prefix)``: the course's learners there, which may stop counting at ``k``)."""
    for prefix in prefixes(path, floor):
        if count(prefix) >= k:
            return prefix
    return floor


def chain_between(top: str, bottom: str) -> list[str]:
    """The unit paths from ``top`` down to ``bottom`` (both included); ``[top]`` when
    ``bottom`` is not under ``top``."""
    if not bottom.startswith(top):
        return [top]
    return [bottom[:n] for n in range(len(top), len(bottom) + 1, STEP)]


def suppress(counts: Mapping[str, int], minimum: int, forced: Collection[str] = ()) -> set[str]:
    """The groups to withhold: those under ``minimum`` (and those ``forced``), and while
    exactly one is withheld, the smallest shown one too (so no withheld group is the total
    minus the shown ones)."""
    hidden = {key for key, n in counts.items() if 0 < n < minimum or (n and key in forced)}
    while len(hidden) == 1:
        shown = sorted((n, key) for key, n in counts.items() if key not in hidden and n > 0)
        if not shown:
            break
        hidden.add(shown[0][1])
    return hidden


def group_key(path: str, parent: str) -> str:
    """The group of a stored ``path`` among ``parent``'s children: the child holding it, or
    ``parent + HERE`` for the answers filed at ``parent`` itself (generalised to it)."""
    return path[: len(parent) + STEP] if len(path) > len(parent) else parent + HERE


def withheld(
    counts: Mapping[str, int],
    chain: Sequence[str],
    minimum: int,
    forced: Collection[str] = (),
) -> set[str]:
    """The unit paths withheld, for the tables of every unit on ``chain``.

    ``counts``: answers per stored unit path (every answer under ``chain[0]``); ``chain``: unit
    paths from the top one down (each the parent of the next). The result holds ``chain[0]``
    when its total is under ``minimum``, and for each unit of the chain the keys of its child
    groups (:func:`group_key`) that its table withholds. A unit of the chain is withheld when
    its parent's table withholds it. ``forced``: group keys withheld whatever their count (the
    TEMIS report pools the year's courses: a unit whose figure some course withholds).
    """
    hidden: set[str] = set()
    top = sum(n for path, n in counts.items() if path.startswith(chain[0])) if chain else 0
    if chain and (0 < top < minimum or (top and chain[0] in forced)):
        hidden.add(chain[0])
    for parent in chain:
        groups: dict[str, int] = defaultdict(int)
        for path, n in counts.items():
            if path.startswith(parent) and n:
                groups[group_key(path, parent)] += n
        mine = suppress(groups, minimum, forced)
        if parent in hidden and not mine:
            # The unit itself is withheld: its children must not add up to it.
            shown = sorted((n, key) for key, n in groups.items() if n > 0)
            if shown:
                mine.add(shown[0][1])
        hidden |= mine
    return hidden
