"""Paper fallback pages: download the template, upload and preview, confirm, result.

Only the school's evaluator of teachers (its principal) or a superuser gets here; anyone else
gets a 404 for the school. The checked file waits server-side between the preview and the
confirmation (:func:`opentemis.core.imports.flow.pending_keep`); the session only remembers
where.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from opentemis.accounts.read_audit import audit_read
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import XLSX, xlsx_response
from opentemis.core.imports.flow import (
    pending_forget,
    pending_gone_message,
    pending_keep,
    pending_take,
)
from opentemis.core.imports.issues import Issue
from opentemis.evaluations.models import Cycle
from opentemis.evaluations.paper import (
    PaperCheck,
    paper_import_apply,
    paper_import_check,
    paper_template_xlsx,
)
from opentemis.evaluations.paper.common import school_and_cycle
from opentemis.orgs.models import Unit

PENDING = "paper"


class PaperUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )


def _school_and_cycle(request: AuthenticatedRequest, unit_pk: int) -> tuple[Unit, Cycle]:
    """The school and cycle (``?cycle=`` or the posted one, else the current one); 404 outside
    the actor's reach (:func:`~opentemis.evaluations.paper.common.school_and_cycle`)."""
    cycle_id = request.POST.get("cycle") or request.GET.get("cycle")
    return school_and_cycle(actor=request.user, unit_pk=unit_pk, cycle_id=cycle_id)


@login_required
@require_http_methods(["GET", "POST"])
def paper_home(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    """GET: download link and upload form. POST: check the upload and show the preview."""
    unit, cycle = _school_and_cycle(request, unit_pk)
    form = PaperUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"unit": unit, "cycle": cycle, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "evaluations/paper/home.html", context)
    upload = form.cleaned_data["file"]
    check = paper_import_check(actor=request.user, unit=unit, cycle=cycle, file=upload)
    pending_forget(request, kind=PENDING)
    if check.ok and check.to_save:
        context["token"] = pending_keep(
            request, kind=PENDING, file=upload, bound=_bound(unit, cycle)
        )
    context["check"] = check
    return render(
        request, "evaluations/paper/preview.html", context, status=200 if check.ok else 422
    )


@login_required
@require_POST
def paper_confirm(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    """Save the previewed file: all rows or none."""
    unit, cycle = _school_and_cycle(request, unit_pk)
    file = pending_take(
        request, kind=PENDING, token=request.POST.get("token"), bound=_bound(unit, cycle)
    )
    if file is None:
        check = PaperCheck(errors=[Issue(pending_gone_message())])
        context = {"unit": unit, "cycle": cycle, "form": PaperUploadForm(), "check": check}
        return render(request, "evaluations/paper/preview.html", context, status=409)
    result = paper_import_apply(actor=request.user, unit=unit, cycle=cycle, file=file)
    context = {"unit": unit, "cycle": cycle, "result": result, "check": result.check}
    return render(
        request, "evaluations/paper/result.html", context, status=200 if result.ok else 422
    )


@login_required
def paper_template(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    unit, cycle = _school_and_cycle(request, unit_pk)
    content = paper_template_xlsx(actor=request.user, unit=unit, cycle=cycle)
    audit_read(actor=request.user, action="reads.paper_template", unit=unit, obj=unit)
    return xlsx_response(content, f"danh-gia-tren-giay-{unit.code}-{cycle.school_year}.xlsx")


def _bound(unit: Unit, cycle: Cycle) -> dict[str, int]:
    """What a kept file was checked for: its confirmation must be for the same."""
    return {"unit": unit.pk, "cycle": cycle.pk}
