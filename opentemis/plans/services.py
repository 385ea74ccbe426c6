"""Writes of BDTX plans (issue 12 items 2-3; decision 0018): keyword-only, atomic, audited,
notified after commit (``signals.plan_changed``).

The workflow (TT 19/2019 Đ.8): a person opens the year's plan and finds a draft made from
their evaluation (``drafting.propose``); they change it, then submit it — before the deadline,
or marked late after it. The head of their school approves (many at once) or returns it with a
reason. An approved plan is locked: a change is a request the head accepts (the plan goes back
to draft, to be submitted and approved again) or refuses. Submitting locks the catalogue
version and the programme contents the plan uses (``training.services.mark_in_use``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.conflicts import StaleVersion, compare
from opentemis.core.scoping import system_scope
from opentemis.core.text import normalize_text
from opentemis.orgs.models import SchoolYear, Unit, path_prefixes
from opentemis.plans.access import manages_plans_on, reads_plans_on
from opentemis.plans.drafting import propose, province_of
from opentemis.plans.models import (
    ChangeStatus,
    Plan,
    PlanChangeRequest,
    PlanDeadline,
    PlanItem,
    PlanStatus,
    StudyForm,
)
from opentemis.plans.rules import hours_lines
from opentemis.plans.signals import send_plan_changed
from opentemis.staff.models import Person
from opentemis.training.models import Module, Programme, ProgrammeContent, TrainingYear
from opentemis.training.selectors import requirement_hours
from opentemis.training.services import mark_in_use

EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)
ITEM_FIELDS = ("hours", "form", "starts", "ends", "objectives", "outputs")
MAX_TEXT = 4000


# --- the deadline -------------------------------------------------------------------------


def plan_due(*, unit_path: str, school_year: SchoolYear) -> dt.date | None:
    """The personal-plan deadline for someone of the unit at ``unit_path``: the one the deepest
    unit above them set for the year, else the year's default (TT 19/2019 Đ.8: 31 May)."""
    with system_scope():  # set above the person's reach (the Sở's date applies to them)
        own = (
            PlanDeadline.objects.filter(
                school_year=school_year, unit_path__in=path_prefixes(unit_path)
            )
            .order_by("-unit_path")
            .values_list("due", flat=True)
            .first()
        )
    if own is not None:
        return own
    year = TrainingYear.objects.filter(school_year=school_year).first()
    return year.plan_due if year is not None else None


@transaction.atomic
def deadline_set(*, actor: User, unit: Unit, school_year: SchoolYear, due: dt.date) -> PlanDeadline:
    """A unit sets the personal-plan deadline of its subtree for the year."""
    require_perm_on(actor, Perm.MANAGE_PLANS, unit.path)
    if not school_year.start_date - dt.timedelta(days=366) <= due <= school_year.end_date:
        raise ValidationError(_("The deadline must fall before the end of the school year."))
    deadline, _created = PlanDeadline.objects.update_or_create(
        school_year=school_year,
        unit=unit,
        defaults={"unit_path": unit.path, "due": due, "set_by": actor},
    )
    audit(
        actor=actor,
        action="plans.deadline_set",
        obj=deadline,
        unit=unit,
        changes={"due": due.isoformat(), "school_year": school_year.code},
    )
    return deadline


# --- who may do what ----------------------------------------------------------------------


def is_owner(actor: User, plan: Plan) -> bool:
    return actor.person_id is not None and actor.person_id == plan.person_id


def _require_owner(actor: User, plan: Plan) -> None:
    if not is_owner(actor, plan):
        raise Http404


def _require_approver(actor: User, plan: Plan) -> None:
    """The head of the plan's school (or a unit above) approves; nobody approves their own."""
    if not manages_plans_on(actor, plan.unit_path):
        if is_owner(actor, plan) or reads_plans_on(actor, plan.unit_path):
            raise PermissionDenied(_("You may not approve BDTX plans of this unit."))
        raise Http404
    if is_owner(actor, plan):
        raise PermissionDenied(_("Your own plan is approved by your superior."))


def _locked(plan_pk: int) -> Plan:
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("school_year", "catalogue")
        .get(pk=plan_pk)
    )


def _require_editable(plan: Plan) -> None:
    if plan.status not in EDITABLE:
        message = (
            _("The plan is approved: ask your principal for a change first.")
            if plan.status == PlanStatus.APPROVED
            else _("The plan is submitted and waits for approval: it no longer changes.")
        )
        raise ValidationError(message)


def _bump(plan: Plan, actor: User, *fields: str) -> None:
    """Save ``fields`` and the next version of a plan read under its row lock (``_locked``),
    so the version read is the current one."""
    plan.version += 1
    plan.updated_by = actor
    plan.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


# --- opening the year's plan ------------------------------------------------------------


