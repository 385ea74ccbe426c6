"""Small template helpers for the evaluation pages."""

from __future__ import annotations

from typing import Any

from django import template

from opentemis.standards.rules import Level

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key`` with the key as a string or as it is (criterion numbers)."""
    if not mapping:
        return ""
    if hasattr(mapping, "get"):
        value = mapping.get(str(key))
        return mapping.get(key, "") if value is None else value
    return ""


@register.filter
def level_label(code: str) -> str:
    try:
        return Level.from_code(code).label
    except KeyError:
        return code or "—"


@register.filter
def contains(values: Any, item: Any) -> bool:
    return item in (values or ())


@register.filter
def roles(person: Any) -> str:
    """The person's positions, managers' first ("Hiệu trưởng"), from ``person.positions``
    (prefetch it for lists)."""
    positions = sorted(person.positions.all(), key=lambda p: (not p.is_manager, p.order))
    managing = [p.name for p in positions if p.is_manager]
    return ", ".join(managing or [p.name for p in positions])
