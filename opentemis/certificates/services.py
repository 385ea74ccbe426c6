"""Writes of certificates (issue 14 item 5; bdtx.md R9, R10): keyword-only, atomic, audited.

* ``certificate_issue_for_enrolment``: the module certificate of a completed enrolment
  (Chứng nhận hoàn thành mô đun), by the nearest issuer at or above the course's unit; then
  the programme certificates it completes (``programmes_check``). Run after the commit of the
  completion (``learning.signals.course_completed``, ``apps.py``) and by
  ``certificates_backfill`` for everyone already completed.
* Issued **exactly once**: a person has at most one certificate per course (per programme) in
  any state, so a retry, a second signal or the backfill returns the one issued, and a revoked
  one stays revoked (only an officer re-issues). Two concurrent issues meet the database's
  partial unique constraint on the valid one: the loser reads the winner's row.
* ``certificate_reissue``: a correction (R10): a new certificate with a new code and a fresh
  snapshot of the records (correct the staff record or the course first), the old one marked
  replaced, with the reason; ``certificate_revoke``: ended with a reason. Both audited.
* ``issuer_save`` / ``programme_save``: the issuer's configuration and its programmes.

Each certificate also lands, once, in the holder's evidence library as a link to its public
verification page (``evidence.services.evidence_deposit_link``), for next year's
self-evaluation: the link shows its state now (a revoked one says so), where a stored PDF
could not, and costs no storage.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.services import audit
from opentemis.certificates import codes, signals
from opentemis.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    Issuer,
    ProgrammeDefinition,
)
from opentemis.certificates.selectors import PERM, issuer_for_course, manages_issuer
from opentemis.core.scoping import system_scope
from opentemis.core.text import nfc
from opentemis.evidence import validation
from opentemis.evidence.services import evidence_deposit_link
from opentemis.learning.models import Enrolment, EnrolmentStatus
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.staff.models import Person

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data" / "template.yaml"
REASON_MAX = 500
IMAGE_MAX_BYTES = 1024 * 1024
IMAGE_TYPES = ("png", "jpg")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
TEMPLATE_FIELDS = (
    "module_title",
    "module_subtitle",
    "programme_title",
    "programme_subtitle",
    "holder_label",
    "body_text",
)
ISSUER_FIELDS = ("parent_name", "name", "signer_name", "signer_title", "place", *TEMPLATE_FIELDS)


@cache
def template_defaults() -> dict[str, str]:
    """The wording and colour a new issuer starts with (``data/template.yaml``)."""
    with DATA.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return {k: str(v) for k, v in raw.items() if k != "to_verify"}


def verification_url(code: str) -> str:
    """The absolute address of the public verification page, which the QR code carries and
    the evidence library links to (``SITE_URL``; a local address when it is not set)."""
    base = getattr(settings, "SITE_URL", "") or "http://localhost:8000"
    return f"{base}{reverse('certificates_verify_code', args=[code])}"


def _hours(value: Any) -> str:
    number = Decimal(str(value or 0))
    return f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}"


def _person_fields(person: Person) -> dict[str, str]:
    return {
        "holder_name": nfc(person.full_name),
        "date_of_birth": person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else "",
        "unit_name": nfc(person.unit.name) if person.unit_id else "",
    }


def _who(person: Person) -> str:
    return f"{nfc(person.full_name)} ({person.staff_code})"


def issuer_fields(issuer: Issuer) -> dict[str, str]:
    fields = {
        "issuer_name": issuer.name,
        "issuer_parent": issuer.parent_name,
        "signer_name": issuer.signer_name,
        "signer_title": issuer.signer_title,
        "place": issuer.place,
    }
    fields.update({name: getattr(issuer, name) for name in TEMPLATE_FIELDS})
    return fields


def module_snapshot(enrolment: Enrolment, issuer: Issuer, day: dt.date) -> dict[str, Any]:
    """What a module certificate prints, read from the records now (``day``: of issue)."""
    course = enrolment.course
    completed = timezone.localdate(enrolment.completed_at) if enrolment.completed_at else day
    return {
        **_person_fields(enrolment.person),
        "title": nfc(course.title),
        "course_code": course.code,
        "hours": _hours(course.hours),
        "school_year": course.school_year.code,
        "completed_on": completed.isoformat(),
        "issued_on": day.isoformat(),
        **issuer_fields(issuer),
    }


def programme_snapshot(
    person: Person, programme: ProgrammeDefinition, modules: list[Certificate], day: dt.date
) -> dict[str, Any]:
    """What a programme certificate prints: the programme and the modules it is made of."""
    total = sum((Decimal(str(m.snapshot.get("hours") or 0)) for m in modules), Decimal(0))
    return {
        **_person_fields(person),
        "title": nfc(programme.title),
        "course_code": programme.code,
        "hours": _hours(total),
        "school_year": programme.school_year.code,
        "issued_on": day.isoformat(),
        "modules": [
            {
                "code": m.snapshot.get("course_code", ""),
                "title": m.snapshot.get("title", ""),
                "hours": m.snapshot.get("hours", ""),
            }
            for m in modules
        ],
        **issuer_fields(programme.issuer),
    }


def _create(**fields: Any) -> Certificate | None:
    """Insert a valid certificate with a fresh code; None when the partial unique constraint
    says a valid one for this person and course (programme) was committed meanwhile."""
    for _attempt in range(5):
        code = codes.new_code()
        try:
            with transaction.atomic():
                return Certificate.objects.create(code=code, **fields)
        except IntegrityError:
            if _existing(fields) is not None:
                return None
            if Certificate.objects.filter(code=code).exists():
                continue  # a code drawn twice (about never): draw again
            raise
    raise RuntimeError("no free certificate code after 5 draws")


def _existing(fields: dict[str, Any]) -> Certificate | None:
    """The person's certificate of this course (programme) in any state: the valid one,
    else the latest (a revoked one stays revoked)."""
    rows = Certificate.objects.filter(person=fields["person"], kind=fields["kind"])
    if fields["kind"] == CertificateKind.MODULE:
        rows = rows.filter(course=fields["course"])
    else:
        rows = rows.filter(programme=fields["programme"])
    found = list(rows.order_by("-issued_at", "-id")[:20])
    valid = [c for c in found if c.status == CertificateStatus.VALID]
    chosen = valid or found
    return chosen[0] if chosen else None


def _after_issue(certificate: Certificate, actor: User | None) -> None:
    """The audit row, the evidence link and (after the commit) the notice."""
    audit(
        actor=actor,
        action="certificates.issue",
        obj=certificate,
        unit_id=certificate.issuer.unit_id,
        changes={
            "kind": certificate.kind,
            "code": certificate.code,
            # The holder by name and staff code (the log is read by people; an id says nothing).
            "person": _who(certificate.person),
            "title": certificate.snapshot.get("title", ""),
        },
    )
    _deposit(certificate)
    signals.send_after_commit(signals.certificate_issued, certificate, actor)


def _deposit(certificate: Certificate) -> None:
    """Put the certificate in its holder's evidence library, once."""
    if certificate.evidence_id is not None:
        return
    label = (
        _("Module completion certificate")
        if certificate.kind == CertificateKind.MODULE
        else _("Programme completion certificate")
    )
    title = f"{label}: {certificate.snapshot.get('title', '')} ({codes.printed(certificate.code)})"
    # The holder's library, whoever issues: the rule is that the certificate is theirs.
    with system_scope():
        item = evidence_deposit_link(
            owner=certificate.person,
            url=verification_url(certificate.code),
            title=title,
            school_year=certificate.school_year,
        )
        Certificate.objects.filter(pk=certificate.pk).update(evidence=item)
    certificate.evidence = item