def plan_open(*, actor: User, person: Person, school_year: SchoolYear) -> Plan:
    """The person's plan of the year; the first time, a draft made from their evaluation
    (programme 01/02 contents and suggested programme-03 modules). Opening twice, or at once
    from two tabs, makes one plan."""
    existing = Plan.objects.filter(person=person, school_year=school_year).first()
    if existing is not None:
        return existing
    if actor.person_id != person.pk:
        raise Http404
    try:
        return _create_draft(actor=actor, person=person, school_year=school_year)
    except IntegrityError:  # the other tab won: its draft is the plan
        return Plan.objects.get(person=person, school_year=school_year)


@transaction.atomic
def _create_draft(*, actor: User | None, person: Person, school_year: SchoolYear) -> Plan:
    proposal = propose(person, school_year)
    if not proposal.title:
        raise ValidationError(
            _(
                "No BDTX programme applies to your position and school level: ask your school "
                "to check your staff record."
            )
        )
    year = TrainingYear.objects.filter(school_year=school_year).first()
    plan = Plan.objects.create(
        person=person,
        school_year=school_year,
        unit=person.unit,
        unit_path=person.unit_path,
        title=proposal.title,
        catalogue=proposal.catalogue,
        evaluation=proposal.evaluation,
        regulation_version=year.regulation_version if year else "",
        updated_by=actor,
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            position=index,
            programme=item.programme,
            module=item.module,
            content=item.content,
            hours=item.hours,
            form=item.form,
            suggested=item.suggested,
            reason=item.reason[:255],
        )
        for index, item in enumerate(proposal.items)
    )
    audit(
        actor=actor,
        action="plans.open",
        obj=plan,
        unit=plan.unit,
        changes={
            "items": len(proposal.items),
            "suggested": sum(1 for i in proposal.items if i.suggested),
            "evaluation": proposal.evaluation.pk if proposal.evaluation else None,
        },
    )
    return plan


# --- the person edits -------------------------------------------------------------------


def _clean_text(value: Any, label: str) -> str:
    text = normalize_text(str(value or ""))
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("%(field)s is too long (at most %(max)s characters).")
            % {"field": label, "max": MAX_TEXT}
        )
    return text


@transaction.atomic
def plan_update(
    *, actor: User, plan: Plan, version: int | None, objectives: str, outputs: str
) -> Plan:
    """The plan's objectives and expected outputs (TT 19/2019 Đ.8)."""
    _require_owner(actor, plan)
    current = _locked(plan.pk)
    _require_editable(current)
    if version is not None and version != current.version:
        labels = {"objectives": _("Objectives"), "outputs": _("Expected outputs")}
        raise StaleVersion(
            current=current,
            sent_version=version,
            differences=compare(
                {"objectives": current.objectives, "outputs": current.outputs},
                {"objectives": objectives, "outputs": outputs},
                label=lambda name, _key: labels[name],
                say=lambda _name, value: str(value or "—"),
            ),
        )
    current.objectives = _clean_text(objectives, _("Objectives"))
    current.outputs = _clean_text(outputs, _("Expected outputs"))
    _bump(current, actor, "objectives", "outputs")
    audit(actor=actor, action="plans.update", obj=current, unit_id=current.unit_id)
    return current


def _clean_item(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "hours" in fields:
        try:
            hours = int(fields["hours"])
        except (TypeError, ValueError):
            hours = 0
        if not 1 <= hours <= 200:
            raise ValidationError(_("Periods must be a whole number from 1 to 200."))
        cleaned["hours"] = hours
    if "form" in fields:
        if fields["form"] not in StudyForm.values:
            raise ValidationError(_("Choose a form: tập trung, từ xa or kết hợp."))
        cleaned["form"] = fields["form"]
    for name in ("starts", "ends"):
        if name in fields:
            value = fields[name]
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value) if value else None
                except ValueError as exc:
                    raise ValidationError(_("Enter a valid date.")) from exc
            cleaned[name] = value
    for name, label in (("objectives", _("Objectives")), ("outputs", _("Expected outputs"))):
        if name in fields:
            cleaned[name] = _clean_text(fields[name], label)
    return cleaned


def _check_dates(item: PlanItem) -> None:
    if item.starts and item.ends and item.ends < item.starts:
        raise ValidationError(_("The end date is before the start date."))


