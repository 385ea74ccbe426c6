"""How much of a video a learner watched: pure, so that the page, the API and the tests judge
alike.

The player reports the intervals it played (``[[start, end], ...]`` in seconds, however it
likes: overlapping, repeated, unordered) and the position it stopped at. The server keeps the
union of everything reported (:func:`merge`), so sending the same report twice, or a report
that a later one contains, changes nothing: the writes are idempotent and a report lost on the
way is repaired by the next one (the player always sends all it has).

The watched share is the length of the union over the video's duration. The activity is done
when the share reaches ``activity.options["min_watch"]`` (0 < x ≤ 1, e.g. 0.8) or, with none
set, :data:`DEFAULT_MIN_WATCH` (90 %: the learner watched it to the end, closing credits
aside). Seeking forward never counts as watching.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Interval = tuple[float, float]

DEFAULT_MIN_WATCH = 0.9
#: A reported end may pass the stored duration by this much (containers round differently).
TOLERANCE = 1.0
#: At most this many intervals in one report, and kept per learner (merged ones are few:
#: a learner who skips around a lot still has tens).
MAX_INTERVALS = 500


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint intervals; touching ones are joined and
    empty ones dropped. ``merge([(5, 10), (0, 5), (20, 30), (8, 12)]) == [(0, 12), (20, 30)]``."""
    ordered = sorted((float(s), float(e)) for s, e in intervals if e > s)
    merged: list[Interval] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def watched_seconds(intervals: Iterable[Interval], duration: float) -> float:
    """Seconds of the video covered by the (merged) intervals, within [0, duration]."""
    total = 0.0
    for start, end in merge(intervals):
        total += max(0.0, min(end, duration) - max(start, 0.0))
    return total


def share(intervals: Iterable[Interval], duration: float) -> float:
    """The watched share of the video, 0 to 1 (0 for a video of no length)."""
    if duration <= 0:
        return 0.0
    return min(1.0, watched_seconds(intervals, duration) / duration)


def min_watch(options: Mapping[str, Any]) -> float:
    """The share that makes the activity done: the activity's ``min_watch`` when it is a
    number in (0, 1], else :data:`DEFAULT_MIN_WATCH`."""
    value = options.get("min_watch")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
        return float(value)
    return DEFAULT_MIN_WATCH


def is_done(watched_share: float, options: Mapping[str, Any]) -> bool:
    # Rounded as it is stored and shown, so "90 %" on the page is done.
    return round(watched_share, 4) >= min_watch(options)


def _number(value: Any, what: str, duration: float) -> float:
    if isinstance(value, bool):
        raise ValidationError(_("The %(what)s must be a number.") % {"what": what}, code="invalid")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("The %(what)s must be a number.") % {"what": what}, code="invalid"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(_("The %(what)s must be a number.") % {"what": what}, code="invalid")
    if number < 0 or number > duration + TOLERANCE:
        raise ValidationError(
            _("The %(what)s is outside the video (0 to %(max)s seconds).")
            % {"what": what, "max": round(duration)},
            code="out_of_range",
        )
    return min(number, duration)


def clean_report(position: Any, intervals: Any, duration: float) -> tuple[float, list[Interval]]:
    """A player's report checked: a position and intervals within the video, each interval
    ``[start, end]`` with start ≤ end; anything else is refused (nothing is guessed)."""
    where = _number(position, _("position"), duration)
    if intervals is None:
        intervals = []
    if not isinstance(intervals, list | tuple) or len(intervals) > MAX_INTERVALS:
        raise ValidationError(
            _("The watched parts must be a list of at most %(n)s [start, end] pairs.")
            % {"n": MAX_INTERVALS},
            code="invalid",
        )
    cleaned: list[Interval] = []
    for pair in intervals:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValidationError(
                _("Each watched part must be a [start, end] pair."), code="invalid"
            )
        start = _number(pair[0], _("start of a watched part"), duration)
        end = _number(pair[1], _("end of a watched part"), duration)
        if end < start:
            raise ValidationError(_("A watched part ends before it starts."), code="invalid")
        cleaned.append((start, end))
    return where, cleaned


def stored_intervals(data: Mapping[str, Any]) -> list[Interval]:
    """The intervals kept in a progress row's ``data`` (ignoring anything malformed)."""
    found: list[Interval] = []
    for pair in data.get("intervals") or []:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            try:
                found.append((float(pair[0]), float(pair[1])))
            except (TypeError, ValueError):
                continue
    return found
