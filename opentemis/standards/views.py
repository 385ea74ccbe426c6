from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.permissions import actor_perms, require_superuser
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import xlsx_response
from opentemis.core.imports.flow import (
    pending_forget,
    pending_gone_message,
    pending_keep,
    pending_take,
)
from opentemis.orgs.models import SchoolYear
from opentemis.orgs.selectors import get_school_year
from opentemis.standards import selectors, services
from opentemis.standards.forms import FrameworkApplyForm, FrameworkUploadForm
from opentemis.standards.importer import framework_file_import
from opentemis.standards.models import Framework, FrameworkApplication
from opentemis.standards.xlsx import framework_template_xlsx, framework_to_xlsx

# The checked file waits server-side for the confirmation (the import framework's pending
# upload), so nothing is stored until the administrator confirms, and what is loaded is
# what the same file holds, checked again.
PENDING = "framework"


def _is_admin(request: AuthenticatedRequest) -> bool:
    # "To verify" notes are for the people who configure the year, not for every teacher.
    return request.user.is_superuser or Perm.MOVE_UNITS in actor_perms(request.user)


@login_required
def framework_list(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "frameworks": selectors.latest_frameworks(),
        "show_verify": _is_admin(request),
        "is_superuser": request.user.is_superuser,
    }
    return render(request, "standards/list.html", context)


@login_required
def framework_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    context = {
        "framework": framework,
        "standards": framework.standards.prefetch_related("criteria"),
        "show_verify": _is_admin(request),
        "is_superuser": request.user.is_superuser,
        "versions": Framework.objects.filter(code=framework.code).order_by("-version"),
    }
    return render(request, "standards/detail.html", context)


@login_required
def framework_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A stored version in the upload format, to edit it into a new version."""
    require_superuser(request.user)
    framework = get_object_or_404(Framework, pk=pk)
    content = framework_to_xlsx(selectors.framework_as_data(framework))
    return _download(content, f"{framework.code}_v{framework.version}.xlsx")


@login_required
def framework_template(request: AuthenticatedRequest) -> HttpResponse:
    require_superuser(request.user)
    return _download(framework_template_xlsx(), "khung_chuan_mau.xlsx")


def _download(content: bytes, filename: str) -> HttpResponse:
    return xlsx_response(content, filename)


@login_required
def framework_format(request: AuthenticatedRequest) -> HttpResponse:
    """The documentation of the file formats (docs/frameworks.md), shown as it is written."""
    require_superuser(request.user)
    path = Path(settings.BASE_DIR) / "docs" / "frameworks.md"
    if not path.is_file():
        raise Http404
    return render(request, "standards/format.html", {"text": path.read_text(encoding="utf-8")})


@login_required
def framework_upload(request: AuthenticatedRequest) -> HttpResponse:
    """Upload a YAML or xlsx file, preview what it would load, then confirm."""
    require_superuser(request.user)
    form = FrameworkUploadForm()
    context: dict[str, Any] = {}
    if request.method == "POST" and "token" in request.POST:
        return _upload_confirm(request)
    if request.method == "POST":
        form = FrameworkUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            check = framework_file_import(actor=request.user, file=upload, dry_run=True)
            pending_forget(request, kind=PENDING)
            context["check"] = check
            context["previews"] = check.previews
            if check.to_save:
                context["token"] = pending_keep(request, kind=PENDING, file=upload)
    context["form"] = form
    return render(request, "standards/upload.html", context)


def _upload_confirm(request: AuthenticatedRequest) -> HttpResponse:
    """Load the file checked earlier: checked again, every framework or none."""
    file = pending_take(request, kind=PENDING, token=request.POST.get("token"))
    if file is None:
        messages.error(request, pending_gone_message())
        return redirect("framework_upload")
    try:
        result = framework_file_import(actor=request.user, file=file, dry_run=False)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("framework_upload")
    if not result.written:
        problems = [i.message for i in result.errors]
        problems += [m for p in result.previews for m in p.errors]
        for message in problems or [_("Nothing to load: every framework is unchanged.")]:
            messages.error(request, message)
        return redirect("framework_upload")
    loaded = result.loaded
    for framework in loaded:
        messages.success(
            request,
            _("%(code)s version %(version)s is loaded.")
            % {"code": framework.code, "version": framework.version},
        )
    if len(loaded) == 1:
        return redirect("framework_detail", loaded[0].pk)
    return redirect("framework_list")


# ---------------------------------------------------------------------------------------------
# A school year: which framework applies to whom
# ---------------------------------------------------------------------------------------------


@login_required
def year_list(request: AuthenticatedRequest) -> HttpResponse:
    require_superuser(request.user)
    return render(request, "standards/years.html", {"years": SchoolYear.objects.all()})


def _year(code: str) -> SchoolYear:
    """The year the address names (404 if unknown): the one lookup of a requested year."""
    return get_school_year(code)


@login_required
def year_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    require_superuser(request.user)
    year = _year(code)
    form = FrameworkApplyForm()
    if request.method == "POST":
        form = FrameworkApplyForm(request.POST)
        if form.is_valid():
            try:
                services.framework_apply(
                    actor=request.user,
                    school_year=year,
                    framework=form.cleaned_data["framework"],
                    positions=form.cleaned_data["positions"],
                    levels=form.cleaned_data["levels"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The framework is applied."))
                return redirect("framework_year", year.code)
    context = {"year": year, "grid": selectors.year_grid(school_year=year), "form": form}
    return render(request, "standards/year.html", context, status=200)


@login_required
@require_POST
def year_defaults(request: AuthenticatedRequest, code: str) -> HttpResponse:
    require_superuser(request.user)
    year = _year(code)
    if services.framework_apply_defaults(school_year=year):
        messages.success(request, _("The default frameworks are applied."))
    else:
        messages.info(
            request,
            _("Nothing changed: this year is already configured (or the defaults are not loaded)."),
        )
    return redirect("framework_year", year.code)


@login_required
@require_POST
def application_remove(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    require_superuser(request.user)
    year = _year(code)
    application = get_object_or_404(FrameworkApplication, pk=pk, school_year=year)
    try:
        services.framework_application_remove(actor=request.user, application=application)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The application is removed."))
    return redirect("framework_year", year.code)
