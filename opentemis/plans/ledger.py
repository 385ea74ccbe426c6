"""The BDTX hours ledger (issue 12 item 5): the hours a person studied, where they come from,
who confirmed them; and the totals against the year's requirement.

Where hours come from (``EntrySource``) decides who writes them and how they start:

* the person adds self-study (with evidence: a file or a link) or an external course (with its
  certificate uploaded): *awaiting confirmation*, the evidence goes to their library
  (``evidence.services``, its checks of size and content);
* the head of the school records a face-to-face class attended or a school professional
  activity (sinh hoạt chuyên môn), for several people at once: *confirmed* (their own hours
  wait for their superior, as their plan does);
* a system posts an online module completed (``entry_post``, idempotent by its own key):
  *confirmed*.

The head confirms (many at once) or rejects with a reason what waits; the person or the head
disputes an entry with a reason (it stops counting until confirmed again). Only confirmed hours
count (``rules.hours_lines``); those waiting are shown apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.text import normalize_text
from opentemis.evidence.models import Evidence
from opentemis.evidence.services import evidence_add_link, evidence_upload
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.access import manages_plans_on, reads_plans_on
from opentemis.plans.models import (
    EntrySource,
    EntryStatus,
    LedgerEntry,
    Plan,
    PlanItem,
)
from opentemis.plans.rules import HoursLine, hours_lines
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.training.models import Programme, Requirement
from opentemis.training.selectors import requirement_hours

#: Written by the person, then confirmed by the head of the school.
PERSON_SOURCES = (EntrySource.SELF_STUDY, EntrySource.EXTERNAL)
#: Recorded by the head of the school (confirmed as recorded).
SCHOOL_SOURCES = (EntrySource.CLASS, EntrySource.SCHOOL)
MAX_HOURS = Decimal("200")
DESCRIPTION_MAX = 500
REASON_MAX = 2000


# --- who may do what ----------------------------------------------------------------------


def is_self(actor: User, person: Person | int) -> bool:
    pk = person if isinstance(person, int) else person.pk
    return actor.person_id is not None and actor.person_id == pk


def can_manage(actor: User, unit_path: str) -> bool:
    return manages_plans_on(actor, unit_path)


def can_view(actor: User, person: Person) -> bool:
    """The person themself, or whoever reads or manages BDTX plans of their unit."""
    return is_self(actor, person) or reads_plans_on(actor, person.unit_path)


def require_view(actor: User, person: Person) -> None:
    if not can_view(actor, person):
        raise Http404


def get_person(*, actor: User, pk: int) -> Person:
    """The person ``pk`` if ``actor`` may see their ledger (themself, the heads and readers of
    plans of their unit); 404 otherwise, as for a missing one."""
    person = Person.objects.select_related("unit").filter(pk=pk).first()
    if person is None:
        raise Http404
    require_view(actor, person)
    return person


def require_manager(actor: User, unit_path: str, person_id: int | None = None) -> None:
    """The head of the school (or a unit above) confirms; nobody confirms their own hours."""
    if not can_manage(actor, unit_path):
        if (person_id is not None and is_self(actor, person_id)) or has_perm_on(
            actor, Perm.VIEW_PLANS, unit_path
        ):
            raise PermissionDenied(_("You may not confirm BDTX hours of this unit."))
        raise Http404
    if person_id is not None and is_self(actor, person_id):
        raise PermissionDenied(_("Your own hours are confirmed by your superior."))


# --- checking what is written ---------------------------------------------------------------


def clean_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        hours = Decimal(0)
    if not hours.is_finite() or not Decimal(0) < hours <= MAX_HOURS:
        raise ValidationError(
            _("Periods must be a number above 0 and at most %(max)s.") % {"max": MAX_HOURS}
        )
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError(_("Periods take at most one decimal (e.g. 2.5)."))
    return hours.quantize(Decimal("0.1"))


def clean_date(value: Any, school_year: SchoolYear) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError(_("Enter a valid date.")) from exc
    if not isinstance(value, dt.date):
        raise ValidationError(_("Enter a valid date."))
    if not school_year.start_date <= value <= school_year.end_date:
        raise ValidationError(
            _("The date must fall within the school year %(year)s (%(start)s to %(end)s).")
            % {
                "year": school_year.code,
                "start": school_year.start_date.strftime("%d/%m/%Y"),
                "end": school_year.end_date.strftime("%d/%m/%Y"),
            }
        )
    return value


def clean_text(value: Any, *, required: str, limit: int) -> str:
    text = normalize_text(str(value or ""))
    if not text:
        raise ValidationError(required)
    if len(text) > limit:
        raise ValidationError(
            _("The text is too long (at most %(max)s characters).") % {"max": limit}
        )
    return text


def clean_programme(value: Any) -> str:
    if value not in Programme.values:
        raise ValidationError(_("Choose programme 01, 02 or 03."))
    return str(value)


def clean_item(
    item: PlanItem | None, *, person: Person, school_year: SchoolYear, programme: str
) -> PlanItem | None:
    """An item of the person's plan of that year, in the same programme (or none)."""
    if item is None:
        return None
    plan = Plan.objects.filter(pk=item.plan_id).values_list("person_id", "school_year_id").first()
    if plan != (person.pk, school_year.pk):
        raise ValidationError(_("This item is not in the person's plan of this school year."))
    if item.programme != programme:
        raise ValidationError(
            _("This item belongs to programme %(p)s, not to programme %(q)s.")
            % {"p": item.programme, "q": programme}
        )
    return item


