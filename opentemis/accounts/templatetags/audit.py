"""``{% describe_events events here=obj as entries %}``: audit events as sentences (see
accounts/audit_text.py), for the history shown on a record's own page."""

from __future__ import annotations

from typing import Any

from django import template

from opentemis.accounts.audit_text import Entry, describe

register = template.Library()


@register.simple_tag
def describe_events(events: Any, here: Any = None) -> list[Entry]:
    return describe(events, here=here)
