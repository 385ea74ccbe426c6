"""Writes of the final product (issue 13 item 4): keyword-only, atomic, audited.

* ``product_save``: the builder (an officer managing the course) sets the instructions, the
  rubric and what may be handed in.
* ``submission_submit``: the learner hands in a text and/or a file. Idempotent against a
  double click and two tabs: the learner's enrolment row is locked, at most one submission
  waits at a time (a database constraint too), and handing in while one waits replaces it
  (same number, ``revision`` + 1). A new numbered submission follows only a Chưa đạt grade on a
  product that allows resubmission; after Đạt nothing more is taken.
* ``submission_grade``: a grader (``products.access.may_grade``) grades the latest
  submission Đạt / Chưa đạt with an optional score on 10, comments and a remark per rubric
  criterion; regrading the latest graded one is allowed (the new decision replaces the old),
  until it is appealed.

Grading that never stalls (issue 14 item 3; decision 0021):

* handing in assigns the submission to the grader ``learning.access.assigned_graders`` names
  (the least loaded when several) and starts its wait (``waiting_since``);
* ``submission_claim_next``: an eligible grader takes the oldest submission of the overflow
  pool with a lease (Open edX ORA2: one ``SELECT … FOR UPDATE SKIP LOCKED`` and a conditional
  UPDATE, so two graders never hold the same one); ``submission_release`` gives it back;
* ``appeal_lodge``: a learner graded Chưa đạt appeals once, with a reason;
* ``second_mark_record``: a lecturer's own decision on a sampled or appealed submission; on an
  appeal it is final and goes to the learner's progress (``progress_record``).

Progress goes through ``learning.services.progress_record`` only (models.py says which state
each step records); the grade replaces the previous state (``replace=True``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.core.text import nfc
from opentemis.evidence import validation
from opentemis.learning import services as learning
from opentemis.learning.access import assigned_graders, manages_course
from opentemis.learning.models import Activity, ActivityKind, Enrolment, EnrolmentStatus
from opentemis.products import access, policy, signals
from opentemis.products.models import (
    Appeal,
    AppealStatus,
    Product,
    SecondMark,
    Submission,
    SubmissionStatus,
)

TEXT_MAX = 50_000
INSTRUCTIONS_MAX = 20_000
COMMENTS_MAX = 5_000
REMARK_MAX = 2_000
CRITERIA_MAX = 20
CRITERION_TITLE_MAX = 200
CRITERION_DESCRIPTION_MAX = 2_000
SCORE_MAX = Decimal(10)
FILE_TYPES = tuple(sorted({k.extension for k in validation.KINDS}))


# --- settings -----------------------------------------------------------------------------


def product_of(activity: Activity) -> Product:
    """The activity's product settings; an unsaved default one if the builder saved none yet
    (reading a page writes nothing)."""
    found = Product.objects.filter(activity=activity).first()
    return found if found is not None else Product(activity=activity)


def _saved_product(activity: Activity) -> Product:
    product, _created = Product.objects.get_or_create(activity=activity)
    return product


def clean_rubric(raw: Any) -> list[dict[str, str]]:
    """A list of criteria, each ``{"title", "description"}``; blank titles dropped."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationError(_("The rubric must be a list of criteria."))
    rubric: list[dict[str, str]] = []
    for item in raw:
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, Mapping):
            raise ValidationError(_("The rubric must be a list of criteria."))
        title = " ".join(nfc(str(item.get("title") or "")).split())
        description = nfc(str(item.get("description") or "")).strip()
        if not title:
            continue
        if len(title) > CRITERION_TITLE_MAX or len(description) > CRITERION_DESCRIPTION_MAX:
            raise ValidationError(_("A criterion of the rubric is too long."))
        rubric.append({"title": title, "description": description})
    if len(rubric) > CRITERIA_MAX:
        raise ValidationError(_("A rubric has at most %(n)s criteria.") % {"n": CRITERIA_MAX})
    return rubric


def _clean_types(raw: Any) -> list[str]:
    values = [str(v).lower().lstrip(".") for v in (raw or [])]
    values = ["jpg" if v == "jpeg" else v for v in values]
    unknown = [v for v in values if v not in FILE_TYPES]
    if unknown:
        raise ValidationError(_("Unknown file type: %(t)s.") % {"t": ", ".join(unknown)[:100]})
    return sorted(set(values))


