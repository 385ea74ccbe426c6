"""How a question is checked, what a response may be, and how attempts make the grade (pure).

Per kind (a grade is a fraction 0..1 of the question's points):

* **single** (một lựa chọn): the response is the index of the chosen option; 1 if it is a
  correct one, else 0.
* **multiple** (nhiều lựa chọn): the response is the list of chosen indexes; (correct chosen -
  wrong chosen) / number of correct options, never below 0. Choosing everything scores 0.
* **truefalse**: the response is ``true`` / ``false``; 1 if it equals the answer.
* **numeric**: the response is text ("3,5" and "3.5" both mean three and a half); the best
  ``fraction`` of the answers whose value it equals within ``tolerance``.
* **short** (trả lời ngắn): the response is text, compared with each accepted answer after
  Unicode NFC normalisation, trimming and collapsing spaces; letter case is ignored unless the
  question is case sensitive. **Diacritics always count**: in Vietnamese they change the word
  ("ma", "má", "mà" are different words), so "danh gia" does not match "đánh giá"; the same
  word typed in composed or decomposed Unicode (two keyboards) does match. The best
  ``fraction`` of the matching answers.

A test's score is on 10: sum(grade * points) / sum(points) * 10, rounded to 2 decimals. Across
finished attempts (Moodle's grading methods): the highest, the last, the first, or the average.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opentemis.quizzes.models import Grading, QuestionKind

MAX_TEXT_RESPONSE = 500
MAX_CHOICES = 10
ZERO = Decimal(0)
ONE = Decimal(1)
TEN = Decimal(10)
CENT = Decimal("0.01")


def parse_number(value: Any) -> Decimal | None:
    """A number typed by a person: "3,5", "3.5", " -2 "; ``None`` if it is not one."""
    if isinstance(value, bool):
        return None
    text = str(value).strip().replace(" ", "").replace(",", ".")
    if not text or len(text) > 40:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def normal_text(value: Any, case_sensitive: bool = False) -> str:
    text = " ".join(unicodedata.normalize("NFC", str(value or "")).split())
    return text if case_sensitive else text.casefold()


def _fraction(value: Any) -> Decimal:
    number = parse_number(value)
    if number is None:
        return ONE
    return min(max(number, ZERO), ONE)


# --- what a question may say -------------------------------------------------------------------


def clean_data(kind: str, data: Any) -> dict[str, Any]:
    """A question's ``data`` checked and normalised; a clear message when it cannot be asked."""
    data = data if isinstance(data, dict) else {}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        raw = data.get("choices")
        choices = []
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict):
                continue
            text = " ".join(str(item.get("text") or "").split())[:1000]
            if text:
                choices.append({"text": text, "correct": bool(item.get("correct"))})
        if len(choices) < 2:
            raise ValidationError(_("A choice question needs at least two options."))
        if len(choices) > MAX_CHOICES:
            raise ValidationError(_("A question has at most %(n)s options.") % {"n": MAX_CHOICES})
        correct = sum(1 for c in choices if c["correct"])
        if correct == 0:
            raise ValidationError(_("Mark at least one correct option."))
        if kind == QuestionKind.SINGLE and correct > 1:
            raise ValidationError(_("A single-choice question has exactly one correct option."))
        return {"choices": choices}
    if kind == QuestionKind.TRUEFALSE:
        answer = data.get("answer")
        if not isinstance(answer, bool):
            raise ValidationError(_("Say whether the statement is true or false."))
        return {"answer": answer}
    if kind == QuestionKind.NUMERIC:
        answers = []
        for item in data.get("answers") or []:
            if not isinstance(item, dict):
                continue
            value = parse_number(item.get("value"))
            tolerance = parse_number(item.get("tolerance", 0)) or ZERO
            if value is None or tolerance < 0:
                raise ValidationError(_("A numeric answer must be a number."))
            answers.append(
                {
                    "value": str(value),
                    "tolerance": str(abs(tolerance)),
                    "fraction": str(_fraction(item.get("fraction", 1))),
                }
            )
        if not answers or not any(Decimal(a["fraction"]) == ONE for a in answers):
            raise ValidationError(_("Give the correct number."))
        return {"answers": answers[:MAX_CHOICES]}
    if kind == QuestionKind.SHORT:
        answers = []
        for item in data.get("answers") or []:
            if not isinstance(item, dict):
                continue
            text = " ".join(unicodedata.normalize("NFC", str(item.get("text") or "")).split())
            if text:
                answers.append(
                    {
                        "text": text[:MAX_TEXT_RESPONSE],
                        "fraction": str(_fraction(item.get("fraction", 1))),
                    }
                )
        if not answers or not any(Decimal(a["fraction"]) == ONE for a in answers):
            raise ValidationError(_("Give at least one accepted answer."))
        return {"answers": answers[:20], "case_sensitive": bool(data.get("case_sensitive"))}
    raise ValidationError(_("Unknown kind of question."))


