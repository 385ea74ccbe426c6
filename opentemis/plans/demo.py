"""Demo data of BDTX plans (``manage.py demo``, after the catalogues are loaded): something to
try at every step in the demo school, once (a second run adds nothing).

* Programme-01 contents (national) and the demo province's programme-02 contents, set by the
  Sở's officer, when the year has none.
* The demo teacher (``giaovien``) finds their draft, opened through the service as they would
  open it: suggested modules from last year's finalised evaluation.
* Their colleagues: some submitted (waiting for the principal), some approved, one returned
  with a reason, one approved with a change request waiting; some have no plan yet.
* The province's plan deadline, about three weeks from today.

The other teachers have no accounts: their drafts are made as ``plans.bulk`` makes them, their
submissions are written as the service writes them; the principal approves and returns through
the services. The hours ledger is seeded elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans import services
from opentemis.plans.bulk import draft_plans_of
from opentemis.plans.models import (
    Plan,
    PlanChangeRequest,
    PlanDeadline,
    PlanItem,
    PlanStatus,
    StudyForm,
)
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.training.models import Module, Programme, ProgrammeContent
from opentemis.training.selectors import audience_of, requirement_hours
from opentemis.training.services import local_content_add, mark_in_use

NATIONAL_CONTENTS = (
    ("CT01-NVNH", "Thực hiện nhiệm vụ năm học của ngành", 20),
    ("CT01-KTDG", "Đổi mới kiểm tra, đánh giá theo Chương trình GDPT 2018", 20),
)
LOCAL_CONTENTS = (
    ("CT02-GDDP", "Giáo dục địa phương", 20),
    ("CT02-CDS", "Chuyển đổi số trong dạy học", 20),
)
# What the colleagues' plans are in, in this order; the last colleagues have no plan.
STATES = (
    PlanStatus.SUBMITTED,
    PlanStatus.APPROVED,
    PlanStatus.RETURNED,
    "change_request",
    PlanStatus.SUBMITTED,
    PlanStatus.APPROVED,
    PlanStatus.SUBMITTED,
    PlanStatus.APPROVED,
)
WITHOUT_PLAN = 2
RETURN_REASON = (
    "Mô-đun chọn chưa gắn với tiêu chí cần cải thiện; bổ sung thời gian thực hiện từng nội dung."
)
CHANGE_REASON = "Đề nghị thay mô-đun GVPT 04 bằng mô-đun GVPT 09 để phù hợp kế hoạch của tổ."
OBJECTIVES = "Nâng cao năng lực dạy học và kiểm tra, đánh giá học sinh theo Chương trình GDPT 2018."
OUTPUTS = "Kế hoạch bài dạy minh họa; bộ câu hỏi kiểm tra theo định hướng phát triển năng lực."


@dataclass
class DemoPlans:
    contents: int = 0
    plans: dict[str, int] = field(default_factory=dict)
    deadline: dt.date | None = None


def seed_demo_contents(*, officer: User, province: Unit, school_year: SchoolYear) -> int:
    """The year's programme-01 contents and the province's programme-02 ones, if none."""
    made = 0
    if not ProgrammeContent.objects.filter(
        school_year=school_year, programme=Programme.P01, unit__isnull=True
    ).exists():
        for code, title, hours in NATIONAL_CONTENTS:
            ProgrammeContent.objects.create(
                school_year=school_year,
                programme=Programme.P01,
                code=code,
                title=title,
                hours=hours,
                description="Nội dung minh họa (dữ liệu demo).",
            )
            made += 1
    if not ProgrammeContent.objects.filter(
        school_year=school_year, programme=Programme.P02, unit=province
    ).exists():
        for code, title, hours in LOCAL_CONTENTS:
            local_content_add(
                actor=officer,
                unit=province,
                school_year=school_year,
                fields={"code": code, "title": title, "hours": hours},
            )
            made += 1
    return made


def _colleagues(school: Unit, exclude: list[int]) -> list[Person]:
    return list(
        Person.objects.filter(
            unit=school, positions__code="GV", employment_status=EmploymentStatus.WORKING
        )
        .exclude(positions__is_manager=True)
        .exclude(pk__in=exclude)
        .distinct()
        .order_by("pk")
    )


def _complete(plan: Plan, index: int) -> bool:
    """Objectives, outputs, forms and dates, and the periods each programme requires (more
    periods on its last item, or a programme-03 module for a colleague without suggestions),
    as the person would write them. False: it cannot be completed (a programme has no item)."""
    required = requirement_hours(school_year=plan.school_year, title=plan.title)
    planned = services.planned_hours(plan)
    for programme, hours in required.items():
        missing = hours - planned.get(programme, 0)
        if missing <= 0:
            continue
        last = plan.items.filter(programme=programme).order_by("position", "pk").last()
        if last is not None:
            last.hours = min(last.hours + missing, 200)
            last.save(update_fields=["hours"])
            continue
        taken = plan.items.filter(module__isnull=False).values("module_id")
        module = (
            Module.objects.filter(catalogue_id=plan.catalogue_id, audience=audience_of(plan.title))
            .exclude(pk__in=taken)
            .order_by("code")
            .first()
            if programme == Programme.P03 and plan.catalogue_id is not None
            else None
        )
        if module is None:
            return False
        PlanItem.objects.create(
            plan=plan, programme=programme, module=module, hours=missing, position=99
        )
    forms = list(StudyForm)
    start = plan.school_year.start_date
    for n, item in enumerate(plan.items.order_by("programme", "position")):
        item.form = forms[(index + n) % len(forms)]
        item.starts = start + dt.timedelta(days=30 * n)
        item.ends = item.starts + dt.timedelta(days=60)
        item.save(update_fields=["form", "starts", "ends"])
    plan.objectives, plan.outputs = OBJECTIVES, OUTPUTS
    plan.save(update_fields=["objectives", "outputs"])
    return not services.submit_problems(plan)


def _submit(plan: Plan, principal: User, when: dt.datetime) -> None:
    """What ``services.plan_submit`` writes (the person has no account in the demo)."""
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = when
    plan.version += 1
    plan.save(update_fields=["status", "submitted_at", "version"])
    mark_in_use(
        actor=principal,
        catalogue=plan.catalogue,
        contents=list(plan.items.filter(content__isnull=False).values_list("content", flat=True)),
    )


def seed_demo_plans(
    *,
    officer: User,
    province: Unit,
    principal: User,
    teacher: User | None,
    school_year: SchoolYear,
) -> DemoPlans:
    """The demo school's plans in every state, and the province's deadline (module
    docstring); what is already there is kept (the result counts only what was made)."""
    assert principal.person is not None
    school = principal.person.unit
    result = DemoPlans()
    result.contents = seed_demo_contents(
        officer=officer, province=province, school_year=school_year
    )
    if not PlanDeadline.objects.filter(school_year=school_year, unit=province).exists():
        due = min(timezone.localdate() + dt.timedelta(days=21), school_year.end_date)
        services.deadline_set(actor=officer, unit=province, school_year=school_year, due=due)
        result.deadline = due
    if Plan.objects.filter(school_year=school_year, unit=school).exists():
        return result
    if teacher is not None and teacher.person is not None:
        services.plan_open(actor=teacher, person=teacher.person, school_year=school_year)
        result.plans["draft"] = 1
    exclude = [principal.person.pk, *([teacher.person_id] if teacher and teacher.person_id else [])]
    colleagues = _colleagues(school, exclude)
    chosen = colleagues[: max(min(len(STATES), len(colleagues) - WITHOUT_PLAN), 0)]
    draft_plans_of(chosen, school_year)
    plans = {
        p.person_id: p
        for p in Plan.objects.filter(school_year=school_year, person__in=chosen).select_related(
            "school_year", "catalogue"
        )
    }
    now = timezone.now()
    to_approve: list[Plan] = []
    to_change: list[Plan] = []
    for index, (person, state) in enumerate(zip(chosen, STATES, strict=False)):
        plan = plans.get(person.pk)
        if plan is None:
            continue  # no programme applies to them
        if not _complete(plan, index):
            continue  # left as a draft
        _submit(plan, principal, now - dt.timedelta(days=10 - index))
        if state in (PlanStatus.APPROVED, "change_request"):
            to_approve.append(plan)
            if state == "change_request":
                to_change.append(plan)
        elif state == PlanStatus.RETURNED:
            services.plan_return(actor=principal, plan=plan, reason=RETURN_REASON)
        result.plans[str(state)] = result.plans.get(str(state), 0) + 1
    if to_approve:
        services.plans_approve(actor=principal, plans=to_approve)
    for plan in to_change:
        PlanChangeRequest.objects.create(plan=plan, reason=CHANGE_REASON)
    return result