@transaction.atomic
def certificate_issue_for_enrolment(
    *, enrolment_pk: int, actor: User | None = None
) -> Certificate | None:
    """The module certificate of a completed enrolment, issued once (module docstring);
    None when the enrolment is not completed or no issuer stands above the course's unit."""
    with system_scope():
        enrolment = (
            Enrolment.objects.select_related("course__school_year", "person__unit", "course__unit")
            .filter(pk=enrolment_pk)
            .first()
        )
        if enrolment is None or enrolment.status != EnrolmentStatus.COMPLETED:
            return None
        fields: dict[str, Any] = {
            "person": enrolment.person,
            "kind": CertificateKind.MODULE,
            "course": enrolment.course,
        }
        found = _existing(fields)
        if found is not None:
            return found
        issuer = issuer_for_course(enrolment.course)
        if issuer is None:
            return None
        certificate = _create(
            **fields,
            issuer=issuer,
            enrolment=enrolment,
            unit_path=enrolment.unit_path,
            school_year=enrolment.course.school_year,
            snapshot=module_snapshot(enrolment, issuer, timezone.localdate()),
            issued_at=timezone.now(),
            issued_by=actor,
        )
        if certificate is None:
            return _existing(fields)
        _after_issue(certificate, actor)
        programmes_check(certificate=certificate, actor=actor)
        return certificate


