"""Writes on staff records: create, update (optimistic lock), transfer, core designation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts import audit_text
from opentemis.accounts.models import User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.conflicts import StaleVersion, compare
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold, nfc
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.staff.ethnicities import is_minority
from opentemis.staff.models import (
    Assignment,
    CoreDesignation,
    Person,
    Position,
    Subject,
    SubjectGroup,
)
from opentemis.staff.validators import check_person_fields

TRACKED = [
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "phone",
    "email",
    "qualification",
    "employment_status",
    "subject_group_id",
]


class StaleEdit(StaleVersion):
    """Somebody else saved the record since this form was loaded (see core/conflicts.py)."""


def _stale(
    current: Person,
    *,
    version: int,
    data: dict[str, Any],
    positions: Iterable[Position] | None,
    subjects: Iterable[Subject] | None,
) -> StaleEdit:
    """The conflict of a stale ``person_update``: the fields sent that differ from the saved
    record, named and said as in the record's audit entries, keyed as the API names them."""
    saved = _snapshot(current)
    saved["subject_group"] = saved.pop("subject_group_id")
    sent = {k: v for k, v in data.items() if k in TRACKED or k == "subject_group"}
    if "subject_group" in sent:
        sent["subject_group"] = getattr(sent["subject_group"], "pk", sent["subject_group"])
    if positions is not None:
        sent["positions"] = sorted(p.code for p in positions)
    if subjects is not None:
        sent["subjects"] = sorted(s.code for s in subjects)

    def key(name: str) -> str:  # the audit's key of a field (groups are recorded by id)
        return "subject_group_id" if name == "subject_group" else name

    differences = compare(
        saved,
        sent,
        label=lambda name, _sub: audit_text.label(key(name), Person),
        say=lambda name, value: audit_text.say(key(name), value, Person),
    )
    return StaleEdit(current=current, sent_version=version, differences=differences)


def search_text_for(full_name: str, staff_code: str) -> str:
    return f"{fold(full_name)} {staff_code.lower()}"


def normalise_person_fields(data: dict[str, Any]) -> dict[str, Any]:
    """NFC names, derived DTTS flag and search key: the same rules for forms, API and imports."""
    out = dict(data)
    if "full_name" in out:
        out["full_name"] = nfc(out["full_name"])
    if "staff_code" in out:
        out["staff_code"] = nfc(out["staff_code"]).upper()
    if out.get("email"):
        out["email"] = out["email"].strip().lower()
    if out.get("phone"):
        out["phone"] = "".join(ch for ch in str(out["phone"]) if ch.isdigit() or ch == "+")
    if "ethnicity" in out:
        out["is_dtts"] = is_minority(out["ethnicity"])
    return out


def _snapshot(person: Person) -> dict[str, Any]:
    snap = {name: getattr(person, name) for name in TRACKED}
    snap["unit_id"] = person.unit_id
    snap["positions"] = sorted(p.code for p in person.positions.all()) if person.pk else []
    snap["subjects"] = sorted(s.code for s in person.subjects.all()) if person.pk else []
    return snap


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@transaction.atomic
def person_create(
    *,
    actor: User,
    unit: Unit,
    fields: dict[str, Any],
    positions: Iterable[Position] = (),
    subjects: Iterable[Subject] = (),
) -> Person:
    require_perm_on(actor, Perm.CHANGE_STAFF, unit.path)
    data = normalise_person_fields(fields)
    check_person_fields(data)
    _check_group(data.get("subject_group"), unit)
    person = Person(unit=unit, **data)
    person.search_text = search_text_for(person.full_name, person.staff_code)
    person.full_clean(exclude=["unit", "subject_group", "search_text"], validate_unique=False)
    # Staff codes are unique nationally: check across all units (the scoped manager would only
    # see the actor's), and say nothing about where the code is used.
    with system_scope():
        if Person.objects.filter(staff_code=person.staff_code).exists():
            raise ValidationError({"staff_code": _("This staff code is already in use.")})
    person.save()
    person.positions.set(positions)
    person.subjects.set(subjects)
    Assignment.objects.create(
        person=person, unit=unit, start_date=timezone.localdate(), recorded_by=actor
    )
    audit(
        actor=actor,
        action="staff.create",
        unit=unit,
        obj=person,
        changes={"after": _snapshot(person)},
    )
    return person


