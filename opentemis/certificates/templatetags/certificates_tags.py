"""``{% may_issue_certificates course as ok %}``: whether the signed-in user issues the
certificates of ``course`` (``selectors.may_issue_for_course``), for the "issue certificates"
button on the learning app's progress page (learning sits below certificates and cannot ask)."""

from __future__ import annotations

from typing import Any

from django import template

from opentemis.certificates.selectors import may_issue_for_course
from opentemis.learning.models import Course

register = template.Library()


@register.simple_tag(takes_context=True)
def may_issue_certificates(context: Any, course: Course) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return may_issue_for_course(user, course)
