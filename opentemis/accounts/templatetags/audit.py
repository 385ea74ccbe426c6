"""``{% describe_events events here=obj as entries %}``: audit events as sentences (see
accounts/audit_text.py), for the history shown on a record's own page."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.db import models

from opentemis.accounts.audit_text import Entry, describe
from opentemis.accounts.models import AuditEvent

register = template.Library()


@register.simple_tag
def describe_events(events: Iterable[AuditEvent], here: models.Model | None = None) -> list[Entry]:
    return describe(events, here=here)
