from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Each test's files in its own folder (the default storage is local in the tests)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
