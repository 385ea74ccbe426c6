"""The school's BDTX plan of the year (TT 19/2019 Đ.8; bdtx.md R5; issue 12 item 4).

What the school plans is read from its staff's approved personal plans — how many people take
each module or content, in which form and in which month (the month an item ``starts``) —
beside the activities the school organises itself, which its head writes here. The head then
reports the plan to the superior (due ``training.TrainingYear.school_plan_due``, June); the
superior (a commune's or a Sở's officers) sees the reported plans of its subtree and which
schools have not reported. A reported plan is read-only until its head reopens it.

Reads take the actor first and answer 404 outside their reach (``plans.view`` or
``plans.manage`` on the unit); writes need ``plans.manage`` on the school, are keyword-only,
atomic and audited (sentences in ``plans/audit_texts.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.text import normalize_text
from opentemis.orgs.models import SchoolYear, Unit, UnitKind, UnitStatus
from opentemis.plans.access import manages_plans_on
from opentemis.plans.models import Plan, PlanItem, PlanStatus, StudyForm
from opentemis.plans.models_school import SchoolActivity, SchoolPlan, SchoolPlanStatus
from opentemis.plans.rollup import require_view
from opentemis.training.models import Module, Programme, ProgrammeContent, TrainingYear

SCHOOL_KINDS = (UnitKind.SCHOOL, UnitKind.GDTX_CENTRE)
MAX_TEXT = 4000
MAX_HOURS = 200


def _require_school(unit: Unit) -> None:
    if unit.kind not in SCHOOL_KINDS:
        raise Http404


def school_plan_due(school_year: SchoolYear) -> dt.date | None:
    """When schools report their plan (the year's ``school_plan_due``, June by TT 19/2019)."""
    year = TrainingYear.objects.filter(school_year=school_year).first()
    return year.school_plan_due if year is not None else None


# --- reads ----------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    """People of the school taking one module or content: per form and per starting month."""

    programme: str
    module_id: int | None
    content_id: int | None
    code: str = ""
    label: str = ""
    people: int = 0
    by_form: dict[str, int] = field(default_factory=dict)
    by_month: dict[dt.date | None, int] = field(default_factory=dict)  # None: no start date


@dataclass
class SchoolPlanView:
    unit: Unit
    school_year: SchoolYear
    plan: SchoolPlan | None  # None: nothing written yet (a draft)
    activities: list[SchoolActivity]
    rows: list[PlannedRow]
    months: list[dt.date | None]  # the columns of the month table, in order
    approved_plans: int
    due: dt.date | None
    can_manage: bool

    @property
    def status(self) -> str:
        return self.plan.status if self.plan is not None else SchoolPlanStatus.DRAFT

    @property
    def reported(self) -> bool:
        return self.status == SchoolPlanStatus.REPORTED

    @property
    def editable(self) -> bool:
        return self.can_manage and not self.reported

    @property
    def late(self) -> bool:
        """Reported after the due date, or not reported and the date has passed."""
        if self.due is None:
            return False
        if self.plan is not None and self.plan.reported_at is not None:
            return timezone.localdate(self.plan.reported_at) > self.due
        return timezone.localdate() > self.due


def planned_rows(*, unit: Unit, school_year: SchoolYear) -> list[PlannedRow]:
    """The school's approved personal plans added up (one GROUP BY, and labels)."""
    cells = (
        PlanItem.objects.filter(
            plan__school_year=school_year,
            plan__unit_path=unit.path,
            plan__status=PlanStatus.APPROVED,
        )
        .annotate(month=TruncMonth("starts"))
        .values_list("programme", "module_id", "content_id", "form", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows: dict[tuple[str, int | None, int | None], PlannedRow] = {}
    for programme, module_id, content_id, form, month, n in cells:
        row = rows.setdefault(
            (programme, module_id, content_id), PlannedRow(programme, module_id, content_id)
        )
        row.people += n
        row.by_form[form] = row.by_form.get(form, 0) + n
        key = month.date() if isinstance(month, dt.datetime) else month
        row.by_month[key] = row.by_month.get(key, 0) + n
    modules = {
        m.pk: (m.code, m.title)
        for m in Module.objects.filter(pk__in={r.module_id for r in rows.values() if r.module_id})
    }
    contents = {
        c.pk: (c.code, c.title)
        for c in ProgrammeContent.objects.filter(
            pk__in={r.content_id for r in rows.values() if r.content_id}
        )
    }
    for row in rows.values():
        if row.module_id is not None:
            row.code, row.label = modules.get(row.module_id, ("", ""))
        elif row.content_id is not None:
            row.code, row.label = contents.get(row.content_id, ("", ""))
    return sorted(rows.values(), key=lambda r: (r.programme, -r.people, r.code))


def school_plan_view(*, actor: User, unit: Unit, school_year: SchoolYear) -> SchoolPlanView:
    """The school plan of ``unit`` for the year (404 unless the actor reads its plans)."""
    require_view(actor, unit)
    _require_school(unit)
    plan = SchoolPlan.objects.filter(school_year=school_year, unit=unit).first()
    rows = planned_rows(unit=unit, school_year=school_year)
    present = {m for r in rows for m in r.by_month}
    months: list[dt.date | None] = [*sorted(m for m in present if m is not None)]
    if None in present:
        months.append(None)
    approved = Plan.objects.filter(
        school_year=school_year, unit_path=unit.path, status=PlanStatus.APPROVED
    ).count()
    return SchoolPlanView(
        unit=unit,
        school_year=school_year,
        plan=plan,
        activities=list(plan.activities.all()) if plan is not None else [],
        rows=rows,
        months=months,
        approved_plans=approved,
        due=school_plan_due(school_year),
        can_manage=manages_plans_on(actor, unit.path),
    )


@dataclass
class SchoolRow:
    unit_id: int
    code: str
    name: str
    path: str
    status: str
    reported_at: dt.datetime | None
    activities: int


@dataclass
class Overview:
    """The school plans of a subtree: those reported, and the schools that have not."""

    unit: Unit
    school_year: SchoolYear
    due: dt.date | None
    reported: list[SchoolRow]
    missing: list[SchoolRow]

    @property
    def schools(self) -> int:
        return len(self.reported) + len(self.missing)


def school_plans_overview(*, actor: User, unit: Unit, school_year: SchoolYear) -> Overview:
    """Which schools of ``unit``'s subtree reported their plan of the year (404 unless the
    actor reads plans there). Two queries: the schools, and the plans of the subtree."""
    require_view(actor, unit)
    plans = {
        p.unit_id: p
        for p in SchoolPlan.objects.filter(
            school_year=school_year, unit_path__startswith=unit.path
        ).annotate(n=Count("activities"))
    }
    reported: list[SchoolRow] = []
    missing: list[SchoolRow] = []
    schools = (
        Unit.objects.filter(
            path__startswith=unit.path, kind__in=SCHOOL_KINDS, status=UnitStatus.ACTIVE
        )
        .only("id", "code", "name", "path")
        .order_by("path")
    )
    for school in schools:
        plan = plans.get(school.pk)
        row = SchoolRow(
            school.pk,
            school.code,
            school.name,
            school.path,
            plan.status if plan is not None else SchoolPlanStatus.DRAFT,
            plan.reported_at if plan is not None else None,
            getattr(plan, "n", 0) if plan is not None else 0,
        )
        (reported if row.status == SchoolPlanStatus.REPORTED else missing).append(row)
    return Overview(unit, school_year, school_plan_due(school_year), reported, missing)


# --- writes ---------------------------------------------------------------------------------


def _plan_for_update(*, actor: User, unit: Unit, school_year: SchoolYear) -> SchoolPlan:
    """The school's plan of the year, made if missing and locked for the write."""
    require_perm_on(actor, Perm.MANAGE_PLANS, unit.path)
    _require_school(unit)
    plan, _created = SchoolPlan.objects.get_or_create(
        school_year=school_year, unit=unit, defaults={"unit_path": unit.path}
    )
    return SchoolPlan.objects.select_for_update().get(pk=plan.pk)


def _require_draft(plan: SchoolPlan) -> None:
    if plan.status == SchoolPlanStatus.REPORTED:
        raise ValidationError(
            _("The school plan was reported to the superior: reopen it to change it.")
        )


def _month(value: Any) -> dt.date:
    """A month written as 2026-03, 03/2026 or a date (its month)."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    for fmt in ("%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ValidationError({"month": _("Give the month as MM/YYYY.")})


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) or value is None:
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError({"date": _("Give the date as DD/MM/YYYY.")})


def clean_activity(fields: dict[str, Any], school_year: SchoolYear) -> dict[str, Any]:
    """The activity's fields checked, every problem at once (ValidationError by field)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    title = normalize_text(str(fields.get("title") or ""))
    if not title:
        errors["title"] = _("Give the activity a title.")
    cleaned["title"] = title[:255]
    programme = str(fields.get("programme") or "")
    if programme and programme not in Programme.values:
        errors["programme"] = _("Choose a programme.")
    cleaned["programme"] = programme
    form = str(fields.get("form") or StudyForm.FACE_TO_FACE)
    if form not in StudyForm.values:
        errors["form"] = _("Choose a form.")
    cleaned["form"] = form
    try:
        cleaned["date"] = _date(fields.get("date"))
    except ValidationError as error:
        errors["date"] = error.message_dict["date"][0]
        cleaned["date"] = None
    try:
        month = fields.get("month") or cleaned["date"]
        cleaned["month"] = _month(month)
        if not school_year.start_date.replace(day=1) <= cleaned["month"] <= school_year.end_date:
            errors["month"] = _("The month is outside the school year %(year)s.") % {
                "year": school_year.code
            }
        elif cleaned["date"] and cleaned["date"].replace(day=1) != cleaned["month"]:
            errors["date"] = _("The date is not in the month given.")
    except ValidationError as error:
        errors["month"] = error.message_dict["month"][0]
    try:
        hours = int(fields.get("hours") or 0)
        if not 0 <= hours <= MAX_HOURS:
            raise ValueError
        cleaned["hours"] = hours
    except (TypeError, ValueError):
        errors["hours"] = _("Periods are a whole number from 0 to %(max)s.") % {"max": MAX_HOURS}
    description = str(fields.get("description") or "").strip()
    if len(description) > MAX_TEXT:
        errors["description"] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
    cleaned["description"] = description
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def activity_add(
    *, actor: User, unit: Unit, school_year: SchoolYear, fields: dict[str, Any]
) -> SchoolActivity:
    """The head adds one of the school's own activities to its draft plan."""
    plan = _plan_for_update(actor=actor, unit=unit, school_year=school_year)
    _require_draft(plan)
    activity = SchoolActivity.objects.create(
        school_plan=plan, **clean_activity(fields, school_year)
    )
    audit(
        actor=actor,
        action="plans.school_activity_add",
        obj=plan,
        unit=unit,
        changes={"activity": activity.title, "month": activity.month.strftime("%m/%Y")},
    )
    return activity


def _activity(plan: SchoolPlan, activity_id: Any) -> SchoolActivity:
    try:
        return SchoolActivity.objects.get(school_plan=plan, pk=int(activity_id))
    except (TypeError, ValueError, SchoolActivity.DoesNotExist) as missing:
        raise Http404 from missing


@transaction.atomic
def activity_update(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    activity_id: Any,
    fields: dict[str, Any],
) -> SchoolActivity:
    plan = _plan_for_update(actor=actor, unit=unit, school_year=school_year)
    activity = _activity(plan, activity_id)
    _require_draft(plan)
    for name, value in clean_activity(fields, school_year).items():
        setattr(activity, name, value)
    activity.save()
    audit(
        actor=actor,
        action="plans.school_activity_update",
        obj=plan,
        unit=unit,
        changes={"activity": activity.title},
    )
    return activity


@transaction.atomic
def activity_remove(*, actor: User, unit: Unit, school_year: SchoolYear, activity_id: Any) -> None:
    plan = _plan_for_update(actor=actor, unit=unit, school_year=school_year)
    activity = _activity(plan, activity_id)
    _require_draft(plan)
    title = activity.title
    activity.delete()
    audit(
        actor=actor,
        action="plans.school_activity_remove",
        obj=plan,
        unit=unit,
        changes={"activity": title},
    )


@transaction.atomic
def school_plan_report(
    *, actor: User, unit: Unit, school_year: SchoolYear, note: str = ""
) -> SchoolPlan:
    """The head reports the school's plan to the superior (late after the due date, which
    the superior's list shows)."""
    plan = _plan_for_update(actor=actor, unit=unit, school_year=school_year)
    _require_draft(plan)
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": MAX_TEXT}})
    plan.status = SchoolPlanStatus.REPORTED
    plan.note = note
    plan.reported_at = timezone.now()
    plan.reported_by = actor
    plan.version += 1
    plan.save()
    due = school_plan_due(school_year)
    late = due is not None and timezone.localdate(plan.reported_at) > due
    audit(
        actor=actor,
        action="plans.school_plan_report",
        obj=plan,
        unit=unit,
        changes={"school_year": school_year.code, "late": late},
    )
    return plan


@transaction.atomic
def school_plan_reopen(*, actor: User, unit: Unit, school_year: SchoolYear) -> SchoolPlan:
    """The head takes a reported plan back to change it (to be reported again)."""
    plan = _plan_for_update(actor=actor, unit=unit, school_year=school_year)
    if plan.status != SchoolPlanStatus.REPORTED:
        raise ValidationError(_("The school plan has not been reported."))
    plan.status = SchoolPlanStatus.DRAFT
    plan.version += 1
    plan.save()
    audit(actor=actor, action="plans.school_plan_reopen", obj=plan, unit=unit)
    return plan


def month_counts(rows: list[PlannedRow]) -> dict[dt.date | None, int]:
    """People starting something in each month, over every row (the month table's foot)."""
    total: dict[dt.date | None, int] = defaultdict(int)
    for row in rows:
        for month, n in row.by_month.items():
            total[month] += n
    return dict(total)
