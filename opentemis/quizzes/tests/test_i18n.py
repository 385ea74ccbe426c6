"""Every message of the quizzes app is in the Vietnamese catalogue."""

from __future__ import annotations

from pathlib import Path

from tests.i18n import problems, python_msgids, template_msgids

APP = Path(__file__).resolve().parent.parent


def test_every_message_is_translated() -> None:
    used = python_msgids(APP) | template_msgids(APP / "templates")
    assert len(used) > 100
    assert problems(used) == []
