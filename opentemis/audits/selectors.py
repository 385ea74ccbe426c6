"""Reads of the independent verification (đoàn kiểm đếm độc lập, bdtx.md R13; issue 14 item 7):
the completions of a school year's courses in the auditor's subtree, with the evidence behind
each, and the audit trail of learning, grading and certificates.

The one rule (``reads_on``): ``audits.read`` on the learner's unit path, which only the
auditor's role gives (and the superuser), and only while the grant is valid
(``accounts.permissions.role_grants`` drops an expired grant). Everything else is a 404.

The evidence of a completion, read in a few queries for a whole page of learners:

* test attempts: each finished attempt's score and when (``quizzes.Attempt``);
* final products: each submission, its file or text, grade, grader and when
  (``products.Submission``), the file read through ``products`` (``views.submission_file``);
* attendance: the sessions present of those held, as the class recorded it on the learner's
  progress (``classes`` writes ``{"present", "held"}`` on each change);
* the satisfaction survey: only that it was handed in, and when (the learner's progress in the
  survey activity). Never the answers: they are anonymous (issue 14 item 6);
* the certificate: the module certificate issued for the completion (the valid one, else the
  latest with its state: revoked, or replaced by a re-issue), its code and the public
  verification page (:func:`certificates_of`, ``certificates.selectors``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from opentemis.accounts.models import AuditEvent, User
from opentemis.accounts.permissions import has_perm_on, path_filter
from opentemis.accounts.roles import Perm
from opentemis.accounts.selectors import audit_list
from opentemis.certificates import codes
from opentemis.certificates import selectors as certificates
from opentemis.certificates.models import CertificateStatus
from opentemis.certificates.services import verification_url
from opentemis.core.params import parse_positive_int
from opentemis.learning.models import (
    ActivityKind,
    ActivityProgress,
    Course,
    Enrolment,
    EnrolmentStatus,
)
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import default_unit, get_unit_for_user
from opentemis.products.models import Submission
from opentemis.quizzes.models import Attempt, AttemptState

PERM = Perm.AUDIT_COMPLETIONS

#: The audit trail an auditor reads: learning, grading, attendance, the survey's receipt, the
#: cascade's queues, certificates, the hours posted, and the auditors' own reads.
TRAIL_ACTIONS: tuple[str, ...] = (
    "learning.",
    "products.",
    "quizzes.",
    "classes.",
    "surveys.",
    "cascade.",
    "certificates.",
    "plans.ledger_",
    "audits.",
)


def reads_on(actor: User, path: str) -> bool:
    """Whether ``actor`` audits the learners of the unit at ``path`` (a valid auditor grant)."""
    return has_perm_on(actor, PERM, path)


def audit_unit(actor: User, unit_pk: object) -> Unit | None:
    """The unit a page audits: ``unit_pk`` (404 outside the actor's reach), else the actor's
    highest audited unit; None when they audit nothing (an expired grant included)."""
    if unit_pk not in (None, ""):
        pk = parse_positive_int(unit_pk)
        if pk is None:
            raise Http404
        return get_unit_for_user(actor=actor, pk=pk, perm=PERM)
    return default_unit(actor=actor, perm=PERM)


def completions(
    *, actor: User, unit: Unit, school_year: SchoolYear, course_id: int | None = None
) -> QuerySet[Enrolment]:
    """The completed enrolments of the year's courses in ``unit``'s subtree, by learner."""
    if not reads_on(actor, unit.path):
        raise Http404
    qs = Enrolment.objects.filter(
        path_filter(actor, PERM, "unit_path"),
        course__school_year=school_year,
        unit_path__startswith=unit.path,
        status=EnrolmentStatus.COMPLETED,
    )
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    return qs.select_related("course", "person", "person__unit").order_by(
        "person__unit__name", "person__full_name", "course__code", "pk"
    )


def courses_of(*, actor: User, unit: Unit, school_year: SchoolYear) -> list[Course]:
    """The year's courses with a completion in the subtree (for the filter)."""
    ids = (
        completions(actor=actor, unit=unit, school_year=school_year)
        .order_by()
        .values("course_id")
        .distinct()
    )
    return list(Course.objects.filter(pk__in=ids).order_by("code", "pk"))


def audited_enrolment(actor: User, pk: object) -> Enrolment:
    """Enrolment ``pk`` if ``actor`` audits its learner's unit; 404 otherwise."""
    found = parse_positive_int(pk)
    enrolment = (
        Enrolment.objects.filter(pk=found)
        .select_related("course", "person", "person__unit")
        .first()
        if found is not None
        else None
    )
    if enrolment is None or not reads_on(actor, enrolment.unit_path):
        raise Http404
    return enrolment


def audited_submission(actor: User, pk: object) -> Submission:
    """Submission ``pk`` if ``actor`` audits its learner's unit; 404 otherwise (the rule the
    auditor's file route asks before ``products`` serves the file)."""
    found = parse_positive_int(pk)
    submission = Submission.objects.filter(pk=found).first() if found is not None else None
    if submission is None or not reads_on(actor, submission.unit_path):
        raise Http404
    return submission


# --- the evidence of completions ---------------------------------------------------------------


@dataclass
class Attendance:
    title: str
    present: int
    held: int


@dataclass
class Certificate:
    """A certificate behind a completion (filled by :func:`certificates_of`): its printed code,
    state, date of issue and public verification page."""

    code: str
    issued_at: dt.datetime | None
    url: str = ""
    status: str = CertificateStatus.VALID
    status_label: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID


@dataclass
class CompletionEvidence:
    """What stands behind one completion."""

    enrolment: Enrolment
    attempts: list[Attempt] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    survey_at: dt.datetime | None = None  # when the survey was handed in (never what it said)
    surveyed: bool = False
    certificate: Certificate | None = None

    @property
    def best_score(self) -> Decimal | None:
        scores = [a.score for a in self.attempts if a.score is not None]
        return max(scores) if scores else None

    @property
    def latest_submissions(self) -> list[Submission]:
        """The latest submission of each product (the one whose grade counts)."""
        latest: dict[int, Submission] = {}
        for s in self.submissions:
            if s.product_id not in latest or s.number > latest[s.product_id].number:
                latest[s.product_id] = s
        return sorted(latest.values(), key=lambda s: (s.product_id, s.number))


def evidence_of(enrolments: list[Enrolment]) -> list[CompletionEvidence]:
    """The evidence behind each enrolment (already read within the actor's reach): four
    queries whatever their number (attempts, submissions, progress rows, certificates)."""
    found = {e.pk: CompletionEvidence(enrolment=e) for e in enrolments}
    ids = list(found)
    if not ids:
        return []
    for attempt in (
        Attempt.objects.filter(enrolment_id__in=ids, state=AttemptState.FINISHED)
        .select_related("quiz__activity")
        .order_by("enrolment_id", "quiz_id", "number")
    ):
        found[attempt.enrolment_id].attempts.append(attempt)
    for submission in (
        Submission.objects.filter(enrolment_id__in=ids)
        .select_related("product__activity", "grader", "grader__person")
        .order_by("enrolment_id", "product_id", "number")
    ):
        found[submission.enrolment_id].submissions.append(submission)
    for row in (
        ActivityProgress.objects.filter(
            enrolment_id__in=ids, activity__kind__in=(ActivityKind.CLASS, ActivityKind.SURVEY)
        )
        .select_related("activity")
        .order_by("enrolment_id", "activity_id")
    ):
        item = found[row.enrolment_id]
        if row.activity.kind == ActivityKind.SURVEY:
            if row.state in ("complete", "passed"):
                item.surveyed = True
                item.survey_at = row.completed_at or row.updated_at
        else:
            data = row.data if isinstance(row.data, dict) else {}
            item.attendance.append(
                Attendance(
                    title=row.activity.title,
                    present=int(data.get("present", 0) or 0),
                    held=int(data.get("held", 0) or 0),
                )
            )
    for enrolment_id, certificate in certificates_of(ids).items():
        found[enrolment_id].certificate = certificate
    return list(found.values())


def certificates_of(enrolment_ids: list[int]) -> dict[int, Certificate]:
    """The module certificate of each completion, by enrolment, in one query (the valid one,
    else the latest with its state; ``certificates.selectors.module_certificates_by_enrolment``),
    read within the auditor's scope: the enrolments were read in it, and a certificate lies at
    its enrolment's unit path."""
    return {
        pk: Certificate(
            code=codes.printed(found.code),
            issued_at=found.issued_at,
            url=verification_url(found.code),
            status=found.status,
            status_label=str(CertificateStatus(found.status).label),
        )
        for pk, found in certificates.module_certificates_by_enrolment(enrolment_ids).items()
    }


# --- the audit trail ---------------------------------------------------------------------------


def trail(*, actor: User, unit: Unit, action: str = "") -> QuerySet[AuditEvent]:
    """The audit events of ``unit``'s subtree about learning, grading and certificates
    (``accounts.selectors.audit_list``, read with the auditor's permission); ``action``: one
    of :data:`TRAIL_ACTIONS` (anything else: all of them)."""
    if not reads_on(actor, unit.path):
        raise Http404
    prefixes = [action] if action in TRAIL_ACTIONS else TRAIL_ACTIONS
    where = Q(pk__in=[])
    for prefix in prefixes:
        where |= Q(action__startswith=prefix)
    return audit_list(actor=actor, unit=unit, perm=PERM).filter(where)