@transaction.atomic
def product_save(
    *,
    actor: User | None,
    activity: Activity,
    instructions: Any = None,
    rubric: Any = None,
    accepts_text: bool | None = None,
    accepts_file: bool | None = None,
    max_bytes: int | None = None,
    file_types: Any = None,
    resubmit_until_pass: bool | None = None,
) -> Product:
    """Set the product's settings (only the arguments given)."""
    if actor is not None and not manages_course(actor, activity.course):
        raise ValidationError(_("You may not change this course."))
    if activity.kind != ActivityKind.PRODUCT:
        raise ValidationError(_("This activity is not a final product."))
    product = _saved_product(activity)
    if instructions is not None:
        text = nfc(str(instructions)).strip()
        if len(text) > INSTRUCTIONS_MAX:
            raise ValidationError(_("The instructions are too long."))
        product.instructions = text
    if rubric is not None:
        product.rubric = clean_rubric(rubric)
    if accepts_text is not None:
        product.accepts_text = bool(accepts_text)
    if accepts_file is not None:
        product.accepts_file = bool(accepts_file)
    if not product.accepts_text and not product.accepts_file:
        raise ValidationError(_("Accept a text, a file or both."))
    if max_bytes is not None:
        if not 0 <= int(max_bytes) <= validation.max_bytes():
            raise ValidationError(
                _("Files may be at most %(max)s.") % {"max": filesizeformat(validation.max_bytes())}
            )
        product.max_bytes = int(max_bytes)
    if file_types is not None:
        product.file_types = _clean_types(file_types)
    if resubmit_until_pass is not None:
        product.resubmit_until_pass = bool(resubmit_until_pass)
    product.save()
    audit(
        actor=actor,
        action="products.product_save",
        obj=activity,
        unit_id=activity.course.unit_id,
        changes={"criteria": len(product.rubric)},
    )
    return product


def limit_bytes(product: Product) -> int:
    return min(product.max_bytes or validation.max_bytes(), validation.max_bytes())


# --- submitting -----------------------------------------------------------------------------


def can_submit(product: Product, latest: Submission | None) -> bool:
    """Whether a learner whose latest submission is ``latest`` may hand in now."""
    if latest is None or latest.status == SubmissionStatus.PENDING:
        return True
    return latest.status == SubmissionStatus.FAILED and product.resubmit_until_pass


def _check_file(product: Product, uploaded_file: File[bytes]) -> validation.FileKind:
    name = nfc(PurePath(uploaded_file.name or "").name)
    validation.check_size(uploaded_file.size)
    limit = limit_bytes(product)
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            _("The file is %(size)s; this product accepts files up to %(max)s.")
            % {"size": filesizeformat(uploaded_file.size), "max": filesizeformat(limit)},
            code="too_large",
        )
    kind = validation.sniff(uploaded_file, name)
    if product.file_types and kind.extension not in product.file_types:
        raise ValidationError(
            _("This product accepts only these files: %(types)s.")
            % {"types": ", ".join(t.upper() for t in product.file_types)},
            code="type",
        )
    return kind


