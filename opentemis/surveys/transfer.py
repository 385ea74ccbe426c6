"""A survey in a module package: the reference of its item set (the items ship with the
app's data, so a package carries only the version)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentemis.surveys import items
from opentemis.surveys.models import Survey


def export_survey(activity: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    survey = Survey.objects.filter(activity=activity).first()
    return {"item_set": survey.item_set if survey else items.default_version()}, {}


def import_survey(activity: Any, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    version = str(data.get("item_set") or "")
    if version not in items.item_sets():
        version = items.default_version()  # an unknown version: the one shipped now
    Survey.objects.update_or_create(activity=activity, defaults={"item_set": version})
