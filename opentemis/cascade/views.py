"""The cascade's pages under /cascade/ (issue 14 items 1, 2, 4).

* ``units/<unit>/core/``: the Sở's core staff of a year (filter by subject, level, kind) and,
  for a subject or a level, the candidates with the selection conditions checked;
* ``people/<pk>/core/``: one person's check, and the designation (with a reason when a
  condition is not met); ``…/revoke/`` ends it;
* ``schools/<unit>/core/``: a school's tổ cốt cán, for its principal;
* ``units/<unit>/caseloads/``: each core teacher's count, who is unassigned, the balancing (a
  job), the Excel upload and its template; ``core/<pk>/caseload/``: one core teacher's
  colleagues, plan and activities, with reassignment;
* ``support/``: a core teacher's own peer-support plan and activities.

Every write goes through ``cascade.services``; refusals come back as messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.cascade import balancing, conditions, importer, selectors, services, tasks
from opentemis.cascade.forms import (
    DesignateForm,
    ReassignForm,
    SupportActivityForm,
    SupportPlanForm,
    UploadForm,
)
from opentemis.cascade.models import Caseload, CoreCheck, SupportPlanStatus
from opentemis.core.http import xlsx_response
from opentemis.core.imports.flow import (
    pending_forget,
    pending_gone_message,
    pending_keep,
    pending_take,
)
from opentemis.orgs.models import SchoolLevel, SchoolYear
from opentemis.orgs.selectors import default_unit, requested_school_year
from opentemis.staff.models import CoreDesignation, Person, Subject

PENDING = "cascade_caseloads"


def _problems(request: AuthenticatedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _year_context(year: SchoolYear) -> dict[str, Any]:
    return {"year": year, "years": SchoolYear.objects.all()}


def _to_own_unit(request: AuthenticatedRequest, perm: str, route: str) -> HttpResponse:
    """The page ``route`` of the highest unit on which the actor holds ``perm``; 404 if none."""
    unit = default_unit(actor=request.user, perm=perm)
    if unit is None:
        raise Http404
    return redirect(route, unit.pk)


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    return _to_own_unit(request, Perm.MANAGE_CASCADE, "cascade_core")


# --- core staff --------------------------------------------------------------------------------


@login_required
@require_GET
def core(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    found = selectors.get_unit_for(request.user, unit)
    year = requested_school_year(request)
    subject = Subject.objects.filter(code=request.GET.get("subject") or "").first()
    level_codes = dict(selectors.levels_choices())
    level = request.GET.get("level") or ""
    level = level if level in level_codes else ""
    kind = request.GET.get("kind") or ""
    rows = selectors.core_staff(
        actor=request.user,
        unit=found,
        school_year=year,
        subject=subject,
        level=level,
        kind=kind if kind in ("teacher", "manager") else "",
    )
    context: dict[str, Any] = {
        "unit": found,
        "rows": rows,
        "subject": subject,
        "subjects": Subject.objects.all(),
        "level": level,
        "levels": level_codes.items(),
        "kind": kind,
        "eligible_only": request.GET.get("eligible") == "1",
        **_year_context(year),
    }
    if subject is not None or level:
        found_candidates, cut = selectors.candidates(
            actor=request.user,
            unit=found,
            school_year=year,
            subject=subject,
            level=level,
            eligible_only=context["eligible_only"],
        )
        context.update(candidates=found_candidates, candidates_cut=cut)
    return render(request, "cascade/core.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = selectors.get_person_for(request.user, pk)
    year = requested_school_year(request)
    levels = selectors.school_levels([found.unit_id]).get(found.unit_id, [])
    designation = CoreDesignation.objects.filter(person=found, school_year=year).first()
    stored = (
        CoreCheck.objects.filter(person=found, school_year=year).select_related("level").first()
    )
    kind = request.POST.get("kind") or (
        designation.kind if designation else selectors.kind_of(found)
    )
    level_code = (
        request.POST.get("level") or request.GET.get("level") or (levels[0] if levels else "")
    )
    if request.method == "POST":
        form = DesignateForm(request.POST, levels=levels)
        if form.is_valid():
            try:
                services.core_designate(
                    actor=request.user,
                    person=found,
                    school_year=year,
                    kind=form.cleaned_data["kind"],
                    subject=form.cleaned_data["subject"],
                    level=form.cleaned_data["level"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ValidationError as exc:
                _problems(request, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is core staff for %(year)s.")
                    % {"name": found.full_name, "year": year.code},
                )
                return redirect(f"{reverse('cascade_person', args=[found.pk])}?year={year.code}")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
    else:
        first_subject = found.subjects.order_by("order").first()
        form = DesignateForm(
            initial={
                "kind": kind,
                "subject": designation.subject if designation else first_subject,
                "level": level_code,
            },
            levels=levels,
        )
    check = selectors.check_person(found, year, kind=kind, level=level_code or None)
    return render(
        request,
        "cascade/person.html",
        {
            "person": found,
            "designation": designation,
            "stored": stored,
            "check": check,
            "form": form,
            "caseload": Caseload.objects.filter(school_year=year, core=found).count(),
            "conditions": conditions,
            "level_name": SchoolLevel.objects.filter(code=level_code).first(),
            **_year_context(year),
        },
    )


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = selectors.get_person_for(request.user, pk)
    year = requested_school_year(request)
    try:
        services.core_revoke(actor=request.user, person=found, school_year=year)
    except ValidationError as exc:
        _problems(request, exc)
    else:
        messages.success(request, _("The designation is ended."))
    return redirect(f"{reverse('cascade_person', args=[found.pk])}?year={year.code}")


@login_required
@require_GET
def school_home(request: AuthenticatedRequest) -> HttpResponse:
    """The tổ cốt cán of the actor's school (the highest unit whose learning they read)."""
    return _to_own_unit(request, Perm.VIEW_LEARNING, "cascade_school")


