"""Staff spreadsheet pages: import (form, errors, summary), template download, list export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.roles import Perm
from opentemis.core.http import XLSX, xlsx_response
from opentemis.core.params import id_param
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import default_unit, get_unit_for_user, root_units
from opentemis.staff import excel
from opentemis.staff.forms import StaffFilterForm
from opentemis.staff.sensitive import SensitiveDataDenied
from opentemis.staff.views import sensitive_denied


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Staff list (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file, do not save anything"), required=False
    )


def _import_unit(request: HttpRequest) -> Unit:
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
def staff_import(request: HttpRequest) -> HttpResponse:
    unit = _import_unit(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = excel.staff_import(
            actor=request.user,
            unit=unit,
            file=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "units": root_units(actor=request.user, perm=Perm.IMPORT_STAFF),
        "result": result,
    }
    status = 422 if result is not None and not result.ok else 200
    return render(request, "staff/import.html", context, status=status)


@login_required
def staff_template(request: HttpRequest) -> HttpResponse:
    unit = _import_unit(request)
    content = excel.staff_template_xlsx(actor=request.user, unit=unit)
    return xlsx_response(content, f"mau-danh-sach-can-bo-{unit.code}.xlsx")


@login_required
def staff_export(request: HttpRequest) -> HttpResponse:
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