@transaction.atomic
def item_add(
    *,
    actor: User,
    plan: Plan,
    module: Module | None = None,
    content: ProgrammeContent | None = None,
    fields: dict[str, Any] | None = None,
) -> PlanItem:
    """Add a programme-03 module (of the plan's catalogue) or a programme-01/02 content that
    applies to the person."""
    _require_owner(actor, plan)
    current = _locked(plan.pk)
    _require_editable(current)
    if (module is None) == (content is None):
        raise ValidationError(_("Choose one module or one content."))
    if module is not None:
        if current.catalogue_id is None or module.catalogue_id != current.catalogue_id:
            raise ValidationError(_("This module is not in the catalogue of your plan."))
        programme: str = Programme.P03
        default_hours = module.hours or 10
    else:
        assert content is not None
        if content.school_year_id != current.school_year_id or (
            content.titles and current.title not in content.titles
        ):
            raise ValidationError(_("This content does not apply to your plan."))
        if content.unit_id is not None:
            province = province_of(current.unit)
            if province is None or content.unit_id != province.pk:
                raise ValidationError(_("This content does not apply to your plan."))
        programme = content.programme
        default_hours = content.hours or 10
    cleaned = _clean_item({"hours": default_hours, **(fields or {})})
    position = current.items.aggregate(last=Max("position"))["last"]
    item = PlanItem(
        plan=current,
        programme=programme,
        module=module,
        content=content,
        position=(position or 0) + 1,
        **cleaned,
    )
    _check_dates(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise ValidationError(_("This is already in your plan.")) from exc
    _bump(current, actor)
    audit(
        actor=actor,
        action="plans.item_add",
        obj=current,
        unit_id=current.unit_id,
        changes={"item": str(module or content), "hours": item.hours},
    )
    return item


@transaction.atomic
def item_update(*, actor: User, item: PlanItem, fields: dict[str, Any]) -> PlanItem:
    """Change an item's periods, form, timing, objectives or outputs."""
    _require_owner(actor, item.plan)
    current = _locked(item.plan_id)
    _require_editable(current)
    item = PlanItem.objects.get(pk=item.pk, plan=current)
    cleaned = _clean_item({k: v for k, v in fields.items() if k in ITEM_FIELDS})
    for name, value in cleaned.items():
        setattr(item, name, value)
    _check_dates(item)
    item.save(update_fields=list(cleaned) or None)
    _bump(current, actor)
    audit(
        actor=actor,
        action="plans.item_update",
        obj=current,
        unit_id=current.unit_id,
        changes={"item": item.pk, **{k: str(v) for k, v in cleaned.items()}},
    )
    return item


@transaction.atomic
def item_remove(*, actor: User, item: PlanItem) -> None:
    _require_owner(actor, item.plan)
    current = _locked(item.plan_id)
    _require_editable(current)
    item = PlanItem.objects.select_related("module", "content").get(pk=item.pk, plan=current)
    label = str(item.module or item.content)
    item.delete()
    _bump(current, actor)
    audit(
        actor=actor,
        action="plans.item_remove",
        obj=current,
        unit_id=current.unit_id,
        changes={"item": label},
    )


# --- submitting -----------------------------------------------------------------------------


def planned_hours(plan: Plan) -> dict[str, int]:
    """Programme -> periods the plan's items add up to."""
    rows = plan.items.values("programme").annotate(total=Sum("hours"))
    return {row["programme"]: int(row["total"] or 0) for row in rows}


def submit_problems(plan: Plan, *, planned: dict[str, int] | None = None) -> list[str]:
    """Why the plan cannot be submitted yet (empty: it can), each said to the person;
    ``planned``: the plan's :func:`planned_hours` when the caller has them."""
    problems: list[str] = []
    if not plan.objectives.strip():
        problems.append(_("Write the objectives of your plan."))
    if not plan.outputs.strip():
        problems.append(_("Write the expected outputs of your plan."))
    required = requirement_hours(school_year=plan.school_year, title=plan.title)
    if not required:
        problems.append(_("The BDTX requirements of this year are not loaded yet."))
    planned = planned_hours(plan) if planned is None else planned
    for line in hours_lines(required, {k: Decimal(v) for k, v in planned.items()}):
        if line.required and not line.met:
            problems.append(
                _("Programme %(p)s: the plan has %(got)s of the %(need)s periods required.")
                % {"p": line.programme, "got": int(line.counted), "need": line.required}
            )
    return problems


@transaction.atomic
def plan_submit(*, actor: User, plan: Plan, version: int | None = None) -> Plan:
    """Submit the plan for approval: refused, with every reason, while incomplete; marked
    late after the deadline (still accepted: the head decides)."""
    _require_owner(actor, plan)
    current = _locked(plan.pk)
    if current.status == PlanStatus.SUBMITTED:
        return current  # a double click submits once
    _require_editable(current)
    if version is not None and version != current.version:
        raise StaleVersion(current=current, sent_version=version)
    hours = planned_hours(current)
    problems = submit_problems(current, planned=hours)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    due = plan_due(unit_path=current.unit_path, school_year=current.school_year)
    current.status = PlanStatus.SUBMITTED
    current.submitted_at = now
    current.late = due is not None and timezone.localdate(now) > due
    current.returned_reason = ""
    _bump(current, actor, "status", "submitted_at", "late", "returned_reason")
    mark_in_use(
        actor=actor,
        catalogue=current.catalogue,
        contents=current.items.filter(content__isnull=False).values("content_id"),
    )
    audit(
        actor=actor,
        action="plans.submit",
        obj=current,
        unit_id=current.unit_id,
        changes={"late": current.late, "hours": hours},
    )
    send_plan_changed(current, "plans.submit", actor)
    return current


# --- approval -------------------------------------------------------------------------------


@transaction.atomic
def plans_approve(*, actor: User, plans: Sequence[Plan]) -> list[Plan]:
    """Approve submitted plans at once (all or none: one that cannot be approved says why and
    nothing is written). An approved plan is locked."""
    now = timezone.now()
    locked = list(
        Plan.objects.select_for_update(of=("self",))
        .filter(pk__in=[p.pk for p in plans])
        .select_related("person")
        .order_by("pk")
    )
    if len(locked) != len({p.pk for p in plans}):
        raise Http404
    for plan in locked:
        _require_approver(actor, plan)
    waiting = [p for p in locked if p.status != PlanStatus.APPROVED]
    for plan in waiting:
        if plan.status != PlanStatus.SUBMITTED:
            raise ValidationError(
                _("The plan of %(name)s is not submitted: it cannot be approved.")
                % {"name": plan.person.full_name}
            )
    for plan in waiting:
        plan.status = PlanStatus.APPROVED
        plan.approved_at = now
        plan.approved_by = actor
        _bump(plan, actor, "status", "approved_at", "approved_by")
        audit(actor=actor, action="plans.approve", obj=plan, unit_id=plan.unit_id)
        send_plan_changed(plan, "plans.approve", actor)
    return locked


@transaction.atomic
def plan_return(*, actor: User, plan: Plan, reason: str) -> Plan:
    """Return a submitted plan to its person with a reason (it becomes editable again)."""
    current = _locked(plan.pk)
    _require_approver(actor, current)
    reason = _clean_text(reason, _("Reason"))
    if not reason:
        raise ValidationError(_("Say why the plan is returned."))
    if current.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan is returned."))
    current.status = PlanStatus.RETURNED
    current.returned_reason = reason
    _bump(current, actor, "status", "returned_reason")
    audit(
        actor=actor,
        action="plans.return",
        obj=current,
        unit_id=current.unit_id,
        changes={"reason": reason},
    )
    send_plan_changed(current, "plans.return", actor, {"reason": reason})
    return current


# --- changes after approval -------------------------------------------------------------


@transaction.atomic
def change_request(*, actor: User, plan: Plan, reason: str) -> PlanChangeRequest:
    """Ask to change an approved plan (one request pending at a time)."""
    _require_owner(actor, plan)
    current = _locked(plan.pk)
    if current.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only an approved plan needs a change request: edit it."))
    reason = _clean_text(reason, _("Reason"))
    if not reason:
        raise ValidationError(_("Say what you want to change and why."))
    pending = PlanChangeRequest.objects.filter(plan=current, status=ChangeStatus.PENDING).first()
    if pending is not None:
        return pending  # a double click asks once
    request = PlanChangeRequest.objects.create(plan=current, reason=reason, requested_by=actor)
    audit(
        actor=actor,
        action="plans.change_request",
        obj=current,
        unit_id=current.unit_id,
        changes={"reason": reason},
    )
    send_plan_changed(current, "plans.change_request", actor, {"reason": reason})
    return request


@transaction.atomic
def change_decide(
    *, actor: User, request: PlanChangeRequest, accept: bool, note: str = ""
) -> PlanChangeRequest:
    """Accept (the plan reopens as a draft) or refuse (with a reason) a change request."""
    current = _locked(request.plan_id)
    _require_approver(actor, current)
    request = PlanChangeRequest.objects.select_for_update().get(pk=request.pk, plan=current)
    if request.status != ChangeStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    note = _clean_text(note, _("Reason"))
    if not accept and not note:
        raise ValidationError(_("Say why the change is refused."))
    request.status = ChangeStatus.ACCEPTED if accept else ChangeStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if accept:
        current.status = PlanStatus.DRAFT
        current.approved_at = None
        current.approved_by = None
        _bump(current, actor, "status", "approved_at", "approved_by")
        action = "plans.change_accept"
        audit(
            actor=actor,
            action="plans.change_accept",
            obj=current,
            unit_id=current.unit_id,
            changes={"note": note},
        )
    else:
        action = "plans.change_refuse"
        audit(
            actor=actor,
            action="plans.change_refuse",
            obj=current,
            unit_id=current.unit_id,
            changes={"note": note},
        )
    send_plan_changed(current, action, actor, {"note": note})
    return request