@transaction.atomic
def submission_submit(
    *,
    actor: User,
    activity: Activity,
    enrolment: Enrolment,
    text: Any = "",
    uploaded_file: File[bytes] | None = None,
) -> Submission:
    """Hand in (or replace the waiting submission). ``enrolment`` is the actor's own, as
    ``learning.access.learner_activity`` found it."""
    if enrolment.person_id != actor.person_id or activity.course_id != enrolment.course_id:
        raise ValidationError(_("You may not hand in for someone else."))
    if activity.kind != ActivityKind.PRODUCT:
        raise ValidationError(_("This activity is not a final product."))
    if enrolment.status == EnrolmentStatus.LEFT:
        raise ValidationError(_("You are no longer in this course's audience."))
    if learning.prerequisites_missing(enrolment, activity):
        raise ValidationError(_("Finish the activities that come first."))
    product = _saved_product(activity)
    body = nfc(str(text or "")).strip()
    if body and not product.accepts_text:
        raise ValidationError(_("This product takes a file, not a text."))
    if uploaded_file is not None and not product.accepts_file:
        raise ValidationError(_("This product takes a text, not a file."))
    if not body and uploaded_file is None:
        raise ValidationError(
            _("Write your product or attach its file.")
            if product.accepts_text and product.accepts_file
            else _("Attach your product's file.")
            if product.accepts_file
            else _("Write your product.")
        )
    if len(body) > TEXT_MAX:
        raise ValidationError(
            _("The text is too long (at most %(n)s characters).") % {"n": TEXT_MAX}
        )
    kind = _check_file(product, uploaded_file) if uploaded_file is not None else None
    # One learner's hand-ins are serialised: a double click waits, then replaces.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    mine = Submission.objects.filter(product=product, enrolment=enrolment)
    latest = mine.order_by("-number").first()
    if not can_submit(product, latest):
        raise ValidationError(
            _("Your product has passed: nothing more to hand in.")
            if latest is not None and latest.status == SubmissionStatus.PASSED
            else _("This product may not be handed in again.")
        )
    if (
        latest is not None
        and Appeal.objects.filter(submission=latest, status=AppealStatus.OPEN).exists()
    ):
        raise ValidationError(_("Your appeal is being decided: wait for the lecturer's decision."))
    now = timezone.now()
    old_file = ""
    if latest is not None and latest.status == SubmissionStatus.PENDING:
        submission = latest
        submission.revision += 1
        old_file = submission.file.name or ""
        submission.file.name = ""
        submission.file_name, submission.file_type, submission.file_size = "", "", 0
    else:
        submission = Submission(
            product=product,
            enrolment=enrolment,
            unit_path=enrolment.unit_path,
            number=(mine.aggregate(m=Max("number"))["m"] or 0) + 1,
            waiting_since=now,
        )
    if submission.assigned_to_id is None:
        submission.assigned_to_id = _least_loaded(assigned_graders(enrolment))
    submission.text = body
    submission.submitted_at = now
    if uploaded_file is not None and kind is not None:
        original = (
            nfc(PurePath(uploaded_file.name or "").name)[:200] or f"san-pham.{kind.extension}"
        )
        stem = PurePath(original).stem or "san-pham"
        submission.file.save(f"{stem[:50]}.{kind.extension}", uploaded_file, save=False)
        submission.file_name = f"{stem[:180]}.{kind.extension}"
        submission.file_type = kind.content_type
        submission.file_size = int(uploaded_file.size or 0)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        if submission.file.name:
            submission.file.storage.delete(submission.file.name)
        raise ValidationError(_("Your product was just handed in; reload the page.")) from None
    if old_file:
        storage = submission.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    learning.progress_record(
        enrolment=enrolment,
        activity=activity,
        state="started" if activity.pass_required else "complete",
    )
    audit(
        actor=actor,
        action="products.submit",
        obj=submission,
        unit_id=enrolment.person.unit_id,
        changes={"number": submission.number, "revision": submission.revision},
    )
    signals.send_after_commit(signals.product_submitted, submission, actor)
    return submission


def _least_loaded(candidates: Sequence[int]) -> int | None:
    """Of the graders a learner's product may go to, the one with the fewest waiting (the
    first named on a tie): the learner's core teacher is the only one when there is one."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    with system_scope():
        loads = dict(
            Submission.objects.filter(
                assigned_to_id__in=list(candidates), status=SubmissionStatus.PENDING
            )
            .values_list("assigned_to_id")
            .annotate(n=Count("pk"))
            .values_list("assigned_to_id", "n")
        )
    return min(candidates, key=lambda pk: (loads.get(pk, 0), list(candidates).index(pk)))


# --- grading ------------------------------------------------------------------------------


def clean_score(raw: Any) -> Decimal | None:
    """A score on 10 with at most two decimals ("8,5" or "8.5"); empty: none."""
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        score = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("The score must be a number from 0 to 10.")) from None
    if not score.is_finite() or score < 0 or score > SCORE_MAX:
        raise ValidationError(_("The score must be a number from 0 to 10."))
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError(_("The score has at most two decimals."))
    return score.quantize(Decimal("0.01"))


def progress_state(activity: Activity, passed: bool) -> str:
    """The learner's state in the activity after a decision (models.py)."""
    return "passed" if passed else ("failed" if activity.pass_required else "complete")


def _clean_remarks(product: Product, raw: Any) -> list[dict[str, str]]:
    values: Sequence[Any] = raw if isinstance(raw, list | tuple) else []
    remarks = []
    for index, criterion in enumerate(product.rubric):
        remark = nfc(str(values[index] if index < len(values) and values[index] else "")).strip()
        if len(remark) > REMARK_MAX:
            raise ValidationError(_("A remark is too long."))
        remarks.append({"criterion": criterion["title"], "remark": remark})
    return remarks


