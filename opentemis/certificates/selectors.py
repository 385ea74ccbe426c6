"""Reads of certificates, and the one rule of who may do what with them (decision 0023).

* **The holder** reads their own certificates (their list, the PDF, the Open Badges JSON),
  wherever they work now.
* **The issuer's officers** (``certificates.manage`` on the issuer's unit) read every
  certificate their issuer issued, download them, re-issue and revoke them, and configure the
  issuer. A training institution issues to teachers outside its own subtree: its officers read
  those certificates in the system scope, after this rule allowed it (``issuer_id`` among the
  issuers they manage), as ``learning.access.graded_enrolment`` does for graders.
* **Officers of the holder's unit** (``certificates.manage`` on a unit above the holder at
  issue) read and download the certificates of their subtree, whoever issued them; they
  neither re-issue nor revoke another issuer's.
* **Anyone** verifies a certificate by its code (:func:`verification`): the fields the public
  page may show, nothing else.

Anything else is a 404, as for a missing certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, path_filter, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import RequestUser
from opentemis.certificates import codes
from opentemis.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    Issuer,
    ProgrammeDefinition,
)
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold
from opentemis.learning.models import Course
from opentemis.orgs.models import Unit, path_prefixes

PERM = Perm.MANAGE_CERTIFICATES
PAGE_SIZE = 50


def _pk(value: object) -> int:
    pk = parse_positive_int(value)
    if pk is None:
        raise Http404
    return pk


# --- issuers ------------------------------------------------------------------------------------


def issuer_for_path(path: str) -> Issuer | None:
    """The nearest active issuer at or above the unit at ``path`` (a course's unit)."""
    return (
        Issuer.objects.filter(active=True, unit__path__in=path_prefixes(path))
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )


def issuer_for_course(course: Course) -> Issuer | None:
    """Who issues the certificates of ``course``: the nearest issuer at or above its unit."""
    return issuer_for_path(course.unit_path)


def manages_issuer(actor: RequestUser | None, issuer: Issuer) -> bool:
    return has_perm_on(actor, PERM, issuer.unit.path)


def may_issue_for_course(actor: RequestUser | None, course: Course) -> bool:
    """Whether ``actor`` issues the certificates of ``course``: an officer of the issuer that
    stands above it (:func:`issuer_for_course`). Nothing is read for a user who manages no
    certificates anywhere (the menu's and the progress page's cheap case)."""
    if perm_paths(actor, PERM) == ():
        return False
    issuer = issuer_for_course(course)
    return issuer is not None and manages_issuer(actor, issuer)


def managed_issuers(actor: RequestUser | None) -> QuerySet[Issuer]:
    """The issuers whose certificates ``actor`` issues, re-issues and revokes."""
    paths = perm_paths(actor, PERM)
    found = Issuer.objects.select_related("unit")
    if paths is None:
        return found
    if not paths:
        return found.none()
    query = Q()
    for prefix in paths:
        query |= Q(unit__path__startswith=prefix)
    return found.filter(query)


def managed_issuer(actor: User, pk: object) -> Issuer:
    issuer = Issuer.objects.select_related("unit").filter(pk=_pk(pk)).first()
    if issuer is None or not manages_issuer(actor, issuer):
        raise Http404
    return issuer


def managed_programme(actor: User, pk: object) -> ProgrammeDefinition:
    programme = (
        ProgrammeDefinition.objects.select_related("issuer__unit", "school_year")
        .filter(pk=_pk(pk))
        .first()
    )
    if programme is None or not manages_issuer(actor, programme.issuer):
        raise Http404
    return programme


def reachable_unit(actor: User, pk: object) -> Unit:
    """A unit on which ``actor`` holds ``certificates.manage`` (404 otherwise)."""
    with system_scope():
        unit = Unit.objects.filter(pk=_pk(pk)).first()
    if unit is None or not has_perm_on(actor, PERM, unit.path):
        raise Http404
    return unit


def own_units(actor: User) -> list[tuple[Unit, Issuer | None]]:
    """The units where ``actor`` holds ``certificates.manage`` (their role units; the top units
    for a superuser), each with its issuer if it issues already: where an officer configures
    an issuer (``views.unit_issuer``). Two queries."""
    paths = perm_paths(actor, PERM)
    if paths == ():
        return []
    units = Unit.objects.filter(depth=1) if paths is None else Unit.objects.filter(path__in=paths)
    found = list(units.order_by("path")[:50])
    issuers = {i.unit_id: i for i in Issuer.objects.filter(unit__in=found)}
    return [(unit, issuers.get(unit.pk)) for unit in found]


# --- who reads which certificate ----------------------------------------------------------------


def may_act(actor: RequestUser | None, certificate: Certificate) -> bool:
    """Whether ``actor`` re-issues and revokes ``certificate``: its issuer's officers."""
    return manages_issuer(actor, certificate.issuer)


def officer_reads(actor: RequestUser | None, certificate: Certificate) -> bool:
    return may_act(actor, certificate) or has_perm_on(actor, PERM, certificate.unit_path)


def officer_q(actor: RequestUser | None) -> Q:
    """:func:`officer_reads` as conditions on certificates, for lists."""
    paths = perm_paths(actor, PERM)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    issuers = list(managed_issuers(actor).values_list("pk", flat=True))
    return Q(issuer_id__in=issuers) | path_filter(actor, PERM, "unit_path")


def _get(pk: object) -> Certificate | None:
    with system_scope():
        return (
            Certificate.objects.select_related("issuer__unit", "person", "course", "programme")
            .filter(pk=_pk(pk))
            .first()
        )


def certificate_for_officer(actor: User, pk: object) -> Certificate:
    """Certificate ``pk`` if ``actor`` reads it as an officer; 404 otherwise."""
    found = _get(pk)
    if found is None or not officer_reads(actor, found):
        raise Http404
    return found


def certificate_for_reader(actor: User, pk: object) -> Certificate:
    """Certificate ``pk`` for its holder or an officer who reads it; 404 otherwise."""
    found = _get(pk)
    if found is None:
        raise Http404
    own = actor.person_id is not None and found.person_id == actor.person_id
    if not own and not officer_reads(actor, found):
        raise Http404
    return found


def my_certificates(actor: User) -> list[Certificate]:
    """The actor's own certificates (valid first, then the ended ones), wherever they work."""
    if not actor.person_id:
        return []
    with system_scope():
        return list(
            Certificate.objects.filter(person_id=actor.person_id)
            .select_related("issuer", "replaced_by")
            .order_by("status", "-issued_at", "-id")
        )


def shown_first(found: Iterable[Certificate]) -> Certificate | None:
    """The one certificate to show of several for the same completion (a re-issue leaves the
    old one ``replaced``): the valid one, else the latest issued, with its state."""
    latest: Certificate | None = None
    for certificate in found:
        if certificate.is_valid:
            return certificate
        if latest is None or (certificate.issued_at, certificate.pk) > (
            latest.issued_at,
            latest.pk,
        ):
            latest = certificate
    return latest


def module_certificates_by_enrolment(enrolment_ids: Iterable[int]) -> dict[int, Certificate]:
    """The module certificate of each enrolment (:func:`shown_first` of its certificates), in
    one query, **within the active scope**: callers (the auditor's pages) have already allowed
    these enrolments, and a certificate lies at its enrolment's unit path."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    by_enrolment: dict[int, list[Certificate]] = {}
    for certificate in Certificate.objects.filter(
        enrolment_id__in=ids, kind=CertificateKind.MODULE
    ).order_by("enrolment_id", "-issued_at", "-id"):
        assert certificate.enrolment_id is not None
        by_enrolment.setdefault(certificate.enrolment_id, []).append(certificate)
    return {
        pk: chosen for pk, rows in by_enrolment.items() if (chosen := shown_first(rows)) is not None
    }


@dataclass
class IssuedFilters:
    unit: Unit | None = None
    course: Course | None = None
    kind: str = ""
    status: str = ""
    query: str = ""


def issued(actor: User, filters: IssuedFilters, page: str | int = 1) -> Page[Certificate]:
    """The certificates ``actor`` reads as an officer, newest first, narrowed by ``filters``
    (a unit: those whose holder was in its subtree at issue)."""
    with system_scope():
        rows = Certificate.objects.filter(officer_q(actor)).select_related(
            "issuer", "person", "course"
        )
        if filters.unit is not None:
            rows = rows.filter(unit_path__startswith=filters.unit.path)
        if filters.course is not None:
            rows = rows.filter(course=filters.course)
        if filters.kind in CertificateKind.values:
            rows = rows.filter(kind=filters.kind)
        if filters.status in CertificateStatus.values:
            rows = rows.filter(status=filters.status)
        if filters.query:
            code = codes.normalise(filters.query)
            rows = rows.filter(
                Q(person__search_text__contains=fold(filters.query))
                | Q(code=code or "-")
                | Q(person__staff_code__iexact=filters.query.strip())
            )
        paginator = Paginator(rows.order_by("-issued_at", "-id"), PAGE_SIZE)
        return paginator.get_page(page)


def certificates_of_unit(actor: User, unit: Unit) -> QuerySet[Certificate]:
    """The valid certificates of the holders in ``unit``'s subtree that ``actor`` reads (the
    zip of a unit), in a stable order. Call under ``system_scope`` (the rule is the filter)."""
    return (
        Certificate.objects.filter(officer_q(actor))
        .filter(unit_path__startswith=unit.path, status=CertificateStatus.VALID)
        .select_related("issuer")
        .order_by("unit_path", "person__search_text", "id")
    )


# --- the public verification ------------------------------------------------------------------

#: Misses (unknown codes) allowed per address in a window, then 429: nobody walks the codes.
MISSES_ALLOWED = 20
MISS_WINDOW = 600


def _miss_key(address: str) -> str:
    return f"certificates.misses:{address}"


def too_many_misses(address: str) -> bool:
    return int(cache.get(_miss_key(address), 0)) >= MISSES_ALLOWED


def count_miss(address: str) -> None:
    key = _miss_key(address)
    if not cache.add(key, 1, MISS_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, MISS_WINDOW)


def lookup(raw_code: object) -> Certificate | None:
    """The certificate with this code (as typed or carried by a QR code), whoever asks: one
    indexed query, whether it exists or not (the same work for a wrong code)."""
    code = codes.normalise(raw_code) or "-"
    with system_scope():
        return Certificate.objects.select_related("replaced_by").filter(code=code).first()


def mask_name(full_name: str) -> str:
    """The holder's name as the public page shows it: the family name, then the initial of
    every other part ("Nguyễn Văn An" → "Nguyễn V. A."). Enough to match the paper in the
    verifier's hands, not enough to learn a stranger's full name from a code."""
    parts = full_name.split()
    if not parts:
        return ""
    if len(parts) == 1:
        return f"{parts[0][0]}."
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:])])


@dataclass(frozen=True)
class Verification:
    """What the public page and the public API say about a certificate: nothing else."""

    code: str
    kind: str
    kind_label: str
    holder: str
    title: str
    hours: str
    issued_on: dt.date | None
    issuer: str
    status: str
    status_label: str
    ended_on: dt.date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "holder": self.holder,
            "title": self.title,
            "hours": self.hours,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "issuer": self.issuer,
            "status": self.status,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
        }


def verification(certificate: Certificate) -> Verification:
    snap = certificate.snapshot
    ended = certificate.ended_at
    return Verification(
        code=codes.printed(certificate.code),
        kind=certificate.kind,
        kind_label=str(CertificateKind(certificate.kind).label),
        holder=mask_name(str(snap.get("holder_name", ""))),
        title=str(snap.get("title", "")),
        hours=str(snap.get("hours", "")),
        issued_on=parse_date(str(snap.get("issued_on", ""))),
        issuer=str(snap.get("issuer_name", "")),
        status=certificate.status,
        status_label=str(CertificateStatus(certificate.status).label),
        ended_on=timezone.localdate(ended) if ended else None,
    )
