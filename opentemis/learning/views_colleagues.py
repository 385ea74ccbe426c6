""" "Đồng nghiệp tôi hỗ trợ" (issue 14 item 3): a core teacher's colleagues of the year, each
one's course progress and what needs the core teacher now, beside their peer-support plan and
activities (kept by the cascade app)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.cascade.selectors import is_core, support_of
from opentemis.learning.colleagues import my_colleagues
from opentemis.orgs.models import SchoolYear
from opentemis.orgs.selectors import requested_school_year


@login_required
@require_GET
def colleagues(request: AuthenticatedRequest) -> HttpResponse:
    year = requested_school_year(request)
    found = my_colleagues(actor=request.user, school_year=year)
    plan, activities = support_of(request.user.person_id or 0, year)
    return render(
        request,
        "learning/colleagues.html",
        {
            "colleagues": found,
            "needing": sum(1 for c in found if c.needs),
            "is_core": is_core(request.user.person_id, year),
            "plan": plan,
            "activities": activities[:10],
            "year": year,
            "years": SchoolYear.objects.all(),
        },
    )