@dataclass(frozen=True)
class EntryFields:
    programme: str
    hours: Decimal
    date: dt.date
    description: str
    item: PlanItem | None


def clean_entry(
    *,
    person: Person,
    school_year: SchoolYear,
    programme: Any,
    hours: Any,
    date: Any,
    description: Any,
    item: PlanItem | None = None,
) -> EntryFields:
    """Every field checked, every problem said at once."""
    problems: list[str] = []
    cleaned: dict[str, Any] = {}
    for name, check in (
        ("programme", lambda: clean_programme(programme)),
        ("hours", lambda: clean_hours(hours)),
        ("date", lambda: clean_date(date, school_year)),
        (
            "description",
            lambda: clean_text(
                description, required=_("Describe what was studied."), limit=DESCRIPTION_MAX
            ),
        ),
    ):
        try:
            cleaned[name] = check()
        except ValidationError as exc:
            problems += exc.messages
    if "programme" in cleaned:
        try:
            cleaned["item"] = clean_item(
                item, person=person, school_year=school_year, programme=cleaned["programme"]
            )
        except ValidationError as exc:
            problems += exc.messages
    if problems:
        raise ValidationError(problems)
    return EntryFields(**cleaned)


def _entry_changes(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "programme": entry.programme,
        "hours": str(entry.hours),
        "date": entry.date.isoformat(),
        "source": entry.source,
    }


# --- the person adds ----------------------------------------------------------------------


@transaction.atomic
def entry_add(
    *,
    actor: User,
    person: Person,
    school_year: SchoolYear,
    source: str,
    programme: Any,
    hours: Any,
    date: Any,
    description: Any,
    item: PlanItem | None = None,
    uploaded_file: File[bytes] | None = None,
    url: str = "",
) -> LedgerEntry:
    """The person's own self-study (with a file or a link as evidence) or external course (with
    its certificate uploaded): awaiting the head's confirmation. The file goes through the
    evidence library's checks and stays in the person's library for the year."""
    if not is_self(actor, person):
        raise Http404
    if source not in PERSON_SOURCES:
        raise ValidationError(_("Choose self-study or an external course."))
    fields = clean_entry(
        person=person,
        school_year=school_year,
        programme=programme,
        hours=hours,
        date=date,
        description=description,
        item=item,
    )
    title = fields.description[:200]
    evidence: Evidence
    if uploaded_file is not None:
        evidence = evidence_upload(
            actor=actor,
            owner=person,
            uploaded_file=uploaded_file,
            title=title,
            school_year=school_year,
        )
    elif source == EntrySource.EXTERNAL:
        raise ValidationError(_("Upload the certificate of the course."))
    elif url.strip():
        evidence = evidence_add_link(
            actor=actor, owner=person, url=url, title=title, school_year=school_year
        )
    else:
        raise ValidationError(_("Self-study needs evidence: upload a file or give a link."))
    entry = LedgerEntry.objects.create(
        person=person,
        school_year=school_year,
        unit_path=person.unit_path,
        programme=fields.programme,
        item=fields.item,
        source=source,
        hours=fields.hours,
        date=fields.date,
        description=fields.description,
        evidence=evidence,
        status=EntryStatus.PENDING,
        recorded_by=actor,
    )
    audit(
        actor=actor,
        action="plans.ledger_add",
        obj=entry,
        unit_id=person.unit_id,
        changes=_entry_changes(entry),
    )
    return entry


# --- the head records ----------------------------------------------------------------------