# --- what a learner may answer -----------------------------------------------------------------


def clean_response(kind: str, data: dict[str, Any], response: Any) -> Any:
    """A response as stored (see the module docstring); ``None`` clears it. Anything else is a
    ValidationError (the page never sends it; a hostile client may)."""
    if response is None or response == "" or response == []:
        return None
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        count = len(data.get("choices") or [])
        values = response if isinstance(response, list) else [response]
        indexes = set()
        for value in values:
            try:
                index = int(value)
            except (TypeError, ValueError):
                raise ValidationError(_("This option does not exist.")) from None
            if isinstance(value, bool) or not 0 <= index < count:
                raise ValidationError(_("This option does not exist."))
            indexes.add(index)
        if kind == QuestionKind.SINGLE:
            if len(indexes) != 1:
                raise ValidationError(_("Choose one option."))
            return indexes.pop()
        return sorted(indexes)
    if kind == QuestionKind.TRUEFALSE:
        if isinstance(response, bool):
            return response
        text = str(response).strip().lower()
        if text in ("true", "1", "đúng"):
            return True
        if text in ("false", "0", "sai"):
            return False
        raise ValidationError(_("Answer true or false."))
    if kind in (QuestionKind.NUMERIC, QuestionKind.SHORT):
        if not isinstance(response, str | int | float) or isinstance(response, bool):
            raise ValidationError(_("Type your answer."))
        text = " ".join(unicodedata.normalize("NFC", str(response)).split())
        if len(text) > MAX_TEXT_RESPONSE:
            raise ValidationError(
                _("The answer is too long (at most %(n)s characters).") % {"n": MAX_TEXT_RESPONSE}
            )
        return text or None
    raise ValidationError(_("Unknown kind of question."))


# --- checking ----------------------------------------------------------------------------------


def grade(kind: str, data: dict[str, Any], response: Any) -> Decimal:
    """The fraction 0..1 of the points a stored response earns (module docstring)."""
    if response is None:
        return ZERO
    if kind == QuestionKind.SINGLE:
        choices = data.get("choices") or []
        ok = isinstance(response, int) and 0 <= response < len(choices)
        return ONE if ok and choices[response]["correct"] else ZERO
    if kind == QuestionKind.MULTIPLE:
        choices = data.get("choices") or []
        correct = sum(1 for c in choices if c["correct"])
        chosen = {i for i in response if isinstance(i, int) and 0 <= i < len(choices)}
        right = sum(1 for i in chosen if choices[i]["correct"])
        wrong = len(chosen) - right
        if not correct:
            return ZERO
        return max(ZERO, Decimal(right - wrong) / Decimal(correct)).quantize(Decimal("0.0001"))
    if kind == QuestionKind.TRUEFALSE:
        return ONE if response is data.get("answer") else ZERO
    if kind == QuestionKind.NUMERIC:
        number = parse_number(response)
        if number is None:
            return ZERO
        best = ZERO
        for answer in data.get("answers") or []:
            if abs(number - Decimal(answer["value"])) <= Decimal(answer["tolerance"]):
                best = max(best, Decimal(answer["fraction"]))
        return best
    if kind == QuestionKind.SHORT:
        sensitive = bool(data.get("case_sensitive"))
        given = normal_text(response, sensitive)
        best = ZERO
        for answer in data.get("answers") or []:
            if normal_text(answer["text"], sensitive) == given:
                best = max(best, Decimal(answer["fraction"]))
        return best
    return ZERO


def correct_response(kind: str, data: dict[str, Any]) -> Any:
    """The response that earns everything (shown on the result page)."""
    if kind == QuestionKind.SINGLE:
        return next(i for i, c in enumerate(data["choices"]) if c["correct"])
    if kind == QuestionKind.MULTIPLE:
        return [i for i, c in enumerate(data["choices"]) if c["correct"]]
    if kind == QuestionKind.TRUEFALSE:
        return data["answer"]
    answers = [a for a in data.get("answers") or [] if Decimal(a["fraction"]) == ONE]
    if kind == QuestionKind.NUMERIC:
        return answers[0]["value"] if answers else ""
    return answers[0]["text"] if answers else ""


def score_on_ten(marks: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """(grade fraction, points) of every slot -> the score on 10, to 2 decimals."""
    total = sum((points for _g, points in marks), ZERO)
    if total <= 0:
        return ZERO
    earned = sum((g * points for g, points in marks), ZERO)
    return (earned / total * TEN).quantize(CENT, rounding=ROUND_HALF_UP)


def overall(method: str, scores: Sequence[Decimal]) -> Decimal | None:
    """The grade of the test from the finished attempts' scores, in the attempts' order."""
    if not scores:
        return None
    if method == Grading.LAST:
        return scores[-1]
    if method == Grading.FIRST:
        return scores[0]
    if method == Grading.AVERAGE:
        return (sum(scores, ZERO) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(scores)
