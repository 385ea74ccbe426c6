from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Services' messages in English (the tests match them), whatever language an earlier
    request left active in the thread; pages still answer in Vietnamese (the middleware)."""
    with translation.override("en"):
        yield
