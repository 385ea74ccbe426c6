"""The BDTX catalogue pages: for system administrators (the national configuration, like the
frameworks' pages); everyone else gets 404. The API reads the same selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.permissions import require_superuser
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import xlsx_response
from opentemis.core.imports.flow import (
    pending_forget,
    pending_gone_message,
    pending_keep,
    pending_take,
)
from opentemis.orgs.models import SchoolLevel, SchoolYear
from opentemis.orgs.selectors import requested_school_year
from opentemis.training import selectors, services
from opentemis.training.forms import LocalContentForm, ModuleForm, TrainingUploadForm
from opentemis.training.importer import training_file_import
from opentemis.training.models import ProgrammeContent, Title
from opentemis.training.xlsx_export import catalogue_to_xlsx, template_xlsx

PENDING = "training"


@login_required
def catalogue_list(request: AuthenticatedRequest) -> HttpResponse:
    require_superuser(request.user)
    year = requested_school_year(request)
    context = {
        "year": year,
        "years": SchoolYear.objects.all(),
        "catalogues": selectors.catalogues_for_year(actor=request.user, school_year=year),
        "requirements": selectors.requirements_for(actor=request.user, school_year=year),
        "training_year": selectors.training_year(actor=request.user, school_year=year),
        "titles": dict(Title.choices),
    }
    return render(request, "training/list.html", context)


@login_required
def catalogue_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_superuser(request.user)
    catalogue = selectors.get_catalogue(actor=request.user, pk=pk)
    return render(request, "training/detail.html", {"catalogue": catalogue})


@login_required
@require_POST
def catalogue_lock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_superuser(request.user)
    catalogue = selectors.get_catalogue(actor=request.user, pk=pk)
    try:
        services.catalogue_lock(actor=request.user, catalogue=catalogue)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The version is locked: it will never change."))
    return redirect("training_catalogue", catalogue.pk)


@login_required
@require_POST
def catalogue_new_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_superuser(request.user)
    catalogue = selectors.get_catalogue(actor=request.user, pk=pk)
    try:
        copy = services.catalogue_new_version(actor=request.user, catalogue=catalogue)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("training_catalogue", catalogue.pk)
    messages.success(
        request, _("Version %(version)s is created as a draft.") % {"version": copy.version}
    )
    return redirect("training_catalogue", copy.pk)


@login_required
def catalogue_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The version as a workbook in the upload format (uploaded again, it changes nothing)."""
    require_superuser(request.user)
    catalogue = selectors.get_catalogue(actor=request.user, pk=pk)
    code = slugify(catalogue.code) or "danh-muc"
    name = f"danh-muc-{code}-v{catalogue.version}-{catalogue.school_year.code}.xlsx"
    return xlsx_response(catalogue_to_xlsx(catalogue), name)


@login_required
def catalogue_template(request: AuthenticatedRequest) -> HttpResponse:
    """The Excel template: the sheets' headers, an example row each and notes on each column."""
    require_superuser(request.user)
    return xlsx_response(template_xlsx(), "mau-danh-muc-bdtx.xlsx")


def _module_errors(form: ModuleForm, exc: ValidationError) -> None:
    """The service's refusals beside the fields they are about (the rest above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def module_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change one module of a draft version; a locked version's module is shown read-only
    (a change needs a new version, and the service refuses one anyway)."""
    require_superuser(request.user)
    module = selectors.get_module(actor=request.user, pk=pk)
    catalogue = module.catalogue
    levels = list(SchoolLevel.objects.values_list("code", flat=True))
    back = f"{reverse('training_catalogue', args=[catalogue.pk])}#module-{module.pk}"
    if request.method == "POST":
        form = ModuleForm(request.POST, levels=levels)
        if form.is_valid():
            try:
                services.module_update(
                    actor=request.user, module=module, fields=dict(form.cleaned_data)
                )
            except ValidationError as exc:
                _module_errors(form, exc)
            else:
                messages.success(request, _("The module is saved."))
                return redirect(back)
    else:
        form = ModuleForm(
            initial=ModuleForm.initial_of(module), levels=levels, disabled=catalogue.is_locked
        )
    context = {"module": module, "catalogue": catalogue, "form": form, "back": back}
    return render(request, "training/module_edit.html", context)


