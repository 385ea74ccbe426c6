"""Staff spreadsheet pages: import (form, errors, summary, confirmation of a checked file),
template download, list export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import XLSX, xlsx_response
from opentemis.core.imports.flow import (
    pending_forget,
    pending_gone_message,
    pending_keep,
    pending_take,
)
from opentemis.core.imports.issues import Issue
from opentemis.core.params import id_param
from opentemis.core.replicas import reads_from_replica
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import default_unit, get_unit_for_user, root_units
from opentemis.staff import excel
from opentemis.staff.forms import StaffFilterForm
from opentemis.staff.sensitive import SensitiveDataDenied
from opentemis.staff.views import sensitive_denied

PENDING = "staff"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Staff list (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file, do not save anything"), required=False
    )


def _import_unit(request: AuthenticatedRequest) -> Unit:
    """The unit from ``?unit=`` (404 outside the user's import reach) or their default unit."""
    unit_id = id_param(request.POST, "unit") or id_param(request.GET, "unit")
    if unit_id is not None:
        return get_unit_for_user(actor=request.user, pk=unit_id, perm=Perm.IMPORT_STAFF)
    unit = default_unit(actor=request.user, perm=Perm.IMPORT_STAFF)
    if unit is None:
        raise Http404
    return unit


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@login_required
@require_http_methods(["GET", "POST"])
def staff_import(request: AuthenticatedRequest) -> HttpResponse:
    """Import at once, or only check (the box) and then confirm the file kept server-side."""
    unit = _import_unit(request)
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request, unit)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    token = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        result = excel.staff_import(actor=request.user, unit=unit, file=upload, dry_run=dry_run)
        pending_forget(request, kind=PENDING)
        if result.dry_run and result.ok and result.to_save:
            token = pending_keep(request, kind=PENDING, file=upload, bound={"unit": unit.pk})
    return _import_page(request, unit, form, result, token)


def _import_confirm(request: AuthenticatedRequest, unit: Unit) -> HttpResponse:
    """Save the file checked earlier (kept server-side): checked again, all rows or none."""
    file = pending_take(
        request, kind=PENDING, token=request.POST.get("token"), bound={"unit": unit.pk}
    )
    if file is None:
        gone = excel.ImportResult(errors=[Issue(pending_gone_message())])
        return _import_page(request, unit, ImportForm(), gone, "", status=409)
    result = excel.staff_import(actor=request.user, unit=unit, file=file)
    return _import_page(request, unit, ImportForm(), result, "")


def _import_page(
    request: AuthenticatedRequest,
    unit: Unit,
    form: ImportForm,
    result: excel.ImportResult | None,
    token: str,
    status: int | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "units": root_units(actor=request.user, perm=Perm.IMPORT_STAFF),
        "result": result,
        "token": token,
    }
    if status is None:
        status = 422 if result is not None and not result.ok else 200
    return render(request, "staff/import.html", context, status=status)


@login_required
def staff_template(request: AuthenticatedRequest) -> HttpResponse:
    unit = _import_unit(request)
    content = excel.staff_template_xlsx(actor=request.user, unit=unit)
    return xlsx_response(content, f"mau-danh-sach-can-bo-{unit.code}.xlsx")


@login_required
@reads_from_replica
def staff_export(request: AuthenticatedRequest) -> HttpResponse:
    """The staff list with the list page's filters, as an .xlsx that re-imports."""
    if perm_paths(request.user, Perm.VIEW_STAFF) == ():
        raise Http404
    unit_id = id_param(request.GET, "unit")
    unit = None
    if unit_id is not None:
        unit = get_unit_for_user(actor=request.user, pk=unit_id, perm=Perm.VIEW_STAFF)
    filters = StaffFilterForm(request.GET or None).to_filter(unit)
    try:
        stream = excel.export_staff_xlsx(actor=request.user, filters=filters)
    except SensitiveDataDenied as exc:
        return sensitive_denied(request, exc)
    name = f"danh-sach-can-bo-{unit.code if unit else 'tat-ca'}-{_stamp()}.xlsx"
    return xlsx_response(stream, name)