def programmes_check(*, certificate: Certificate, actor: User | None = None) -> list[Certificate]:
    """Issue the programme certificates that ``certificate`` (a module's) completes: the
    active programmes of its issuer and school year listing its course code, once the holder
    holds a valid module certificate of that issuer and year for every code listed."""
    code = certificate.snapshot.get("course_code", "")
    issued: list[Certificate] = []
    programmes = ProgrammeDefinition.objects.filter(
        issuer_id=certificate.issuer_id,
        school_year_id=certificate.school_year_id,
        active=True,
    ).select_related("issuer", "school_year")
    # An issuer has a few programmes a year: the codes are matched here (JSON lookups differ
    # between SQLite and PostgreSQL).
    for programme in (p for p in programmes if code in p.module_codes):
        made = programme_issue(person=certificate.person, programme=programme, actor=actor)
        if made is not None:
            issued.append(made)
    return issued


@transaction.atomic
def programme_issue(
    *, person: Person, programme: ProgrammeDefinition, actor: User | None = None
) -> Certificate | None:
    """The programme certificate of ``person`` if every module of ``programme`` is certified
    (valid, same issuer and year), issued once; None while a module is missing."""
    with system_scope():
        fields: dict[str, Any] = {
            "person": person,
            "kind": CertificateKind.PROGRAMME,
            "programme": programme,
        }
        found = _existing(fields)
        if found is not None:
            return found
        wanted = [str(c) for c in programme.module_codes]
        if not wanted:
            return None
        modules = {
            str(m.snapshot.get("course_code", "")): m
            for m in Certificate.objects.filter(
                person=person,
                kind=CertificateKind.MODULE,
                status=CertificateStatus.VALID,
                issuer_id=programme.issuer_id,
                school_year_id=programme.school_year_id,
                course__code__in=wanted,
            ).order_by("issued_at", "id")
        }
        if any(code not in modules for code in wanted):
            return None
        person = Person.objects.select_related("unit").get(pk=person.pk)
        certificate = _create(
            **fields,
            issuer=programme.issuer,
            unit_path=person.unit_path,
            school_year=programme.school_year,
            snapshot=programme_snapshot(
                person, programme, [modules[c] for c in wanted], timezone.localdate()
            ),
            issued_at=timezone.now(),
            issued_by=actor,
        )
        if certificate is None:
            return _existing(fields)
        _after_issue(certificate, actor)
        return certificate


def certificates_backfill(
    *,
    enrolments: Iterable[int] | None = None,
    course_id: int | None = None,
    actor: User | None = None,
    progress: Any = None,
) -> int:
    """Issue the certificates of everyone who completed (a course's learners, or those
    ``enrolments``) and has none yet; returns how many were issued. Safe to run again: each
    issue is idempotent. ``progress(done, total)`` is called every 200 enrolments."""
    with system_scope():
        rows = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED)
        if course_id is not None:
            rows = rows.filter(course_id=course_id)
        if enrolments is not None:
            rows = rows.filter(pk__in=list(enrolments))
        # Not null: a NULL in a NOT IN list would exclude every row.
        done_ids = Certificate.objects.filter(
            kind=CertificateKind.MODULE, enrolment_id__isnull=False
        ).values("enrolment_id")
        pending = list(rows.exclude(pk__in=done_ids).order_by("pk").values_list("pk", flat=True))
    made = 0
    for index, pk in enumerate(pending, start=1):
        certificate = certificate_issue_for_enrolment(enrolment_pk=pk, actor=actor)
        if certificate is not None and certificate.enrolment_id == pk:
            made += 1
        if progress is not None and index % 200 == 0:
            progress(index, len(pending))
    return made


# --- correction and revocation (R10) ---------------------------------------------------------