@transaction.atomic
def entry_record(
    *,
    actor: User,
    people: Sequence[Person],
    school_year: SchoolYear,
    source: str,
    programme: Any,
    hours: Any,
    date: Any,
    description: Any,
) -> list[LedgerEntry]:
    """The head records a face-to-face class attended or a school professional activity for
    several people at once: confirmed as recorded (the head's own hours wait for their
    superior). All or nothing."""
    if source not in SCHOOL_SOURCES:
        raise ValidationError(_("Choose a face-to-face class or a school professional activity."))
    if not people:
        raise ValidationError(_("Choose at least one person."))
    for person in people:
        if not can_manage(actor, person.unit_path):
            raise Http404
    now = timezone.now()
    entries: list[LedgerEntry] = []
    for person in people:
        fields = clean_entry(
            person=person,
            school_year=school_year,
            programme=programme,
            hours=hours,
            date=date,
            description=description,
        )
        own = is_self(actor, person)
        entry = LedgerEntry.objects.create(
            person=person,
            school_year=school_year,
            unit_path=person.unit_path,
            programme=fields.programme,
            source=source,
            hours=fields.hours,
            date=fields.date,
            description=fields.description,
            status=EntryStatus.PENDING if own else EntryStatus.CONFIRMED,
            recorded_by=actor,
            confirmed_by=None if own else actor,
            confirmed_at=None if own else now,
        )
        audit(
            actor=actor,
            action="plans.ledger_record",
            obj=entry,
            unit_id=person.unit_id,
            changes=_entry_changes(entry),
        )
        entries.append(entry)
    return entries


# --- systems post -------------------------------------------------------------------------


def entry_post(
    *,
    actor: User | None,
    person: Person,
    school_year: SchoolYear,
    programme: Any,
    hours: Any,
    date: Any,
    description: Any,
    external_ref: str,
    item: PlanItem | None = None,
    source: str = EntrySource.ONLINE,
) -> LedgerEntry:
    """An online module completed (or, ``source=CLASS``, a face-to-face class attended),
    posted by the learning system: confirmed. Idempotent by ``external_ref`` (the system's own
    key) within its source: a second post, or two at once, returns the entry recorded first,
    unchanged. The caller (a system) has checked who it acts for."""
    ref = str(external_ref or "").strip()
    if not ref or len(ref) > 100:
        raise ValidationError(_("A posted entry needs its system's reference (at most 100)."))
    if source not in (EntrySource.ONLINE, EntrySource.CLASS):
        raise ValueError(f"a system posts online or class hours, not {source!r}")
    existing = _posted(person, school_year, ref, source)
    if existing is not None:
        return existing
    try:
        return _post(
            actor=actor,
            person=person,
            school_year=school_year,
            fields=clean_entry(
                person=person,
                school_year=school_year,
                programme=programme,
                hours=hours,
                date=date,
                description=description,
                item=item,
            ),
            ref=ref,
            source=source,
        )
    except IntegrityError:  # posted at the same moment by another worker: theirs stands
        found = _posted(person, school_year, ref, source)
        if found is None:
            raise
        return found


def _posted(
    person: Person, school_year: SchoolYear, ref: str, source: str = EntrySource.ONLINE
) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(
        person=person, school_year=school_year, source=source, external_ref=ref
    ).first()


@transaction.atomic
def _post(
    *,
    actor: User | None,
    person: Person,
    school_year: SchoolYear,
    fields: EntryFields,
    ref: str,
    source: str = EntrySource.ONLINE,
) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        person=person,
        school_year=school_year,
        unit_path=person.unit_path,
        programme=fields.programme,
        item=fields.item,
        source=source,
        hours=fields.hours,
        date=fields.date,
        description=fields.description,
        external_ref=ref,
        status=EntryStatus.CONFIRMED,
        recorded_by=actor,
        confirmed_at=timezone.now(),
    )
    audit(
        actor=actor,
        action="plans.ledger_post",
        obj=entry,
        unit_id=person.unit_id,
        changes={**_entry_changes(entry), "ref": ref},
        actor_name="" if actor else "system",
    )
    return entry


# --- confirming, rejecting, disputing -------------------------------------------------------


