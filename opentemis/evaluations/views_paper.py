"""Paper fallback pages: download the template, upload and preview, confirm, result.

Only the school's evaluator of teachers (its principal) or a superuser gets here; anyone else
gets a 404 for the school. The checked file waits server-side between the preview and the
confirmation (:mod:`opentemis.evaluations.paper.uploads`); the session only remembers where.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from opentemis.accounts.read_audit import audit_read
from opentemis.core.http import XLSX, xlsx_response
from opentemis.evaluations.models import Cycle
from opentemis.evaluations.paper import (
    PaperCheck,
    PaperIssue,
    paper_import_apply,
    paper_import_check,
    paper_template_xlsx,
)
from opentemis.evaluations.paper.common import school_and_cycle
from opentemis.evaluations.paper.uploads import (
    StoredUpload,
    upload_discard,
    upload_read,
    upload_store,
)
from opentemis.orgs.models import Unit

SESSION_KEY = "paper_upload"


class PaperUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )


def _school_and_cycle(request: HttpRequest, unit_pk: int) -> tuple[Unit, Cycle]:
    """The school and cycle (``?cycle=`` or the posted one, else the current one); 404 outside
    the actor's reach (:func:`~opentemis.evaluations.paper.common.school_and_cycle`)."""
    cycle_id = request.POST.get("cycle") or request.GET.get("cycle")
    return school_and_cycle(actor=request.user, unit_pk=unit_pk, cycle_id=cycle_id)


@login_required
@require_http_methods(["GET", "POST"])
def paper_home(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """GET: download link and upload form. POST: check the upload and show the preview."""
    unit, cycle = _school_and_cycle(request, unit_pk)
    form = PaperUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"unit": unit, "cycle": cycle, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "evaluations/paper/home.html", context)
    upload = form.cleaned_data["file"]
    check = paper_import_check(actor=request.user, unit=unit, cycle=cycle, file=upload)
    _forget(request)
    if check.ok and check.to_save:
        stored = upload_store(upload)
        request.session[SESSION_KEY] = {"unit": unit.pk, "cycle": cycle.pk, **stored.as_dict()}
        context["token"] = stored.sha256
    context["check"] = check
    return render(
        request, "evaluations/paper/preview.html", context, status=200 if check.ok else 422
    )


@login_required
@require_POST
def paper_confirm(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Save the previewed file: all rows or none."""
    unit, cycle = _school_and_cycle(request, unit_pk)
    data = request.session.get(SESSION_KEY) or {}
    stored = StoredUpload.from_dict(data)
    content = None
    if (
        stored is not None
        and data.get("unit") == unit.pk
        and data.get("cycle") == cycle.pk
        and request.POST.get("token") == stored.sha256
    ):
        content = upload_read(stored)
    if stored is None or content is None:
        check = PaperCheck(
            errors=[
                PaperIssue(
                    _(
                        "The file to save is no longer available (the preview is outdated or "
                        "was already saved). Upload the file again."
                    )
                )
            ]
        )
        context = {"unit": unit, "cycle": cycle, "form": PaperUploadForm(), "check": check}
        return render(request, "evaluations/paper/preview.html", context, status=409)
    result = paper_import_apply(
        actor=request.user, unit=unit, cycle=cycle, file=_named(content, stored.original)
    )
    _forget(request)
    context = {"unit": unit, "cycle": cycle, "result": result, "check": result.check}
    return render(
        request, "evaluations/paper/result.html", context, status=200 if result.ok else 422
    )


@login_required
def paper_template(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit, cycle = _school_and_cycle(request, unit_pk)
    content = paper_template_xlsx(actor=request.user, unit=unit, cycle=cycle)
    audit_read(actor=request.user, action="reads.paper_template", unit=unit, obj=unit)
    return xlsx_response(content, f"danh-gia-tren-giay-{unit.code}-{cycle.school_year}.xlsx")


def _forget(request: HttpRequest) -> None:
    """Drop the pending upload of this session (its file too)."""
    stored = StoredUpload.from_dict(request.session.pop(SESSION_KEY, None))
    if stored is not None:
        upload_discard(stored)


def _named(content: bytes, name: str) -> io.BytesIO:
    """The stored bytes with the user's file name (for the audit log)."""
    stream = io.BytesIO(content)
    stream.name = name
    return stream
