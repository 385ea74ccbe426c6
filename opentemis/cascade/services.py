"""Writes of the cascade (issue 14 items 1, 2, 4; bdtx.md R9, R12): designating core staff
with the conditions checked, assigning mass teachers to core teachers (the balancing rule, by
hand, moving a whole caseload), and a core teacher's support plan and activities. Every write
is atomic and audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.cascade import balancing, conditions, selectors
from opentemis.cascade.models import (
    Caseload,
    CaseloadMethod,
    CoreCheck,
    SupportActivity,
    SupportPlan,
)
from opentemis.core.text import nfc
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit
from opentemis.staff import services as staff_services
from opentemis.staff.models import CoreDesignation, CoreKind, EmploymentStatus, Person, Subject

# --- core staff --------------------------------------------------------------------------------


@transaction.atomic
def core_designate(
    *,
    actor: User,
    person: Person,
    school_year: SchoolYear,
    kind: str,
    subject: Subject | None,
    level: SchoolLevel | None,
    override_reason: str = "",
) -> CoreCheck:
    """Designate ``person`` core staff for the year (TT 20/2018 Điều 12; TT 14/2018 Điều 12),
    after checking the conditions (``data/core_conditions.yaml``). A candidate who fails a
    condition (or one the records cannot tell) is designated only with ``override_reason``,
    which the audit keeps. The designation is ``staff.CoreDesignation`` (its service writes it);
    the check is stored beside it (:class:`CoreCheck`)."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, person.unit_path)
    if person.employment_status != EmploymentStatus.WORKING:
        raise ValidationError(_("Only working staff can be designated."))
    if kind not in CoreKind.values:
        raise ValidationError(_("Choose core teacher or core manager."))
    school = selectors.school_levels([person.unit_id]).get(person.unit_id, [])
    if level is not None and school and level.code not in school:
        raise ValidationError(_("The person's school does not teach at this level."))
    if level is None and school:
        level = SchoolLevel.objects.filter(code=school[0]).first()
    result = selectors.check_person(
        person, school_year, kind=kind, level=level.code if level else None
    )
    reason = nfc(override_reason).strip()
    if not result.passed and not reason:
        raise ValidationError(
            _("Some conditions are not met: say why this person is designated anyway.")
        )
    staff_services.core_designate(
        actor=actor, person=person, school_year=school_year, kind=kind, subject=subject
    )
    check, _created = CoreCheck.objects.update_or_create(
        person=person,
        school_year=school_year,
        defaults={
            "unit_path": person.unit_path,
            "level": level,
            "result": result.as_list(),
            "passed": result.passed,
            "override_reason": "" if result.passed else reason,
            "conditions_version": conditions.rules().version,
            "checked_by": actor,
        },
    )
    audit(
        actor=actor,
        action="cascade.core_designate",
        unit=person.unit,
        obj=person,
        changes={
            "year": school_year.code,
            "kind": kind,
            "subject": subject.name if subject else "",
            "level": level.code if level else "",
            "passed": result.passed,
            "failing": [o.code for o in result.failing],
            "override_reason": check.override_reason,
        },
    )
    return check


@transaction.atomic
def core_revoke(*, actor: User, person: Person, school_year: SchoolYear) -> None:
    """End a designation for the year. A core teacher who still has colleagues assigned keeps
    them until they are moved to another one (no learner is left without a word)."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, person.unit_path)
    held = Caseload.objects.filter(school_year=school_year, core=person).count()
    if held:
        raise ValidationError(
            _("Move the %(n)s colleagues of this core teacher to another one first.") % {"n": held}
        )
    staff_services.core_revoke(actor=actor, person=person, school_year=school_year)
    CoreCheck.objects.filter(person=person, school_year=school_year).delete()
    audit(
        actor=actor,
        action="cascade.core_revoke",
        unit=person.unit,
        obj=person,
        changes={"year": school_year.code},
    )


# --- caseloads -----------------------------------------------------------------------------------


@dataclass
class BalanceResult:
    assigned: int
    unassigned: int
    cores: int


def _first(codes: list[str] | None) -> str | None:
    return codes[0] if codes else None


def _members(
    unit: Unit, school_year: SchoolYear
) -> tuple[list[balancing.Member], list[balancing.Member], dict[int, int]]:
    """The unassigned mass teachers and the core teachers of ``unit``'s subtree, and each core
    teacher's current load, in six set-wise queries (province scale: tens of thousands)."""
    levels = selectors.school_levels(prefix=unit.path)
    subjects = selectors.first_subjects(prefix=unit.path)
    designations = list(
        CoreDesignation.objects.filter(
            school_year=school_year,
            kind=CoreKind.TEACHER,
            person__unit_path__startswith=unit.path,
            person__employment_status=EmploymentStatus.WORKING,
        ).values_list("person_id", "subject_id", "person__unit_id", "person__unit_path")
    )
    checked = dict(
        CoreCheck.objects.filter(
            school_year=school_year, unit_path__startswith=unit.path, level__isnull=False
        ).values_list("person_id", "level__code")
    )
    cores = [
        balancing.Member(
            id=pk,
            path=path,
            subject=subject or subjects.get(pk),
            level=checked.get(pk) or _first(levels.get(unit_id)),
        )
        for pk, subject, unit_id, path in designations
    ]
    load = dict(
        Caseload.objects.filter(school_year=school_year, core_id__in=[c.id for c in cores])
        .order_by()
        .values("core_id")
        .annotate(n=Count("pk"))
        .values_list("core_id", "n")
    )
    learners = [
        balancing.Member(
            id=pk,
            path=path,
            subject=subjects.get(pk),
            level=_first(levels.get(unit_id)),
        )
        for pk, unit_id, path in selectors.unassigned(unit, school_year)
        .order_by()
        .values_list("pk", "unit_id", "unit_path")
    ]
    return learners, cores, load