def _locked_entries(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    pks = {e.pk for e in entries}
    locked = list(
        LedgerEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("person")
        .order_by("pk")
    )
    if len(locked) != len(pks):
        raise Http404
    return locked


@transaction.atomic
def entries_confirm(*, actor: User, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
    """Confirm entries at once (awaiting, disputed or rejected ones; confirmed ones stay as
    they are). All or none: an entry the actor may not confirm refuses the lot."""
    locked = _locked_entries(entries)
    for entry in locked:
        require_manager(actor, entry.unit_path, entry.person_id)
    now = timezone.now()
    for entry in locked:
        if entry.status == EntryStatus.CONFIRMED:
            continue
        before = entry.status
        entry.status = EntryStatus.CONFIRMED
        entry.confirmed_by = actor
        entry.confirmed_at = now
        entry.note = ""
        entry.save(update_fields=["status", "confirmed_by", "confirmed_at", "note"])
        audit(
            actor=actor,
            action="plans.ledger_confirm",
            obj=entry,
            unit_id=entry.person.unit_id,
            changes={"before": before, **_entry_changes(entry)},
        )
    return locked


def entry_confirm(*, actor: User, entry: LedgerEntry) -> LedgerEntry:
    return entries_confirm(actor=actor, entries=[entry])[0]


def _stop_counting(entry: LedgerEntry, status: str, reason: str) -> None:
    """A rejected or disputed entry no longer counts: its confirmation goes, the reason stays."""
    entry.status = status
    entry.confirmed_by = None
    entry.confirmed_at = None
    entry.note = reason
    entry.save(update_fields=["status", "confirmed_by", "confirmed_at", "note"])


@transaction.atomic
def entry_reject(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Refuse an entry, saying why (it no longer counts; the person may dispute it)."""
    (current,) = _locked_entries([entry])
    require_manager(actor, current.unit_path, current.person_id)
    reason = clean_text(reason, required=_("Say why the entry is rejected."), limit=REASON_MAX)
    _stop_counting(current, EntryStatus.REJECTED, reason)
    audit(
        actor=actor,
        action="plans.ledger_reject",
        obj=current,
        unit_id=current.person.unit_id,
        changes={"reason": reason, **_entry_changes(current)},
    )
    return current


@transaction.atomic
def entry_dispute(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """The person (or the head) disputes an entry, saying why: it stops counting until the
    head confirms it again or rejects it."""
    (current,) = _locked_entries([entry])
    if not is_self(actor, current.person_id) and not can_manage(actor, current.unit_path):
        if can_view(actor, current.person):
            raise PermissionDenied(_("You may not dispute this entry."))
        raise Http404
    reason = clean_text(reason, required=_("Say what is wrong with the entry."), limit=REASON_MAX)
    _stop_counting(current, EntryStatus.DISPUTED, reason)
    audit(
        actor=actor,
        action="plans.ledger_dispute",
        obj=current,
        unit_id=current.person.unit_id,
        changes={"reason": reason, **_entry_changes(current)},
    )
    return current


# --- reads --------------------------------------------------------------------------------


@dataclass
class Totals:
    """A person's hours of a year: confirmed per programme against the requirement, and those
    not counted yet (awaiting or disputed) apart."""

    required: dict[str, int]
    confirmed: dict[str, Decimal] = field(default_factory=dict)
    pending: dict[str, Decimal] = field(default_factory=dict)

    @property
    def lines(self) -> list[HoursLine]:
        return hours_lines(self.required, self.confirmed)

    @property
    def pending_total(self) -> Decimal:
        return sum(self.pending.values(), Decimal(0))

    @property
    def confirmed_total(self) -> Decimal:
        return sum(self.confirmed.values(), Decimal(0))

    @property
    def required_total(self) -> int:
        return sum(self.required.values())

    @property
    def met(self) -> bool:
        return all(line.met for line in self.lines)


WAITING = (EntryStatus.PENDING, EntryStatus.DISPUTED)


def _add(target: dict[str, Decimal], programme: str, hours: Decimal | None) -> None:
    target[programme] = target.get(programme, Decimal(0)) + Decimal(hours or 0)


def confirmed_hours(*, person: Person, school_year: SchoolYear) -> dict[str, Decimal]:
    """Programme -> confirmed periods of the person in the year (one query)."""
    rows = (
        LedgerEntry.objects.filter(
            person=person, school_year=school_year, status=EntryStatus.CONFIRMED
        )
        .values("programme")
        .annotate(total=Sum("hours"))
    )
    return {row["programme"]: Decimal(row["total"] or 0) for row in rows}


def grouped_hours(
    *, unit_path: str, school_year: SchoolYear
) -> dict[int, tuple[dict[str, Decimal], dict[str, Decimal]]]:
    """Person -> (confirmed, waiting) periods per programme of everyone under ``unit_path``:
    one GROUP BY query, whatever the number of people."""
    out: dict[int, tuple[dict[str, Decimal], dict[str, Decimal]]] = defaultdict(lambda: ({}, {}))
    rows = (
        LedgerEntry.objects.filter(
            school_year=school_year,
            unit_path__startswith=unit_path,
            status__in=(EntryStatus.CONFIRMED, *WAITING),
        )
        .values_list("person_id", "programme", "status")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for person_id, programme, status, total in rows:
        confirmed, waiting = out[person_id]
        _add(confirmed if status == EntryStatus.CONFIRMED else waiting, programme, total)
    return dict(out)


def requirements_by_title(*, school_year: SchoolYear) -> dict[str, dict[str, int]]:
    """Title -> programme -> periods of the year (one query)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for title, programme, hours in Requirement.objects.filter(school_year=school_year).values_list(
        "title", "programme", "hours"
    ):
        out[title][programme] = hours
    return dict(out)


@dataclass
class PersonLedger:
    person: Person
    school_year: SchoolYear
    plan: Plan | None
    entries: list[LedgerEntry]
    totals: Totals
    can_add: bool
    can_manage: bool

    def by_programme(self) -> list[tuple[str, str, list[LedgerEntry], HoursLine, Decimal]]:
        """(programme, label, entries, hours line, waiting periods) for each programme."""
        labels = dict(Programme.choices)
        lines = {line.programme: line for line in self.totals.lines}
        return [
            (
                code,
                str(labels[code]),
                [e for e in self.entries if e.programme == code],
                lines[code],
                self.totals.pending.get(code, Decimal(0)),
            )
            for code in Programme.values
        ]


def person_ledger(*, actor: User, person: Person, school_year: SchoolYear) -> PersonLedger:
    """The person's ledger of the year ("Sổ theo dõi BDTX"): the person, the heads above and
    those who read plans of the unit; anyone else gets 404."""
    require_view(actor, person)
    plan = Plan.objects.filter(person=person, school_year=school_year).first()
    entries = list(
        LedgerEntry.objects.filter(person=person, school_year=school_year)
        .select_related("evidence", "confirmed_by", "recorded_by", "item__module", "item__content")
        .order_by("programme", "date", "id")
    )
    required = requirement_hours(school_year=school_year, title=plan.title) if plan else {}
    totals = Totals(required=required)
    for entry in entries:
        if entry.status == EntryStatus.CONFIRMED:
            _add(totals.confirmed, entry.programme, entry.hours)
        elif entry.status in WAITING:
            _add(totals.pending, entry.programme, entry.hours)
    return PersonLedger(
        person=person,
        school_year=school_year,
        plan=plan,
        entries=entries,
        totals=totals,
        can_add=is_self(actor, person),
        can_manage=can_manage(actor, person.unit_path) and not is_self(actor, person),
    )


def get_entry(*, actor: User, pk: int) -> LedgerEntry:
    """An entry the actor may see (its person, or who reads plans of its unit), else 404."""
    entry = LedgerEntry.objects.select_related("person", "school_year").filter(pk=pk).first()
    if entry is None or not can_view(actor, entry.person):
        raise Http404
    return entry


@dataclass
class PersonTotals:
    person: Person
    plan: Plan | None
    totals: Totals


def school_people(*, unit: Unit) -> QuerySet[Person]:
    return Person.objects.filter(
        unit_path__startswith=unit.path, employment_status=EmploymentStatus.WORKING
    ).order_by("full_name", "pk")


def school_totals(*, actor: User, unit: Unit, school_year: SchoolYear) -> list[PersonTotals]:
    """Everyone working in the unit's subtree with their hours of the year against their
    requirement, in four queries whatever their number (people, plans, requirements, and the
    ledger grouped by person, programme and status)."""
    require_perm_on(actor, Perm.VIEW_PLANS, unit.path)
    people = list(school_people(unit=unit))
    plans = {
        p.person_id: p
        for p in Plan.objects.filter(school_year=school_year, unit_path__startswith=unit.path)
    }
    required = requirements_by_title(school_year=school_year)
    hours = grouped_hours(unit_path=unit.path, school_year=school_year)
    out = []
    for person in people:
        plan = plans.get(person.pk)
        confirmed, waiting = hours.get(person.pk, ({}, {}))
        need = required.get(plan.title, {}) if plan else {}
        out.append(
            PersonTotals(
                person=person,
                plan=plan,
                totals=Totals(required=need, confirmed=confirmed, pending=waiting),
            )
        )
    return out


def waiting_entries(*, actor: User, unit: Unit, school_year: SchoolYear) -> list[LedgerEntry]:
    """Entries of the unit's subtree awaiting the head (awaiting confirmation or disputed);
    the head's own wait for their superior and are not listed."""
    require_perm_on(actor, Perm.MANAGE_PLANS, unit.path)
    return list(
        LedgerEntry.objects.filter(
            school_year=school_year, unit_path__startswith=unit.path, status__in=WAITING
        )
        .exclude(person_id=actor.person_id or 0)
        .select_related("person", "evidence")
        .order_by("person__full_name", "date", "id")
    )