@login_required
@require_GET
def school(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    """The school's tổ cốt cán: its principal (staff.view or learning.view) reads it."""
    found = selectors.get_unit_for(request.user, unit, perm=Perm.VIEW_UNITS)
    year = requested_school_year(request)
    rows = selectors.school_core(actor=request.user, unit=found, school_year=year)
    return render(
        request, "cascade/school.html", {"unit": found, "rows": rows, **_year_context(year)}
    )


# --- caseloads ---------------------------------------------------------------------------------


@login_required
@require_GET
def caseloads(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    found = selectors.get_unit_for(request.user, unit)
    year = requested_school_year(request)
    overview = selectors.caseload_overview(actor=request.user, unit=found, school_year=year)
    return render(
        request,
        "cascade/caseloads.html",
        {"overview": overview, "unit": found, **_year_context(year)},
    )


@login_required
@require_POST
def balance(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    found = selectors.get_unit_for(request.user, unit)
    year = requested_school_year(request)
    job = tasks.balance_start(actor=request.user, unit=found, school_year=year)
    messages.info(request, _("The assignment runs in the background."))
    return redirect("job_detail", job.pk)


@login_required
@require_GET
def template(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    found = selectors.get_unit_for(request.user, unit)
    year = requested_school_year(request)
    content = importer.template_xlsx(unit=found, school_year=year)
    return xlsx_response(content, f"phan-cong-cot-can-{found.code}-{year.code}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    found = selectors.get_unit_for(request.user, unit)
    year = requested_school_year(request)
    bound = {"unit": found.pk, "year": year.pk}
    back = f"{reverse('cascade_upload', args=[found.pk])}?year={year.code}"
    context: dict[str, Any] = {"unit": found, **_year_context(year)}
    form = UploadForm()
    if request.method == "POST" and "token" in request.POST:
        file = pending_take(request, kind=PENDING, token=request.POST.get("token"), bound=bound)
        if file is None:
            messages.error(request, pending_gone_message())
            return redirect(back)
        result = importer.caseload_import(
            actor=request.user, unit=found, school_year=year, file=file, dry_run=False
        )
        if not result.written:
            for issue in result.errors:
                messages.error(request, issue.message)
            return redirect(back)
        messages.success(request, _("The caseloads are saved."))
        return redirect(f"{reverse('cascade_caseloads', args=[found.pk])}?year={year.code}")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            check = importer.caseload_import(
                actor=request.user, unit=found, school_year=year, file=uploaded, dry_run=True
            )
            pending_forget(request, kind=PENDING)
            context["check"] = check
            if check.to_save:
                context["token"] = pending_keep(request, kind=PENDING, file=uploaded, bound=bound)
        else:
            messages.error(request, _("Choose an Excel file."))
    context.update(form=form, max_per_core=balancing.settings().max_per_core)
    return render(request, "cascade/upload.html", context)


@login_required
@require_GET
def core_caseload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One core teacher's colleagues, plan and activities, for the Sở."""
    found = selectors.get_person_for(request.user, pk)
    year = requested_school_year(request)
    plan, activities = selectors.support_of(found.pk, year)
    return render(
        request,
        "cascade/core_caseload.html",
        {
            "core": found,
            "rows": selectors.colleagues_of(found.pk, year),
            "plan": plan,
            "activities": activities,
            "form": ReassignForm(),
            **_year_context(year),
        },
    )


def _core_by_code(code: str) -> Person:
    found = Person.objects.filter(staff_code=code.strip()).select_related("unit").first()
    if found is None:
        raise ValidationError(_("No staff member with this code."))
    return found


def _reassign(request: AuthenticatedRequest, act: Callable[[Person, str], str]) -> None:
    """Run a reassignment posted with :class:`ReassignForm` (the new core teacher's staff code
    and a reason): ``act(core, reason)`` returns the success message; refusals become error
    messages."""
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the staff code of the core teacher."))
        return
    try:
        done = act(_core_by_code(form.cleaned_data["core"]), form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Http404:
        messages.error(request, _("No staff member with this code."))
    else:
        messages.success(request, done)


@login_required
@require_POST
def move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = selectors.get_person_for(request.user, pk)
    year = requested_school_year(request)

    def act(core: Person, reason: str) -> str:
        moved = services.caseload_move_all(
            actor=request.user, from_core=found, to_core=core, school_year=year, reason=reason
        )
        return _("%(n)s colleagues moved.") % {"n": moved}

    _reassign(request, act)
    return redirect(f"{reverse('cascade_core_caseload', args=[found.pk])}?year={year.code}")


@login_required
@require_POST
def assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Give one colleague a core teacher by hand (or another one)."""
    learner = selectors.get_person_for(request.user, pk)
    year = requested_school_year(request)

    def act(core: Person, reason: str) -> str:
        services.caseload_assign(
            actor=request.user, learner=learner, core=core, school_year=year, reason=reason
        )
        return _("The core teacher of %(name)s is saved.") % {"name": learner.full_name}

    _reassign(request, act)
    back = request.POST.get("next") or ""
    if back.startswith("/cascade/"):
        return redirect(back)
    return redirect(f"{reverse('cascade_person', args=[learner.pk])}?year={year.code}")


# --- the core teacher's own support -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def support(request: AuthenticatedRequest) -> HttpResponse:
    """The core teacher's peer-support plan and activities (bdtx.md R9, R12)."""
    year = requested_school_year(request)
    is_core = selectors.is_core(request.user.person_id, year)
    rows = (
        selectors.colleagues_of(request.user.person_id, year)
        if is_core and request.user.person_id
        else []
    )
    choices = [(r.learner_id, r.learner.full_name) for r in rows]
    plan, activities = selectors.support_of(request.user.person_id or 0, year)
    plan_form = SupportPlanForm(
        initial={
            "text": plan.text if plan else "",
            "status": plan.status if plan else SupportPlanStatus.DRAFT,
        }
    )
    activity_form = SupportActivityForm(colleagues=choices)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "activity":
                activity_form = SupportActivityForm(request.POST, colleagues=choices)
                if not activity_form.is_valid():
                    raise ValidationError(_("Check the activity's date, form and colleagues."))
                data = activity_form.cleaned_data
                services.support_activity_add(
                    actor=request.user,
                    school_year=year,
                    date=data["date"],
                    form=data["form"],
                    colleagues=data["colleagues"],
                    note=data["note"],
                )
                messages.success(request, _("The activity is recorded."))
            else:
                plan_form = SupportPlanForm(request.POST)
                if not plan_form.is_valid():
                    raise ValidationError(_("Check the plan."))
                services.support_plan_save(
                    actor=request.user,
                    school_year=year,
                    text=plan_form.cleaned_data["text"],
                    status=plan_form.cleaned_data["status"],
                )
                messages.success(request, _("The plan is saved."))
        except ValidationError as exc:
            _problems(request, exc)
        else:
            return redirect(f"{reverse('cascade_support')}?year={year.code}")
    return render(
        request,
        "cascade/support.html",
        {
            "is_core": is_core,
            "plan": plan,
            "activities": activities,
            "plan_form": plan_form,
            "activity_form": activity_form,
            **_year_context(year),
        },
    )