@transaction.atomic
def caseload_balance(
    *, actor: User | None, unit: Unit, school_year: SchoolYear, batch_size: int = 5000
) -> BalanceResult:
    """Assign every unassigned mass teacher of ``unit``'s subtree to a core teacher for the
    year (``balancing.balance``: subject, level, place, never past the maximum). Existing
    assignments are kept. ``actor`` None: a command run by the server's administrator."""
    if actor is not None:
        require_perm_on(actor, Perm.MANAGE_CASCADE, unit.path)
    learners, cores, load = _members(unit, school_year)
    paths = {m.id: m.path for m in learners}
    chosen = balancing.balance(learners, cores, load, balancing.settings().max_per_core)
    Caseload.objects.bulk_create(
        (
            Caseload(
                school_year=school_year,
                learner_id=learner,
                core_id=core,
                unit_path=paths[learner],
                method=CaseloadMethod.BALANCED,
                assigned_by=actor,
            )
            for learner, core in chosen.items()
        ),
        batch_size=batch_size,
    )
    result = BalanceResult(
        assigned=len(chosen), unassigned=len(learners) - len(chosen), cores=len(cores)
    )
    audit(
        actor=actor,
        action="cascade.caseload_balance",
        unit=unit,
        obj=unit,
        changes={
            "year": school_year.code,
            "assigned": result.assigned,
            "unassigned": result.unassigned,
            "cores": result.cores,
        },
        actor_name="" if actor is not None else "manage.py cascade",
    )
    return result


def _core_for(actor: User, core: Person, school_year: SchoolYear) -> None:
    """``core`` must be a core teacher of the year within the actor's reach."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, core.unit_path)
    if not selectors.is_core(core.pk, school_year, CoreKind.TEACHER):
        raise ValidationError(_("%(name)s is not a core teacher this year.") % {"name": core})


def _room(core: Person, school_year: SchoolYear, adding: int) -> None:
    held = Caseload.objects.filter(school_year=school_year, core=core).count()
    limit = balancing.settings().max_per_core
    if held + adding > limit:
        raise ValidationError(
            _("%(name)s would support %(n)s colleagues, more than the maximum of %(max)s.")
            % {"name": core, "n": held + adding, "max": limit}
        )


@transaction.atomic
def caseload_assign(
    *, actor: User, learner: Person, core: Person, school_year: SchoolYear, reason: str = ""
) -> Caseload:
    """Give ``learner`` the core teacher ``core`` for the year, by hand (a new assignment or a
    move), audited with the previous one and the reason."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, learner.unit_path)
    _core_for(actor, core, school_year)
    if learner.pk == core.pk or selectors.is_core(learner.pk, school_year):
        raise ValidationError(_("Core staff are not assigned to a core teacher."))
    current = (
        Caseload.objects.select_for_update()
        .filter(school_year=school_year, learner=learner)
        .first()
    )
    if current is not None and current.core_id == core.pk:
        return current
    _room(core, school_year, 1)
    before = str(current.core) if current else ""
    if current is None:
        current = Caseload(school_year=school_year, learner=learner)
    current.core = core
    current.unit_path = learner.unit_path
    current.method = CaseloadMethod.MANUAL
    current.assigned_by = actor
    current.save()
    audit(
        actor=actor,
        action="cascade.caseload_assign",
        unit=learner.unit,
        obj=learner,
        changes={
            "year": school_year.code,
            "core": [before, str(core)],
            "reason": nfc(reason).strip(),
        },
    )
    return current


