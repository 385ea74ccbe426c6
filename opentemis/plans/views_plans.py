"""The personal BDTX plan and its approval (issue 12 items 2-3), server-rendered with HTMX.

* ``/bdtx/ke-hoach/``: the actor's own plan of the year (``?year=``); the first visit finds
  the draft made from their evaluation (``services.plan_open`` is idempotent). Items are
  edited in place (HTMX: the totals and the plan's version come back out of band); modules
  and contents are added and removed by plain posts; objectives, outputs and submitting share
  one form, so a refused submission keeps every word and lists every reason beside the button.
* ``/bdtx/duyet/``: a unit's people and their plans of the year, counts per status, approving
  many at once, the plan deadline of the unit's subtree; ``/bdtx/duyet/<pk>/``: one plan
  read-only, with approve / return and the change requests to decide.

Every rule is the services' (``plans.services``); the reads are ``plans.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.admission import completes_work
from opentemis.core.conflicts import StaleVersion, compare
from opentemis.core.params import id_param, parse_positive_int
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import requested_school_year
from opentemis.plans import access, selectors, services
from opentemis.plans.forms import DeadlineForm, DecideForm, ItemForm, PlanTextForm, ReasonForm
from opentemis.plans.models import Plan, PlanChangeRequest, PlanItem, PlanStatus
from opentemis.staff.models import Person
from opentemis.training.models import Module, ProgrammeContent, Title


def _mine_url(plan: Plan, anchor: str = "") -> str:
    return f"{reverse('plan_mine')}?year={plan.school_year.code}{anchor}"


def _review_url(plan: Plan) -> str:
    return reverse("plan_review", args=[plan.pk])


def _approvals_url(unit: Unit, year: SchoolYear, status: str = "") -> str:
    query = f"?unit={unit.pk}&year={year.code}"
    return f"{reverse('plan_approvals')}{query}{f'&status={status}' if status else ''}"


# --- the plan page (own and review) ---------------------------------------------------------


def _plan_context(
    request: AuthenticatedRequest,
    plan: Plan,
    *,
    review: bool = False,
    text_form: PlanTextForm | None = None,
    item_forms: dict[int, ItemForm] | None = None,
    item_errors: dict[int, list[str]] | None = None,
    problems: list[str] | None = None,
    conflict: StaleVersion | None = None,
    change_form: ReasonForm | None = None,
    return_form: ReasonForm | None = None,
    decide_forms: dict[int, DecideForm] | None = None,
) -> dict[str, Any]:
    actor = request.user
    page = selectors.plan_page(actor=actor, plan=plan)
    owner = services.is_owner(actor, plan)
    editable = not review and owner and plan.status in services.EDITABLE
    item_forms = item_forms or {}
    item_errors = item_errors or {}
    blocks = [
        {
            "block": block,
            "rows": [
                {
                    "item": item,
                    "form": item_forms.get(item.pk) or ItemForm.for_item(item),
                    "errors": item_errors.get(item.pk, []),
                }
                for item in block.items
            ],
        }
        for block in page.blocks
    ]
    can_manage = review and not owner and access.manages_plans_on(actor, plan.unit_path)
    decide_forms = decide_forms or {}
    context: dict[str, Any] = {
        "plan": plan,
        "page": page,
        "blocks": blocks,
        "year": plan.school_year,
        "years": SchoolYear.objects.all(),
        "review": review,
        "owner": owner,
        "editable": editable,
        "can_manage": can_manage,
        "title_label": dict(Title.choices).get(plan.title, plan.title),
        "conflict": conflict,
        "problems": problems or [],
        "requests": [
            {"request": r, "form": decide_forms.get(r.pk) or DecideForm()} for r in page.requests
        ],
    }
    if editable:
        context["text_form"] = text_form or PlanTextForm(
            initial={
                "objectives": plan.objectives,
                "outputs": plan.outputs,
                "version": plan.version,
            }
        )
        context["modules"] = selectors.addable_modules(actor=actor, plan=plan)
        context["contents"] = selectors.addable_contents(actor=actor, plan=plan)
    if owner and not review and plan.status == PlanStatus.APPROVED:
        context["change_form"] = change_form or ReasonForm()
    if can_manage and plan.status == PlanStatus.SUBMITTED:
        context["return_form"] = return_form or ReasonForm()
    return context


def _render_plan(
    request: AuthenticatedRequest, plan: Plan, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    return render(request, "plans/plan.html", _plan_context(request, plan, **kwargs), status=status)


@login_required
def plan_mine(request: AuthenticatedRequest) -> HttpResponse:
    """The actor's plan of the year; the first visit opens the draft made for them."""
    actor = request.user
    year = requested_school_year(request)
    context: dict[str, Any] = {"year": year, "years": SchoolYear.objects.all()}
    person = (
        Person.objects.filter(pk=actor.person_id).select_related("unit").first()
        if actor.person_id is not None
        else None
    )
    if person is None:
        return render(request, "plans/no_plan.html", context)
    try:
        opened = services.plan_open(actor=actor, person=person, school_year=year)
    except ValidationError as exc:
        context["problems"] = exc.messages
        return render(request, "plans/no_plan.html", context)
    return _render_plan(request, selectors.own_plan(actor=actor, pk=opened.pk))