@transaction.atomic
def submission_grade(
    *,
    actor: User,
    submission: Submission,
    passed: Any,
    score: Any = None,
    comments: Any = "",
    remarks: Any = None,
    revision: int | None = None,
) -> Submission:
    """Grade the learner's latest submission (``passed``: Đạt). ``revision``: the one the
    grader saw; a submission replaced since is refused. The grader's rights are checked here
    too (the caller found the submission through ``graded_enrolment``)."""
    if passed not in (True, False):
        raise ValidationError(_("Choose passed or not passed."))
    with system_scope():
        # A grader of another school: the rule below decides, not the actor's own scope.
        locked = (
            Submission.objects.select_for_update()
            .select_related("product__activity__course", "enrolment__person")
            .get(pk=submission.pk)
        )
        enrolment = locked.enrolment
        now = timezone.now()
        if not access.may_grade(actor, locked, now):
            if access.lease_live(locked, now) and access.reaches_to_grade(actor, locked, now):
                raise ValidationError(
                    _("Another grader claimed this submission; it is theirs until %(t)s.")
                    % {"t": timezone.localtime(locked.lease_expires).strftime("%H:%M %d/%m/%Y")}
                )
            raise ValidationError(_("You do not grade this learner."))
        if Appeal.objects.filter(submission=locked).exists():
            raise ValidationError(
                _("The learner appealed this grade: the lecturer's decision settles it.")
            )
        if revision is not None and revision != locked.revision:
            raise ValidationError(
                _("The learner replaced this submission after you opened it; reload the page.")
            )
        later = Submission.objects.filter(
            product=locked.product, enrolment=enrolment, number__gt=locked.number
        ).exists()
        if later:
            raise ValidationError(_("Only the latest submission is graded."))
        text = nfc(str(comments or "")).strip()
        if len(text) > COMMENTS_MAX:
            raise ValidationError(_("The comments are too long."))
        if not passed and not text:
            raise ValidationError(_("Say what to improve when the product has not passed."))
        locked.score = clean_score(score)
        locked.comments = text
        locked.remarks = _clean_remarks(locked.product, remarks)
        regrade = locked.status != SubmissionStatus.PENDING
        locked.status = SubmissionStatus.PASSED if passed else SubmissionStatus.FAILED
        held = access.lease_live(locked, now) and locked.claimed_by_id == actor.pk
        locked.grader = actor
        locked.graded_at = now
        locked.lease_expires = None  # the lease ends with the grade
        locked.save()
        activity = locked.product.activity
        learning.progress_record(
            enrolment=enrolment,
            activity=activity,
            state=progress_state(activity, bool(passed)),
            score=locked.score,
            replace=True,
        )
        changes: dict[str, Any] = {"status": locked.status, "score": str(locked.score or "")}
        if held:
            changes["claimed"] = True
        unit_id = enrolment.person.unit_id
        if regrade:
            audit(
                actor=actor,
                action="products.regrade",
                obj=locked,
                unit_id=unit_id,
                changes=changes,
            )
        else:
            audit(
                actor=actor,
                action="products.grade",
                obj=locked,
                unit_id=unit_id,
                changes=changes,
            )
    signals.send_after_commit(signals.product_graded, locked, actor)
    return locked


# --- the overflow pool (Open edX ORA2's staff workflow) -------------------------------------


CLAIM_TRIES = 5


def _held_by(actor: User, now: dt.datetime) -> Submission | None:
    return (
        Submission.objects.filter(access.held_q(actor.pk, now), status=SubmissionStatus.PENDING)
        .order_by("waiting_since", "pk")
        .first()
    )


