"""Every app's messages, in its code and its templates, are in the Vietnamese catalogue with a
real translation and the same placeholders (the per-app tests check more for some apps)."""

from __future__ import annotations

import pytest

from tests.i18n import ROOT, problems, python_msgids, template_msgids

APPS = [
    "accounts",
    "core",
    "evaluations",
    "evidence",
    "jobs",
    "classes",
    "forums",
    "learning",
    "materials",
    "products",
    "quizzes",
    "surveys",
    "notifications",
    "orgs",
    "packages",
    "reports",
    "site",
    "staff",
    "standards",
]


@pytest.mark.parametrize("app", APPS)
def test_app_messages_are_translated(app: str) -> None:
    used = python_msgids(ROOT / "opentemis" / app) | template_msgids(
        ROOT / "opentemis" / "templates" / app
    )
    assert used, "the extraction found nothing: is the app's path right?"
    assert problems(used) == []
