"""What the staff app does when a lower app tells it something (connected by ``apps.py``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from opentemis.orgs.signals import units_moved
from opentemis.staff.services import sync_staff_paths


@receiver(units_moved, dispatch_uid="staff-paths-follow-moved-units")
def follow_moved_units(sender: Any, *, prefix: str, **kwargs: Any) -> None:
    """People keep a copy of their unit's path (decision 0004): rewrite it under ``prefix``."""
    sync_staff_paths(prefix=prefix)