def _check_group(group: SubjectGroup | None, unit: Unit) -> None:
    if group is not None and group.unit_id != unit.pk:
        raise ValidationError(
            {"subject_group": _("The subject group must belong to the person's school.")}
        )


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: Person,
    version: int,
    fields: dict[str, Any],
    positions: Iterable[Position] | None = None,
    subjects: Iterable[Subject] | None = None,
) -> Person:
    """Update a record if nobody saved it since ``version`` was read; otherwise StaleEdit."""
    require_perm_on(actor, Perm.CHANGE_STAFF, person.unit.path)
    data = normalise_person_fields(fields)
    data.pop("staff_code", None)  # the national code is not edited here
    data.pop("unit", None)  # transfers go through person_transfer (history)
    # From the database: a bound ModelForm has already copied its input onto ``person``.
    before = _snapshot(Person.objects.get(pk=person.pk))
    check_person_fields(data, before=before)
    _check_group(data.get("subject_group"), person.unit)
    for name, value in data.items():
        setattr(person, name, value)
    person.search_text = search_text_for(person.full_name, person.staff_code)
    person.full_clean(exclude=["unit", "subject_group", "search_text", "staff_code"])
    updated = Person.objects.filter(pk=person.pk, version=version).update(
        **{k: getattr(person, k) for k in [*data.keys(), "search_text"] if k != "subject_group"},
        subject_group=person.subject_group,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        current = Person.objects.get(pk=person.pk)
        raise _stale(current, version=version, data=data, positions=positions, subjects=subjects)
    if positions is not None:
        person.positions.set(positions)
    if subjects is not None:
        person.subjects.set(subjects)
    person.refresh_from_db()
    changes = _diff(before, _snapshot(person))
    if changes:
        audit(actor=actor, action="staff.update", unit=person.unit, obj=person, changes=changes)
    return person


@transaction.atomic
def person_transfer(
    *, actor: User, person: Person, to_unit: Unit, date: dt.date | None = None, note: str = ""
) -> Person:
    """Move a person to another unit; the assignment history keeps where they were."""
    require_perm_on(actor, Perm.CHANGE_STAFF, person.unit.path)
    require_perm_on(actor, Perm.CHANGE_STAFF, to_unit.path)
    if to_unit.pk == person.unit_id:
        return person
    when = date or timezone.localdate()
    from_unit = person.unit
    Assignment.objects.filter(person=person, end_date__isnull=True).update(end_date=when)
    Assignment.objects.create(
        person=person, unit=to_unit, start_date=when, note=nfc(note), recorded_by=actor
    )
    Person.objects.filter(pk=person.pk).update(
        unit=to_unit,
        unit_path=to_unit.path,
        subject_group=None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    person.refresh_from_db()
    changes = {"unit": [from_unit.name, to_unit.name], "note": note}
    audit(actor=actor, action="staff.transfer", unit=from_unit, obj=person, changes=changes)
    audit(actor=actor, action="staff.transfer", unit=to_unit, obj=person, changes=changes)
    return person


@transaction.atomic
def core_designate(
    *,
    actor: User,
    person: Person,
    school_year: SchoolYear,
    kind: str,
    subject: Subject | None = None,
) -> CoreDesignation:
    require_perm_on(actor, Perm.CHANGE_STAFF, person.unit.path)
    designation, _created = CoreDesignation.objects.update_or_create(
        person=person, school_year=school_year, defaults={"kind": kind, "subject": subject}
    )
    audit(
        actor=actor,
        action="staff.core_designate",
        unit=person.unit,
        obj=person,
        changes={"year": school_year.code, "kind": kind},
    )
    return designation


@transaction.atomic
def core_revoke(*, actor: User, person: Person, school_year: SchoolYear) -> None:
    require_perm_on(actor, Perm.CHANGE_STAFF, person.unit.path)
    CoreDesignation.objects.filter(person=person, school_year=school_year).delete()
    audit(
        actor=actor,
        action="staff.core_revoke",
        unit=person.unit,
        obj=person,
        changes={"year": school_year.code},
    )


def sync_staff_paths(*, prefix: str) -> int:
    """Copy the current unit path onto every person of the subtree at ``prefix``.

    Called after a unit move (treebeard rewrote the units' paths; ``staff.signals``); one UPDATE
    with a subquery, so it runs in the database whatever the number of people.
    """
    with system_scope():
        current = Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]
        return Person.objects.filter(unit__path__startswith=prefix).update(
            unit_path=Subquery(current)
        )