@transaction.atomic
def caseload_move_all(
    *, actor: User, from_core: Person, to_core: Person, school_year: SchoolYear, reason: str = ""
) -> int:
    """Move every colleague of ``from_core`` to ``to_core`` for the year (a core teacher who
    leaves, is overloaded...), audited; refused past the maximum. Returns how many moved."""
    require_perm_on(actor, Perm.MANAGE_CASCADE, from_core.unit_path)
    _core_for(actor, to_core, school_year)
    if from_core.pk == to_core.pk:
        raise ValidationError(_("Choose another core teacher."))
    rows = Caseload.objects.select_for_update().filter(school_year=school_year, core=from_core)
    paths = list(rows.values_list("unit_path", flat=True))
    if any(not has_perm_on(actor, Perm.MANAGE_CASCADE, p) for p in paths):
        raise ValidationError(_("Some of these colleagues are outside your units."))
    _room(to_core, school_year, len(paths))
    moved = rows.update(core=to_core, method=CaseloadMethod.MANUAL, assigned_by=actor)
    audit(
        actor=actor,
        action="cascade.caseload_move",
        unit=from_core.unit,
        obj=from_core,
        changes={
            "year": school_year.code,
            "to": str(to_core),
            "moved": moved,
            "reason": nfc(reason).strip(),
        },
    )
    return moved


def caseload_write(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    pairs: Iterable[tuple[Person, Person]],
) -> int:
    """Write (learner, core) pairs checked by the upload (``importer``): new assignments are
    created, changed ones moved; one audit event for the file. Inside the import's transaction."""
    pairs = list(pairs)
    existing = {
        c.learner_id: c
        for c in Caseload.objects.select_for_update().filter(
            school_year=school_year, learner_id__in=[learner.pk for learner, _core in pairs]
        )
    }
    new, changed = [], []
    for learner, core in pairs:
        row = existing.get(learner.pk)
        if row is None:
            new.append(
                Caseload(
                    school_year=school_year,
                    learner=learner,
                    core=core,
                    unit_path=learner.unit_path,
                    method=CaseloadMethod.UPLOADED,
                    assigned_by=actor,
                )
            )
        elif row.core_id != core.pk:
            row.core = core
            row.unit_path = learner.unit_path
            row.method = CaseloadMethod.UPLOADED
            row.assigned_by = actor
            changed.append(row)
    Caseload.objects.bulk_create(new, batch_size=2000)
    Caseload.objects.bulk_update(
        changed, ["core", "unit_path", "method", "assigned_by"], batch_size=2000
    )
    audit(
        actor=actor,
        action="cascade.caseload_upload",
        unit=unit,
        obj=unit,
        changes={"year": school_year.code, "created": len(new), "moved": len(changed)},
    )
    return len(new) + len(changed)


# --- support -------------------------------------------------------------------------------------


def _own_core(actor: User, school_year: SchoolYear) -> Person:
    """The actor's staff record, if they are a core teacher this year; 404-like refusal else."""
    person = Person.objects.filter(pk=actor.person_id or 0).select_related("unit").first()
    if person is None or not selectors.is_core(person.pk, school_year):
        raise ValidationError(_("Only core staff of the year record support activities."))
    return person


@transaction.atomic
def support_plan_save(
    *, actor: User, school_year: SchoolYear, text: str, status: str
) -> SupportPlan:
    """The core teacher's plan to support their colleagues for the year (bdtx.md R9)."""
    person = _own_core(actor, school_year)
    plan, _created = SupportPlan.objects.update_or_create(
        person=person,
        school_year=school_year,
        defaults={"unit_path": person.unit_path, "text": nfc(text).strip(), "status": status},
    )
    audit(
        actor=actor,
        action="cascade.support_plan",
        unit=person.unit,
        obj=person,
        changes={"year": school_year.code, "status": status},
    )
    return plan


@transaction.atomic
def support_activity_add(
    *,
    actor: User,
    school_year: SchoolYear,
    date: dt.date,
    form: str,
    colleagues: Iterable[int],
    note: str,
) -> SupportActivity:
    """Record a support activity (bdtx.md R12) for colleagues of the actor's caseload."""
    person = _own_core(actor, school_year)
    wanted = set(colleagues)
    mine = {c.learner_id for c in selectors.colleagues_of(person.pk, school_year)}
    if wanted - mine:
        raise ValidationError(_("Choose colleagues you support this year."))
    if not school_year.start_date <= date <= school_year.end_date:
        raise ValidationError(_("The date must fall within the school year."))
    activity = SupportActivity.objects.create(
        person=person,
        school_year=school_year,
        unit_path=person.unit_path,
        date=date,
        form=form,
        note=nfc(note).strip(),
        recorded_by=actor,
    )
    activity.colleagues.set(sorted(wanted))
    audit(
        actor=actor,
        action="cascade.support_activity",
        unit=person.unit,
        obj=person,
        changes={"year": school_year.code, "date": date, "form": form, "colleagues": len(wanted)},
    )
    return activity
