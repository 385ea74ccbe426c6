"""The loop app's things for the route matrix (tests/test_route_matrix.py), built on the
shared course (tests/learning_world.py)."""

from __future__ import annotations

from typing import Any

from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ()
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it)."""
    return {}