@login_required
def catalogue_upload(request: AuthenticatedRequest) -> HttpResponse:
    """Upload a YAML file for a school year, preview what it would load, then confirm."""
    require_superuser(request.user)
    year = requested_school_year(request)
    bound = {"year": year.pk}
    form = TrainingUploadForm()
    context: dict[str, Any] = {"year": year, "years": SchoolYear.objects.all()}
    if request.method == "POST" and "token" in request.POST:
        file = pending_take(request, kind=PENDING, token=request.POST.get("token"), bound=bound)
        if file is None:
            messages.error(request, pending_gone_message())
            return redirect(f"{request.path}?year={year.code}")
        result = training_file_import(
            actor=request.user, school_year=year, file=file, dry_run=False
        )
        if not result.written:
            for issue in result.errors or []:
                messages.error(request, issue.message)
            if not result.errors:
                messages.error(request, _("Nothing to load: everything is unchanged."))
            return redirect(f"{request.path}?year={year.code}")
        messages.success(request, _("The file is loaded."))
        return redirect(f"{reverse('training_catalogues')}?year={year.code}")
    if request.method == "POST":
        form = TrainingUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            check = training_file_import(
                actor=request.user, school_year=year, file=upload, dry_run=True
            )
            pending_forget(request, kind=PENDING)
            context["check"] = check
            if check.to_save:
                context["token"] = pending_keep(request, kind=PENDING, file=upload, bound=bound)
    context["form"] = form
    return render(request, "training/upload.html", context)


# --- a Sở's programme-02 contents ---------------------------------------------------------------


@login_required
def contents_home(request: AuthenticatedRequest) -> HttpResponse:
    """The contents page of the actor's (first) province; 404 for anyone who sets none."""
    province = selectors.content_provinces(actor=request.user).first()
    if province is None:
        raise Http404
    return redirect("training_contents", province.pk)


def _content_fields(form: LocalContentForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in LocalContentForm.base_fields}


def _form_errors(form: LocalContentForm, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@login_required
def contents(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    """The province's programme-02 contents of a year (add one here), beside the national
    programme-01 contents (read-only)."""
    province = selectors.get_content_province(actor=request.user, pk=unit)
    year = requested_school_year(request)
    form = LocalContentForm()
    if request.method == "POST":
        form = LocalContentForm(request.POST)
        if form.is_valid():
            try:
                services.local_content_add(
                    actor=request.user,
                    unit=province,
                    school_year=year,
                    fields=_content_fields(form),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The content is added."))
                return redirect(
                    f"{reverse('training_contents', args=[province.pk])}?year={year.code}"
                )
    context = {
        "province": province,
        "provinces": selectors.content_provinces(actor=request.user),
        "year": year,
        "years": SchoolYear.objects.all(),
        "local": selectors.local_contents(actor=request.user, unit=province, school_year=year),
        "national": selectors.national_contents(actor=request.user, school_year=year),
        "titles": dict(Title.choices),
        "form": form,
    }
    return render(request, "training/contents.html", context)


@login_required
def content_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change or remove one programme-02 content of the actor's province."""
    content: ProgrammeContent = selectors.get_local_content(actor=request.user, pk=pk)
    assert content.unit is not None
    back = f"{reverse('training_contents', args=[content.unit.pk])}?year={content.school_year.code}"
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.local_content_delete(actor=request.user, content=content)
        except ValidationError as exc:  # in plans: it stays (the page says why)
            for message in exc.messages:
                messages.error(request, message)
            return redirect(request.path)
        messages.success(request, _("The content is removed."))
        return redirect(back)
    initial = {name: getattr(content, name) for name in LocalContentForm.base_fields}
    form = LocalContentForm(initial=initial)
    if request.method == "POST":
        form = LocalContentForm(request.POST)
        if form.is_valid():
            try:
                services.local_content_update(
                    actor=request.user, content=content, fields=_content_fields(form)
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The content is saved."))
                return redirect(back)
    return render(
        request,
        "training/content_edit.html",
        {"content": content, "form": form, "back": back, "titles": dict(Title.choices)},
    )
