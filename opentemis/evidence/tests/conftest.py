"""Evidence fixtures: files land in a temporary MEDIA_ROOT, never in var/."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from tests.factories import PersonFactory, make_user


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    root = tmp_path / "media"
    root.mkdir()
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


@pytest.fixture
def colleague(world: Any) -> Any:
    """Another teacher of school A1 (same school as teacher_a1, not an evaluator)."""
    person = PersonFactory(unit=world.school_a1, full_name="Đỗ Thị Lan", staff_code="GVA3")
    return make_user("teacher_a3", role="teacher", unit=world.school_a1, person=person)