def submission_claim_next(*, actor: User, now: dt.datetime | None = None) -> Submission | None:
    """Take the oldest submission of the overflow pool ``actor`` may claim, with a lease of
    the data's ``lease_hours``; ``None`` when the pool is empty. A grader holding a live lease
    gets that one back (a double click claims once; ORA2 does the same).

    Safe under concurrent graders: the candidate is read with ``FOR UPDATE SKIP LOCKED`` (a
    row another claimer is taking is skipped, not waited for) and taken with an UPDATE whose
    condition is re-checked on the row as committed ("no live lease"), so two graders never
    hold the same submission; on a lost race the next candidate is tried."""
    now = now or timezone.now()
    lease = policy.grading_policy().lease
    with system_scope():
        held = _held_by(actor, now)
        if held is not None:
            return held
        reach = access.pool_reach(actor)
        if reach.empty:
            return None
        lost: list[int] = []  # candidates another grader took first: not tried again
        for _attempt in range(CLAIM_TRIES):
            with transaction.atomic():
                pk = (
                    Submission.objects.filter(access.pool_q(actor, reach, now))
                    .exclude(pk__in=lost)
                    .order_by("waiting_since", "pk")
                    .select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", flat=True)
                    .first()
                )
                if pk is None:
                    return None
                previous = (
                    Submission.objects.filter(pk=pk)
                    .values_list("claimed_by__username", flat=True)
                    .first()
                )
                taken = (
                    Submission.objects.filter(pk=pk, status=SubmissionStatus.PENDING)
                    .filter(access.free_q(now))
                    .update(claimed_by=actor, claimed_at=now, lease_expires=now + lease)
                )
                if not taken:
                    lost.append(pk)
                    continue
                claimed = Submission.objects.select_related("enrolment__person").get(pk=pk)
                audit(
                    actor=actor,
                    action="products.claim",
                    obj=claimed,
                    unit_id=claimed.enrolment.person.unit_id,
                    changes={
                        "lease_expires": (now + lease).isoformat(timespec="minutes"),
                        "previous": previous,
                    },
                )
                return claimed
    return None


@transaction.atomic
def submission_release(
    *, actor: User, submission: Submission, now: dt.datetime | None = None
) -> Submission:
    """Give a claimed submission back to the pool: its lease holder, or a course manager."""
    now = now or timezone.now()
    with system_scope():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("product__activity__course", "enrolment__person")
            .get(pk=submission.pk)
        )
        if not access.lease_live(locked, now):
            raise ValidationError(_("Nobody holds this submission: nothing to give back."))
        holder = locked.claimed_by
        if holder != actor and not manages_course(actor, locked.product.activity.course):
            raise ValidationError(_("Only the grader who claimed it may give it back."))
        locked.claimed_by = None
        locked.claimed_at = None
        locked.lease_expires = None
        locked.save(update_fields=["claimed_by", "claimed_at", "lease_expires"])
        audit(
            actor=actor,
            action="products.release",
            obj=locked,
            unit_id=locked.enrolment.person.unit_id,
            changes={"holder": holder.get_username() if holder else ""},
        )
    return locked


# --- appeals and second marking --------------------------------------------------------------


@transaction.atomic
def appeal_lodge(
    *, actor: User, submission: Submission, reason: Any, now: dt.datetime | None = None
) -> Appeal:
    """The learner appeals the Chưa đạt grade of their latest submission, once, with a reason;
    a lecturer decides (``second_mark_record``)."""
    now = now or timezone.now()
    text = nfc(str(reason or "")).strip()
    limit = policy.grading_policy().appeal_reason_max
    if not text:
        raise ValidationError(_("Say why you appeal the grade."))
    if len(text) > limit:
        raise ValidationError(
            _("The reason is too long (at most %(n)s characters).") % {"n": limit}
        )
    with system_scope():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("enrolment__person")
            .get(pk=submission.pk)
        )
        if not access.is_own(actor, locked):
            raise ValidationError(_("You may appeal only your own grade."))
        if locked.status != SubmissionStatus.FAILED:
            raise ValidationError(_("Only a product graded Chưa đạt may be appealed."))
        later = Submission.objects.filter(
            product_id=locked.product_id, enrolment_id=locked.enrolment_id, number__gt=locked.number
        ).exists()
        if later:
            raise ValidationError(_("You handed in again since: appeal the latest grade."))
        if Appeal.objects.filter(submission=locked).exists():
            raise ValidationError(_("You already appealed this grade."))
        appeal = Appeal.objects.create(
            submission=locked, unit_path=locked.unit_path, reason=text, lodged_at=now
        )
        audit(
            actor=actor,
            action="products.appeal",
            obj=locked,
            unit_id=locked.enrolment.person.unit_id,
            changes={"reason": text[:200]},
        )
    signals.send_after_commit(signals.appeal_lodged, locked, actor)
    return appeal