def _clean_reason(reason: Any) -> str:
    text = nfc(str(reason or ""))
    if not text:
        raise ValidationError(_("Say why."), code="reason")
    if len(text) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX}
        )
    return text


def _lock_valid(actor: User, certificate: Certificate) -> Certificate:
    if not manages_issuer(actor, certificate.issuer):
        raise ValidationError(_("Only the issuer's officers may change this certificate."))
    with system_scope():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status != CertificateStatus.VALID:
        raise ValidationError(_("This certificate is no longer valid."), code="ended")
    return locked


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: Any) -> Certificate:
    """Revoke a valid certificate with a reason (its verification page says so from now on)."""
    text = _clean_reason(reason)
    locked = _lock_valid(actor, certificate)
    with system_scope():
        locked.status = CertificateStatus.REVOKED
        locked.ended_at = timezone.now()
        locked.ended_by = actor
        locked.reason = text
        locked.save(update_fields=["status", "ended_at", "ended_by", "reason"])
    audit(
        actor=actor,
        action="certificates.revoke",
        obj=locked,
        unit_id=certificate.issuer.unit_id,
        changes={"code": locked.code, "reason": text},
    )
    return locked


@transaction.atomic
def certificate_reissue(*, actor: User, certificate: Certificate, reason: Any) -> Certificate:
    """Re-issue a valid certificate after a correction (R10): a new code and a fresh snapshot
    of the records, the same completion date; the old one is marked replaced, with the reason,
    and its page says it was replaced."""
    text = _clean_reason(reason)
    locked = _lock_valid(actor, certificate)
    now = timezone.now()
    with system_scope():
        locked.status = CertificateStatus.REPLACED
        locked.ended_at = now
        locked.ended_by = actor
        locked.reason = text
        locked.save(update_fields=["status", "ended_at", "ended_by", "reason"])
        person = Person.objects.select_related("unit").get(pk=locked.person_id)
        issuer = Issuer.objects.select_related("unit").get(pk=locked.issuer_id)
        snapshot = dict(locked.snapshot)
        snapshot.update(_person_fields(person))
        snapshot.update(issuer_fields(issuer))
        snapshot["issued_on"] = timezone.localdate(now).isoformat()
        if locked.course_id is not None:
            from_course = locked.course
            assert from_course is not None
            snapshot["title"] = nfc(from_course.title)
            snapshot["hours"] = _hours(from_course.hours)
        new = _create(
            person=person,
            kind=locked.kind,
            course=locked.course,
            programme=locked.programme,
            issuer=issuer,
            enrolment=locked.enrolment,
            unit_path=locked.unit_path,
            school_year=locked.school_year,
            snapshot=snapshot,
            issued_at=now,
            issued_by=actor,
        )
        if new is None:  # the lock above makes this unreachable; say so loudly if not
            raise ValidationError(_("This certificate is no longer valid."), code="ended")
        locked.replaced_by = new
        locked.save(update_fields=["replaced_by"])
    audit(
        actor=actor,
        action="certificates.reissue",
        obj=locked,
        unit_id=issuer.unit_id,
        changes={"code": locked.code, "new_code": new.code, "reason": text},
    )
    _deposit(new)
    signals.send_after_commit(signals.certificate_issued, new, actor)
    return new


# --- the issuer's configuration ----------------------------------------------------------------


def _check_image(upload: File[bytes]) -> None:
    """A logo or signature: a PNG or JPEG (judged by its bytes, the evidence checks) of at most
    ``IMAGE_MAX_BYTES``."""
    validation.check_size(upload.size)
    if (upload.size or 0) > IMAGE_MAX_BYTES:
        raise ValidationError(_("An image may be at most 1 MB."), code="too_large")
    kind = validation.sniff(upload, upload.name or "")
    if kind.extension not in IMAGE_TYPES:
        raise ValidationError(_("Upload a PNG or JPEG image."), code="type")


