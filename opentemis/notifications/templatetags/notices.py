"""``{% unread_notice_count as n %}``: the header's unread count (one COUNT, signed-in only)."""

from __future__ import annotations

from typing import Any

from django import template

from opentemis.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notice_count(context: Any) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notices", None)
    if cached is None:
        cached = unread_count(actor=user)
        if request is not None:
            request._unread_notices = cached
    return cached
