"""The SCORM run-time data a player commits, and what it means for the learner (pure).

The player (scorm-again, ``dataCommitFormat: "flattened"``) posts the whole CMI as one JSON
object of dotted keys: ``{"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "80", ...}``.
:func:`clean` keeps only the keys of the package's SCORM version (``cmi.<element>...`` with the
elements below), refuses anything else that is not CMI, wrong types and oversized values;
:func:`judge` derives the learner's state and score:

* SCORM 1.2: ``cmi.core.lesson_status`` passed → passed, failed → failed, completed →
  complete, anything else → started; the score is ``cmi.core.score.raw`` on the scale of
  ``score.min`` to ``score.max`` (0 to 100 when they are not given), as a percentage;
* SCORM 2004: ``cmi.success_status`` passed/failed first, else ``cmi.completion_status``
  completed → complete, else started; the score is ``cmi.score.scaled`` (-1 to 1) as a percentage,
  else ``score.raw`` as for 1.2.

Scores are percentages (0 to 100, two decimals), clamped.
H5P xAPI results (:func:`judge_xapi`) are judged the same way.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opentemis.packages.models import Standard

MAX_KEYS = 4000
MAX_KEY = 255
MAX_VALUE = 64_000  # SCORM 2004's suspend_data (SPM 64000 characters)
MAX_BODY = 1024 * 1024

ELEMENTS: dict[str, frozenset[str]] = {
    Standard.SCORM12: frozenset(
        {
            "core",
            "suspend_data",
            "launch_data",
            "comments",
            "comments_from_lms",
            "objectives",
            "student_data",
            "student_preference",
            "interactions",
        }
    ),
    Standard.SCORM2004: frozenset(
        {
            "_version",
            "comments_from_learner",
            "comments_from_lms",
            "completion_status",
            "completion_threshold",
            "credit",
            "entry",
            "exit",
            "interactions",
            "launch_data",
            "learner_id",
            "learner_name",
            "learner_preference",
            "location",
            "max_time_allowed",
            "mode",
            "objectives",
            "progress_measure",
            "scaled_passing_score",
            "score",
            "session_time",
            "success_status",
            "suspend_data",
            "time_limit_action",
            "total_time",
        }
    ),
}
_KEY = re.compile(r"^(cmi|adl)(\.(?:_?[a-z][a-z_]{0,40}|\d{1,4}))+$")

#: What is given back to the player when the learner returns (everything else is the SCO's
#: to set again, or read-only and set by the player page).
RESUMED: dict[str, tuple[str, ...]] = {
    Standard.SCORM12: (
        "cmi.core.lesson_location",
        "cmi.core.lesson_status",
        "cmi.core.score.raw",
        "cmi.core.score.min",
        "cmi.core.score.max",
        "cmi.core.total_time",
        "cmi.suspend_data",
    ),
    Standard.SCORM2004: (
        "cmi.location",
        "cmi.completion_status",
        "cmi.success_status",
        "cmi.score.scaled",
        "cmi.score.raw",
        "cmi.score.min",
        "cmi.score.max",
        "cmi.progress_measure",
        "cmi.total_time",
        "cmi.suspend_data",
    ),
}


def _bad(message: str) -> ValidationError:
    return ValidationError(message, code="cmi")


def clean(standard: str, raw: Any) -> dict[str, str]:
    """The CMI keys of ``standard`` in ``raw`` (a flattened CMI object), values as text.
    Unknown elements under ``cmi.`` (and ``adl.`` navigation requests) are dropped; anything
    else refuses the whole commit."""
    if standard not in ELEMENTS:
        raise _bad(_("This package has no SCORM run-time data."))
    if not isinstance(raw, dict):
        raise _bad(_("The run-time data must be a JSON object."))
    if len(raw) > MAX_KEYS:
        raise _bad(_("The run-time data holds too many values."))
    elements = ELEMENTS[standard]
    kept: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or len(key) > MAX_KEY or not _KEY.match(key):
            raise _bad(
                _("The run-time data holds a key that is not SCORM: %(key)s.")
                % {"key": str(key)[:80]}
            )
        if isinstance(value, dict | list) and not value:
            continue  # an empty collection (no interactions yet), as scorm-again flattens it
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _bad(_("The run-time data holds a number that is not finite."))
            text = repr(value)
        elif isinstance(value, str):
            text = value
        elif value is None:
            text = ""
        else:
            raise _bad(
                _("The run-time data holds a value that is not text or a number: %(key)s.")
                % {"key": key[:80]}
            )
        if len(text) > MAX_VALUE or "\x00" in text:
            raise _bad(
                _("The run-time data holds a value that is too long: %(key)s.") % {"key": key[:80]}
            )
        parts = key.split(".")
        if parts[0] == "cmi" and parts[1] in elements:
            kept[key] = text
    return kept


def _decimal(value: str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _percent(number: Decimal) -> Decimal:
    number = min(max(number, Decimal(0)), Decimal(100))
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _raw_percent(raw: str | None, low: str | None, high: str | None) -> Decimal | None:
    value = _decimal(raw)
    if value is None:
        return None
    lo, hi = _decimal(low), _decimal(high)
    lo = lo if lo is not None else Decimal(0)
    hi = hi if hi is not None else Decimal(100)
    if hi <= lo:
        return None
    return _percent((value - lo) * 100 / (hi - lo))


def judge(standard: str, data: dict[str, str]) -> tuple[str, Decimal | None]:
    """(state, score as a percentage or None) of a learner's cleaned CMI."""
    if standard == Standard.SCORM12:
        status = data.get("cmi.core.lesson_status", "").strip().lower()
        state = {"passed": "passed", "failed": "failed", "completed": "complete"}.get(
            status, "started"
        )
        score = _raw_percent(
            data.get("cmi.core.score.raw"),
            data.get("cmi.core.score.min"),
            data.get("cmi.core.score.max"),
        )
        return state, score
    success = data.get("cmi.success_status", "").strip().lower()
    completion = data.get("cmi.completion_status", "").strip().lower()
    if success in ("passed", "failed"):
        state = success
    elif completion == "completed":
        state = "complete"
    else:
        state = "started"
    scaled = _decimal(data.get("cmi.score.scaled"))
    if scaled is not None and Decimal(-1) <= scaled <= Decimal(1):
        return state, _percent(scaled * 100)
    return state, _raw_percent(
        data.get("cmi.score.raw"), data.get("cmi.score.min"), data.get("cmi.score.max")
    )


