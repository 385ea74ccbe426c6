from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.permissions import has_perm_on, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.pagination import CappedPaginator
from opentemis.core.params import id_param
from opentemis.core.replicas import reads_from_replica
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import ancestors, current_school_year, get_unit_for_user, unit_by_code
from opentemis.staff import reads, selectors, services
from opentemis.staff.forms import PersonForm, StaffFilterForm
from opentemis.staff.models import Assignment
from opentemis.staff.sensitive import (
    SensitiveDataDenied,
    may_see_sensitive,
    sees_sensitive_throughout,
    sensitive_checker,
)


def _list_unit(request: AuthenticatedRequest) -> Unit | None:
    unit_id = id_param(request.GET, "unit")
    if unit_id is not None:
        return get_unit_for_user(actor=request.user, pk=unit_id, perm=Perm.VIEW_STAFF)
    return selectors.staff_home_unit(actor=request.user)


def sensitive_denied(request: HttpRequest, exc: SensitiveDataDenied) -> HttpResponse:
    """403 with the reason, for a filter on data the user may not see (pages and exports)."""
    return render(request, "staff/sensitive_denied.html", {"message": exc.args[0]}, status=403)


@login_required
@reads_from_replica
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    if perm_paths(request.user, Perm.VIEW_STAFF) == ():
        return render(request, "errors/403.html", status=403)
    unit = _list_unit(request)
    form = StaffFilterForm(request.GET or None)
    filters = form.to_filter(unit)
    try:
        result = selectors.staff_query(actor=request.user, filters=filters)
    except SensitiveDataDenied as exc:
        return sensitive_denied(request, exc)
    cap = selectors.SEARCH_SORT_LIMIT if filters.q else CappedPaginator.cap
    paginator = CappedPaginator(
        result.people.prefetch_related("positions"), 50, cap=cap, known_count=result.known_count
    )
    page = paginator.get_page(request.GET.get("page"))
    may_see = sensitive_checker(request.user)
    for person in page:
        # For the row's template: its ethnicity shown or masked (decision 0012).
        person.sensitive_visible = may_see(person)  # type: ignore[attr-defined]
    reads.list_read(actor=request.user, people=page, filters=filters, page=page.number)
    context = {
        "form": form,
        "unit": unit,
        "page": page,
        "query": request.GET.urlencode(),
        "dtts_filter": sees_sensitive_throughout(request.user, unit),
    }
    template = "staff/_results.html" if request.htmx else "staff/list.html"
    return render(request, template, context)


@login_required
def staff_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(actor=request.user, pk=pk)
    reads.record_read(actor=request.user, person=person)
    context = {
        "person": person,
        "show_sensitive": may_see_sensitive(request.user, person),
        "crumbs": ancestors(unit=person.unit),
        "positions": list(person.positions.all()),
        "subjects": list(person.subjects.all()),
        "core": selectors.current_core_designation(person=person),
        "history": Assignment.objects.filter(person=person).select_related("unit")[:20],
        "can_edit": has_perm_on(request.user, Perm.CHANGE_STAFF, person.unit.path),
    }
    return render(request, "staff/detail.html", context)


@login_required
def staff_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(actor=request.user, pk=pk, perm=Perm.CHANGE_STAFF)
    sensitive = may_see_sensitive(request.user, person)
    form = PersonForm(request.POST or None, instance=person, sensitive=sensitive)
    if request.method == "GET":
        reads.record_read(actor=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in {"positions", "subjects", "version", "staff_code"}
        }
        try:
            services.person_update(
                actor=request.user,
                person=person,
                version=form.cleaned_data.get("version") or 0,
                fields=data,
                positions=form.cleaned_data["positions"],
                subjects=form.cleaned_data["subjects"],
            )
        except services.StaleEdit as exc:
            latest = selectors.get_person_for_user(actor=request.user, pk=pk)
            # Re-submitting now is a conscious overwrite of the version the user has just seen.
            resubmitted = request.POST.copy()
            resubmitted["version"] = str(latest.version)
            form.data = resubmitted
            context = {"form": form, "person": latest, "conflict": exc}
            return render(request, "staff/edit.html", context, status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Record saved."))
            return redirect("staff_detail", pk=person.pk)
    return render(request, "staff/edit.html", {"form": form, "person": person})


@login_required
def staff_create(request: AuthenticatedRequest) -> HttpResponse:
    unit_id = id_param(request.GET, "unit") or id_param(request.POST, "unit")
    if unit_id is None:
        messages.info(request, _("Open a school first, then add a person to it."))
        return redirect("unit_tree")
    unit = get_unit_for_user(actor=request.user, pk=unit_id, perm=Perm.CHANGE_STAFF)
    form = PersonForm(
        request.POST or None, unit=unit, sensitive=sees_sensitive_throughout(request.user, unit)
    )
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in {"positions", "subjects", "version"}
        }
        try:
            person = services.person_create(
                actor=request.user,
                unit=unit,
                fields=data,
                positions=form.cleaned_data["positions"],
                subjects=form.cleaned_data["subjects"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("staff_detail", pk=person.pk)
    return render(request, "staff/edit.html", {"form": form, "unit": unit})


@login_required
@require_POST
def staff_core_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(actor=request.user, pk=pk, perm=Perm.CHANGE_STAFF)
    year = current_school_year()
    if year is None:
        messages.error(request, _("No current school year is set."))
    elif selectors.current_core_designation(person=person):
        services.core_revoke(actor=request.user, person=person, school_year=year)
        messages.success(request, _("Core designation removed for %(year)s.") % {"year": year.code})
    else:
        kind = "manager" if person.positions.filter(is_manager=True).exists() else "teacher"
        services.core_designate(actor=request.user, person=person, school_year=year, kind=kind)
        messages.success(request, _("Designated as core for %(year)s.") % {"year": year.code})
    return redirect("staff_detail", pk=person.pk)


@login_required
@require_POST
def staff_transfer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move a person to another unit (by code); the work history keeps the old one."""
    person = selectors.get_person_for_user(actor=request.user, pk=pk, perm=Perm.CHANGE_STAFF)
    try:
        target = unit_by_code(
            actor=request.user, code=request.POST.get("unit_code", ""), perm=Perm.CHANGE_STAFF
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff_detail", pk=person.pk)
    services.person_transfer(
        actor=request.user, person=person, to_unit=target, note=request.POST.get("note", "")
    )
    messages.success(
        request,
        _("%(name)s now works at %(unit)s.") % {"name": person.full_name, "unit": target.name},
    )
    if not has_perm_on(request.user, Perm.VIEW_STAFF, target.path):
        return redirect("staff_list")
    return redirect("staff_detail", pk=person.pk)