def _conflict(exc: StaleVersion, sent: dict[str, str]) -> StaleVersion:
    """The service's conflict with, field by field, the saved and the typed texts."""
    current = exc.current
    labels = {"objectives": _("Objectives of the plan"), "outputs": _("Expected outputs")}
    saved = {name: getattr(current, name) for name in labels}
    who = getattr(getattr(current, "updated_by", None), "first_name", "") or ""
    return StaleVersion(
        current=current,
        sent_version=exc.sent_version,
        differences=compare(
            saved,
            sent,
            label=lambda name, _key: str(labels[name]),
            say=lambda _name, value: str(value or "—"),
        ),
        who=who,
    )


@completes_work
@login_required
@require_POST
def plan_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the objectives and outputs; with ``action=submit``, then submit the plan."""
    actor = request.user
    plan = selectors.own_plan(actor=actor, pk=pk)
    form = PlanTextForm(request.POST)
    submit = request.POST.get("action") == "submit"
    if not form.is_valid():
        return _render_plan(request, plan, status=422, text_form=form)
    data = form.cleaned_data
    try:
        if plan.status in services.EDITABLE:
            plan = services.plan_update(
                actor=actor,
                plan=plan,
                version=data["version"],
                objectives=data["objectives"],
                outputs=data["outputs"],
            )
        if submit:
            plan = services.plan_submit(actor=actor, plan=plan)
    except StaleVersion as exc:
        typed = {"objectives": data["objectives"], "outputs": data["outputs"]}
        # Saving again now is a conscious overwrite of the version just shown.
        resubmitted = request.POST.copy()
        resubmitted["version"] = str(exc.current_version)
        current = selectors.own_plan(actor=actor, pk=pk)
        return _render_plan(
            request,
            current,
            status=409,
            text_form=PlanTextForm(resubmitted),
            conflict=_conflict(exc, typed),
        )
    except ValidationError as exc:
        current = selectors.own_plan(actor=actor, pk=pk)
        kept = request.POST.copy()
        kept["version"] = str(current.version)
        return _render_plan(
            request, current, status=422, text_form=PlanTextForm(kept), problems=exc.messages
        )
    if submit:
        messages.success(request, _("Your plan is submitted to your principal for approval."))
    else:
        messages.success(request, _("Saved."))
    return redirect(_mine_url(plan))


def _item_answer(
    request: AuthenticatedRequest, item: PlanItem, errors: list[str], status: int
) -> HttpResponse:
    """An HTMX item save: its status line, then the totals and the plan's version (out of
    band); the inputs are left as the person typed them."""
    plan = selectors.own_plan(actor=request.user, pk=item.plan_id)
    page = selectors.plan_page(actor=request.user, plan=plan)
    context = {"item": item, "errors": errors, "saved": not errors, "page": page, "plan": plan}
    return render(request, "plans/_item_saved.html", context, status=status)


@login_required
@require_POST
def plan_item_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change one item's periods, form, dates, objectives or outputs."""
    actor = request.user
    item = selectors.own_item(actor=actor, pk=pk)
    form = ItemForm.for_item(item, request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            item = services.item_update(actor=actor, item=item, fields=form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [
            f"{form.fields[name].label}: {' '.join(str(m) for m in e)}"
            for name, e in form.errors.items()
        ]
    if request.htmx:
        return _item_answer(request, item, errors, 422 if errors else 200)
    if errors:
        return _render_plan(
            request,
            item.plan,
            status=422,
            item_forms={item.pk: form},
            item_errors={item.pk: errors},
        )
    messages.success(request, _("Saved."))
    return redirect(_mine_url(item.plan, f"#item-{item.pk}"))


@login_required
@require_POST
def plan_item_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    actor = request.user
    item = selectors.own_item(actor=actor, pk=pk)
    try:
        services.item_remove(actor=actor, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The item is removed from your plan."))
    return redirect(_mine_url(item.plan))


@login_required
@require_POST
def plan_item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add a programme-03 module of the plan's catalogue, or a programme-01/02 content."""
    actor = request.user
    plan = selectors.own_plan(actor=actor, pk=pk)
    module_id = parse_positive_int(request.POST.get("module"))
    content_id = parse_positive_int(request.POST.get("content"))
    module = Module.objects.filter(pk=module_id).first() if module_id else None
    content = ProgrammeContent.objects.filter(pk=content_id).first() if content_id else None
    try:
        if (module is None) == (content is None):
            raise ValidationError(_("Choose a module or a content to add."))
        item = services.item_add(actor=actor, plan=plan, module=module, content=content)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_mine_url(plan, "#add"))
    messages.success(request, _("Added to your plan: set its periods, form and dates."))
    return redirect(_mine_url(plan, f"#item-{item.pk}"))


@login_required
@require_POST
def plan_change_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask the principal to change an approved plan, saying why."""
    actor = request.user
    plan = selectors.own_plan(actor=actor, pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.change_request(actor=actor, plan=plan, reason=form.data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _render_plan(request, plan, status=422, change_form=form)
    messages.success(request, _("Your request is sent to your principal."))
    return redirect(_mine_url(plan, "#changes"))


# --- the approval pages -------------------------------------------------------------------------


def _status_choices() -> list[tuple[str, str]]:
    return [(selectors.MISSING, _("Not started")), *((v, str(k)) for v, k in PlanStatus.choices)]


def _approvals_context(
    request: AuthenticatedRequest,
    unit: Unit,
    year: SchoolYear,
    *,
    status: str,
    chosen: set[int] | None = None,
    errors: list[str] | None = None,
    deadline_form: DeadlineForm | None = None,
) -> dict[str, Any]:
    actor = request.user
    roster = selectors.unit_roster(actor=actor, unit=unit, school_year=year, status=status)
    labels = dict(_status_choices())
    due = services.plan_due(unit_path=unit.path, school_year=year)
    can_manage = access.manages_plans_on(actor, unit.path)
    return {
        "unit": unit,
        "units": selectors.plan_units(actor=actor),
        "year": year,
        "years": SchoolYear.objects.all(),
        "status": status,
        "roster": roster,
        "tabs": [(s, labels[s], roster.counts.get(s, 0)) for s in selectors.ROSTER_STATUSES],
        "total": sum(roster.counts.values()),
        "labels": labels,
        "can_manage": can_manage,
        "chosen": chosen or set(),
        "errors": errors or [],
        "due": due,
        "deadline_form": deadline_form or DeadlineForm(initial={"due": due}),
        "requests": selectors.pending_requests(actor=actor, unit=unit, school_year=year),
    }


def _approval_unit(request: AuthenticatedRequest) -> Unit:
    unit_id = id_param(request.GET, "unit")
    if unit_id is None:
        unit_id = id_param(request.POST, "unit")
    unit = (
        selectors.get_plan_unit(actor=request.user, pk=unit_id)
        if unit_id is not None
        else selectors.default_plan_unit(actor=request.user)
    )
    if unit is None:
        raise Http404
    return unit


@login_required
def plan_approvals(request: AuthenticatedRequest) -> HttpResponse:
    """A unit's people and their plans of the year; a post approves the plans chosen."""
    actor = request.user
    unit = _approval_unit(request)
    year = requested_school_year(request)
    status = request.GET.get("status", "")
    if status not in selectors.ROSTER_STATUSES:
        status = ""
    if request.method == "POST":
        if not access.manages_plans_on(actor, unit.path):
            raise PermissionDenied(_("You may not approve BDTX plans of this unit."))
        pks = [n for n in map(parse_positive_int, request.POST.getlist("plans")) if n]
        errors: list[str] = []
        if not pks:
            errors = [_("Tick the plans to approve first.")]
        else:
            plans = selectors.plans_to_approve(actor=actor, unit=unit, pks=pks)
            try:
                services.plans_approve(actor=actor, plans=plans)
            except ValidationError as exc:
                errors = exc.messages
        if errors:
            context = _approvals_context(
                request, unit, year, status=status, chosen=set(pks), errors=errors
            )
            return render(request, "plans/approvals.html", context, status=422)
        messages.success(
            request,
            ngettext("%(n)s plan is approved.", "%(n)s plans are approved.", len(pks))
            % {"n": len(pks)},
        )
        return redirect(_approvals_url(unit, year, status))
    context = _approvals_context(request, unit, year, status=status)
    return render(request, "plans/approvals.html", context)


@login_required
@require_POST
def plan_deadline(request: AuthenticatedRequest) -> HttpResponse:
    """The unit sets the deadline of personal plans for its subtree and the year."""
    actor = request.user
    unit = _approval_unit(request)
    year = requested_school_year(request)
    if not access.manages_plans_on(actor, unit.path):
        raise Http404
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_set(
                actor=actor, unit=unit, school_year=year, due=form.cleaned_data["due"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("due", message)
        else:
            messages.success(request, _("The deadline is saved."))
            return redirect(_approvals_url(unit, year))
    context = _approvals_context(request, unit, year, status="", deadline_form=form)
    return render(request, "plans/approvals.html", context, status=422)


@login_required
def plan_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One plan, read-only, for those who read the plans of its unit (and its owner)."""
    actor = request.user
    plan = selectors.plan_for_reader(actor=actor, pk=pk)
    if services.is_owner(actor, plan) and not access.reads_plans_on(actor, plan.unit_path):
        return redirect(_mine_url(plan))
    return _render_plan(request, plan, review=True)


@login_required
@require_POST
def plan_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = selectors.plan_for_reader(actor=actor, pk=pk)
    try:
        services.plans_approve(actor=actor, plans=[plan])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_review_url(plan))
    messages.success(
        request, _("The plan of %(name)s is approved.") % {"name": plan.person.full_name}
    )
    return redirect(_approvals_url(plan.unit, plan.school_year))


@login_required
@require_POST
def plan_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Return a submitted plan to its person, saying why."""
    actor = request.user
    plan = selectors.plan_for_reader(actor=actor, pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.plan_return(actor=actor, plan=plan, reason=form.data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        plan = selectors.plan_for_reader(actor=actor, pk=pk)
        return _render_plan(request, plan, review=True, status=422, return_form=form)
    messages.success(
        request, _("The plan of %(name)s is returned.") % {"name": plan.person.full_name}
    )
    return redirect(_approvals_url(plan.unit, plan.school_year))


@login_required
@require_POST
def plan_change_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Accept a change request (the plan reopens as a draft) or refuse it with a reason."""
    actor = request.user
    change: PlanChangeRequest = selectors.change_request_for_manager(actor=actor, pk=pk)
    form = DecideForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    try:
        services.change_decide(
            actor=actor, request=change, accept=accept, note=form.data.get("note", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        plan = selectors.plan_for_reader(actor=actor, pk=change.plan_id)
        return _render_plan(request, plan, review=True, status=422, decide_forms={change.pk: form})
    messages.success(
        request,
        _("The change is accepted: the plan is a draft again.")
        if accept
        else _("The change is refused."),
    )
    return redirect(_review_url(change.plan))
