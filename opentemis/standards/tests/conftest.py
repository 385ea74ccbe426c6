"""Fixtures of the standards tests: the built-in frameworks, a system administrator, and
Vietnamese (the main catalogue, locale/vi/LC_MESSAGES/django.po)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation


@pytest.fixture
def vi() -> Any:
    """Activate Vietnamese: messages come from the main catalogue, as for users."""
    with translation.override("vi"):
        yield


@pytest.fixture
def builtins(db: Any) -> dict[str, Any]:
    from opentemis.standards.services import load_builtin_frameworks

    return {fw.code: fw for fw in load_builtin_frameworks()}


@pytest.fixture
def root(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="root", password="x")