def resumed(standard: str, data: dict[str, str]) -> dict[str, str]:
    """What the player is given back when the learner returns (``cmi.core.entry`` /
    ``cmi.entry`` "resume" when they left with ``exit`` "suspend")."""
    kept = {k: data[k] for k in RESUMED.get(standard, ()) if data.get(k)}
    if standard == Standard.SCORM12:
        if data.get("cmi.core.exit") == "suspend":
            kept["cmi.core.entry"] = "resume"
    elif data.get("cmi.exit") == "suspend":
        kept["cmi.entry"] = "resume"
    return kept


# --- H5P -----------------------------------------------------------------------------------

XAPI_VERBS = ("completed", "answered", "passed", "failed", "scored")


def clean_xapi(raw: Any) -> dict[str, Any] | None:
    """The result of an H5P xAPI statement that reports on the whole content (not a
    sub-question's), as ``{"verb", "scaled", "completion", "success"}``; None for one to
    ignore (another verb, a sub-content's statement, no result)."""
    if not isinstance(raw, dict):
        raise _bad(_("The statement must be a JSON object."))
    verb = raw.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(verb_id, str) or len(verb_id) > 300:
        raise _bad(_("The statement has no verb."))
    name = verb_id.rstrip("/").rsplit("/", 1)[-1]
    context = raw.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(activities, dict) and activities.get("parent"):
        return None  # a question inside the content: its parent reports the whole
    result = raw.get("result")
    if name not in XAPI_VERBS or not isinstance(result, dict):
        return None
    found = result.get("score")
    score: dict[str, Any] = found if isinstance(found, dict) else {}
    scaled = _number(score.get("scaled"))
    if scaled is None:
        raw_score, top = _number(score.get("raw")), _number(score.get("max"))
        low = _number(score.get("min")) or 0.0
        if raw_score is not None and top is not None and top > low:
            scaled = (raw_score - low) / (top - low)
    completion, success = result.get("completion"), result.get("success")
    return {
        "verb": name,
        "scaled": None if scaled is None else min(max(scaled, -1.0), 1.0),
        "completion": completion if isinstance(completion, bool) else None,
        "success": success if isinstance(success, bool) else None,
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def judge_xapi(result: dict[str, Any]) -> tuple[str, Decimal | None]:
    """(state, score as a percentage or None) of a cleaned H5P result: success true → passed,
    false → failed; else completion true (or the verb "completed") → complete; else started."""
    if result.get("success") is True:
        state = "passed"
    elif result.get("success") is False:
        state = "failed"
    elif result.get("completion") is True or result.get("verb") == "completed":
        state = "complete"
    else:
        state = "started"
    scaled = result.get("scaled")
    score = None if scaled is None else _percent(Decimal(str(scaled)) * 100)
    return state, score