@transaction.atomic
def second_mark_record(
    *,
    actor: User,
    submission: Submission,
    passed: Any,
    comments: Any = "",
    now: dt.datetime | None = None,
) -> SecondMark:
    """A lecturer's own decision on a graded submission of the sample or an appealed one.

    On an open appeal the decision is final: Đạt changes the submission to Đạt and the
    learner's progress (``progress_record``, as ``submission_grade`` does); Chưa đạt confirms
    the grade. Otherwise it is recorded beside the first grade (once per submission), and a
    disagreement is shown to the course's officers and the first grader."""
    if passed not in (True, False):
        raise ValidationError(_("Choose passed or not passed."))
    now = now or timezone.now()
    text = nfc(str(comments or "")).strip()
    if len(text) > COMMENTS_MAX:
        raise ValidationError(_("The comments are too long."))
    with system_scope():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("product__activity__course", "enrolment__person")
            .get(pk=submission.pk)
        )
        if not access.second_marks(actor, locked):
            raise ValidationError(_("You do not second-mark this submission."))
        appeal = Appeal.objects.select_for_update().filter(submission=locked).first()
        first_passed = locked.status == SubmissionStatus.PASSED
        agrees = bool(passed) == first_passed
        if not agrees and not text:
            raise ValidationError(_("Say why your decision differs from the first grade."))
        unit_id = locked.enrolment.person.unit_id
        mark = SecondMark(
            submission=locked,
            unit_path=locked.unit_path,
            marker=actor,
            passed=bool(passed),
            comments=text,
            first_status=locked.status,
            first_grader_id=locked.grader_id,
            agrees=agrees,
            marked_at=now,
        )
        if appeal is not None and appeal.status == AppealStatus.OPEN:
            if not text:
                raise ValidationError(_("Give the learner the reasons for your decision."))
            mark.appeal = appeal
            mark.save()
            appeal.status = AppealStatus.OVERTURNED if passed else AppealStatus.UPHELD
            appeal.decided_by = actor
            appeal.decided_at = now
            appeal.save(update_fields=["status", "decided_by", "decided_at"])
            if passed:
                locked.status = SubmissionStatus.PASSED
                locked.save(update_fields=["status"])
                activity = locked.product.activity
                learning.progress_record(
                    enrolment=locked.enrolment,
                    activity=activity,
                    state=progress_state(activity, True),
                    score=locked.score,
                    replace=True,
                )
            audit(
                actor=actor,
                action="products.appeal_decide",
                obj=locked,
                unit_id=unit_id,
                changes={"decision": appeal.status, "first": mark.first_status},
            )
            signals.send_after_commit(signals.appeal_decided, locked, actor)
            return mark
        if appeal is not None:
            raise ValidationError(_("The appeal was decided: the decision is final."))
        if SecondMark.objects.filter(submission=locked, appeal__isnull=True).exists():
            raise ValidationError(_("This submission was already second-marked."))
        try:
            with transaction.atomic():
                mark.save()
        except IntegrityError:
            raise ValidationError(_("This submission was already second-marked.")) from None
        audit(
            actor=actor,
            action="products.second_mark",
            obj=locked,
            unit_id=unit_id,
            changes={"passed": bool(passed), "agrees": agrees},
        )
    if not agrees:
        signals.send_after_commit(signals.second_mark_differs, locked, actor)
    return mark


# --- module packages (learning.kinds) -------------------------------------------------------


def export_product(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The product's settings for a module package (never the submissions)."""
    product = product_of(activity)
    return (
        {
            "instructions": product.instructions,
            "rubric": list(product.rubric),
            "accepts_text": product.accepts_text,
            "accepts_file": product.accepts_file,
            "max_bytes": product.max_bytes,
            "file_types": list(product.file_types),
            "resubmit_until_pass": product.resubmit_until_pass,
        },
        {},
    )


def import_product(activity: Activity, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    """Rebuild the settings on the importing course's activity (checked like the builder's)."""
    product_save(
        actor=None,
        activity=activity,
        instructions=data.get("instructions", ""),
        rubric=data.get("rubric", []),
        accepts_text=bool(data.get("accepts_text", True)),
        accepts_file=bool(data.get("accepts_file", True)),
        max_bytes=min(int(data.get("max_bytes") or 0), validation.max_bytes()),
        file_types=data.get("file_types", []),
        resubmit_until_pass=bool(data.get("resubmit_until_pass", True)),
    )