@transaction.atomic
def issuer_save(
    *,
    actor: User | None,
    unit: Unit,
    values: dict[str, Any],
    logo: File[bytes] | None = None,
    signature: File[bytes] | None = None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> Issuer:
    """Configure ``unit`` as an issuer (or change its configuration): what is printed, the
    template's wording and colour, the images. ``values``: any of ``ISSUER_FIELDS``,
    ``accent_colour`` and ``active``."""
    if actor is not None and not has_perm_on(actor, PERM, unit.path):
        raise ValidationError(_("You may not configure this unit."))
    issuer = Issuer.objects.select_for_update().filter(unit=unit).first()
    created = issuer is None
    if issuer is None:
        defaults = template_defaults()
        issuer = Issuer(
            unit=unit,
            name=nfc(unit.name).upper(),
            accent_colour=defaults["accent_colour"],
            **{name: defaults[name] for name in TEMPLATE_FIELDS},
        )
    for name in ISSUER_FIELDS:
        if name in values:
            text = nfc(str(values[name] or ""))
            limit = getattr(Issuer._meta.get_field(name), "max_length", None) or 200
            if len(text) > limit:
                raise ValidationError(_("A field is too long."), code="too_long")
            setattr(issuer, name, text)
    if not issuer.name:
        raise ValidationError(_("Give the name printed on the certificates."), code="name")
    if "accent_colour" in values:
        colour = str(values["accent_colour"] or "").strip()
        if not _COLOUR.match(colour):
            raise ValidationError(_("A colour is written #rrggbb."), code="colour")
        issuer.accent_colour = colour.lower()
    if "active" in values:
        issuer.active = bool(values["active"])
    old_files = []
    for field, upload, remove in (
        ("logo", logo, remove_logo),
        ("signature", signature, remove_signature),
    ):
        current = getattr(issuer, field)
        if upload is not None:
            _check_image(upload)
            if current:
                old_files.append(current.name)
            current.save(Path(upload.name or "image.png").name, upload, save=False)
        elif remove and current:
            old_files.append(current.name)
            setattr(issuer, field, "")
    if not created:
        issuer.version += 1
    issuer.save()
    if old_files:
        storage = issuer.logo.storage
        transaction.on_commit(lambda: _delete_files(storage, old_files))
    audit(
        actor=actor,
        action="certificates.issuer_save",
        obj=issuer,
        unit_id=unit.pk,
        changes={"name": issuer.name, "active": issuer.active, "created": created},
    )
    return issuer


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def clean_codes(raw: Any) -> list[str]:
    """Course codes, from a list or a text (one per line, or separated by commas)."""
    if isinstance(raw, str):
        raw = re.split(r"[\n,;]+", raw)
    found: list[str] = []
    for item in raw or []:
        code = nfc(str(item)).strip()
        if code and code not in found:
            if len(code) > 40:
                raise ValidationError(_("A course code has at most 40 characters."))
            found.append(code)
    if not found:
        raise ValidationError(_("List the course codes of the programme's modules."), code="codes")
    if len(found) > 50:
        raise ValidationError(_("A programme has at most 50 modules."))
    return found


@transaction.atomic
def programme_save(
    *,
    actor: User | None,
    issuer: Issuer,
    school_year: SchoolYear,
    code: Any,
    title: Any,
    module_codes: Any,
    active: bool = True,
    programme: ProgrammeDefinition | None = None,
) -> ProgrammeDefinition:
    """Define (or change) a programme the issuer certifies for a school year."""
    if actor is not None and not manages_issuer(actor, issuer):
        raise ValidationError(_("You may not configure this issuer."))
    code_text, title_text = nfc(str(code or "")), nfc(str(title or ""))
    if not code_text or not title_text:
        raise ValidationError(_("Give the programme's code and title."), code="required")
    if len(code_text) > 40 or len(title_text) > 300:
        raise ValidationError(_("A field is too long."), code="too_long")
    clash = ProgrammeDefinition.objects.filter(
        issuer=issuer, school_year=school_year, code=code_text
    )
    if programme is not None:
        clash = clash.exclude(pk=programme.pk)
    if clash.exists():
        raise ValidationError(_("This issuer already has a programme with this code this year."))
    target = programme or ProgrammeDefinition(issuer=issuer)
    target.school_year = school_year
    target.code, target.title = code_text, title_text
    target.module_codes = clean_codes(module_codes)
    target.active = bool(active)
    target.save()
    audit(
        actor=actor,
        action="certificates.programme_save",
        obj=target,
        unit_id=issuer.unit_id,
        changes={"code": target.code, "modules": target.module_codes, "active": target.active},
    )
    return target
