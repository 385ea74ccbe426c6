"""What events of tests say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

GRADING = {
    "highest": _("Highest grade"),
    "last": _("Last attempt"),
    "average": _("Average of the attempts"),
    "first": _("First attempt"),
}
OUTCOMES = {"new": _("new question"), "version": _("new version"), "same": _("unchanged")}


def _said(words: dict[str, Any]) -> Callable[[Any], str]:
    return lambda value: str(words.get(str(value), value))


register(
    actions={
        "quizzes.category_add": Sentence(
            _("%(actor)s added a category to the question bank %(object)s."),
            labels={"name": _("Name")},
        ),
        "quizzes.question_save": Sentence(
            _("%(actor)s saved a question of the question bank %(object)s."),
            labels={"question": _("Question"), "outcome": _("Outcome")},
            formats={"outcome": _said(OUTCOMES)},
        ),
        "quizzes.question_archive": Sentence(
            _("%(actor)s removed a question from the draws of the bank %(object)s."),
            labels={"question": _("Question")},
        ),
        "quizzes.bank_import": Sentence(
            _("%(actor)s imported questions into the question bank %(object)s."),
            labels={
                "file": _("File"),
                "added": _("Added"),
                "versions": _("New versions"),
                "unchanged": _("Unchanged"),
                "skipped": _("Skipped"),
            },
        ),
        "quizzes.quiz_setup": Sentence(
            _("%(actor)s set up the test %(object)s."),
            labels={
                "draws": _("Questions drawn"),
                "time_limit": _("Time limit"),
                "attempts": _("Attempts allowed"),
                "grading": _("Grading method"),
                "pass_mark": _("Pass mark"),
            },
            formats={"grading": _said(GRADING)},
        ),
    }
)
