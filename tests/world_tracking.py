"""The tracking app's things for the route matrix (tests/test_route_matrix.py), built on the
shared course (tests/learning_world.py): ``tracking.unit`` is province A, whose week is taken
(teacher A1 enrolled in province A's course), read by province A's officer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from opentemis.tracking import snapshot
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("tracking.unit",)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "tracking_unit": {"pk": "tracking.unit"},
    "tracking_remind": {"pk": "tracking.unit"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "tracking_export": {"pk": "tracking.unit"},
    "tracking_snapshot": {"pk": "tracking.unit"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {"/api/v1/tracking/units/": "tracking.unit"}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: province A's officer)."""
    snapshot.take(timezone.localdate())
    return {"tracking.unit": (lw.w.province_a.pk, lw.w.officer_a)}
