"""Writes of the final product (issue 13 item 4): keyword-only, atomic, audited.

* ``product_save``: the builder (an officer managing the course) sets the instructions, the
  rubric and what may be handed in.
* ``submission_submit``: the learner hands in a text and/or a file. Idempotent against a
  double click and two tabs: the learner's enrolment row is locked, at most one submission
  waits at a time (a database constraint too), and handing in while one waits replaces it
  (same number, ``revision`` + 1). A new numbered submission follows only a Chưa đạt grade on a
  product that allows resubmission; after Đạt nothing more is taken.
* ``submission_grade``: a grader (``learning.access.graded_enrolment``) grades the latest
  submission Đạt / Chưa đạt with an optional score on 10, comments and a remark per rubric
  criterion; regrading the latest graded one is allowed (the new decision replaces the old).

Progress goes through ``learning.services.progress_record`` only (models.py says which state
each step records); the grade replaces the previous state (``replace=True``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.core.text import nfc
from opentemis.evidence import validation
from opentemis.learning import services as learning
from opentemis.learning.access import grades_path, manages_course
from opentemis.learning.models import Activity, ActivityKind, Enrolment, EnrolmentStatus
from opentemis.products import signals
from opentemis.products.models import Product, Submission, SubmissionStatus

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
        )
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
        course = locked.product.activity.course
        if not grades_path(actor, course, enrolment.unit_path):
            raise ValidationError(_("You do not grade this learner."))
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
        locked.grader = actor
        locked.graded_at = timezone.now()
        locked.save()
        activity = locked.product.activity
        state = "passed" if passed else ("failed" if activity.pass_required else "complete")
        learning.progress_record(
            enrolment=enrolment, activity=activity, state=state, score=locked.score, replace=True
        )
        changes = {"status": locked.status, "score": str(locked.score or "")}
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
