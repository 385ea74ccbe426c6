"""The final product's services: handing in, replacing, grading, progress, the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.evidence.tests import files
from opentemis.learning import services as learning
from opentemis.learning.models import ActivityProgress, EnrolmentStatus
from opentemis.products import services, signals
from opentemis.products.models import Submission, SubmissionStatus

pytestmark = pytest.mark.usefixtures("system")


def submit(pw: Any, text: str = "Kế hoạch", **kw: Any) -> Submission:
    return services.submission_submit(
        actor=pw.w.teacher_a1, activity=pw.activity, enrolment=pw.lw.enrolment, text=text, **kw
    )


def grade(pw: Any, submission: Submission, passed: bool, **kw: Any) -> Submission:
    kw.setdefault("comments", "Cần bổ sung bảng đặc tả.")
    return services.submission_grade(
        actor=pw.w.officer_a, submission=submission, passed=passed, **kw
    )


def state(pw: Any) -> str:
    return ActivityProgress.objects.get(enrolment=pw.lw.enrolment, activity=pw.activity).state


def test_a_second_hand_in_before_the_grade_replaces_the_first(pw: Any) -> None:
    first = submit(pw, "Bản 1")
    again = submit(pw, "Bản 2")
    assert again.pk == first.pk and again.number == 1 and again.revision == 2
    assert Submission.objects.filter(product__activity=pw.activity).count() == 1
    assert Submission.objects.get().text == "Bản 2"
    assert state(pw) == "started"  # pass required: handing in is not enough


def test_chua_dat_then_again_then_dat_completes_the_course(pw: Any) -> None:
    first = submit(pw)
    graded = grade(pw, first, False, score="4,5", remarks=["a", "", "c", "d", "ignored"])
    assert graded.status == SubmissionStatus.FAILED and graded.score == Decimal("4.50")
    assert [r["remark"] for r in graded.remarks] == ["a", "", "c", "d"]  # one per criterion
    assert state(pw) == "failed"
    second = submit(pw, "Bản sửa")
    assert second.number == 2 and second.status == SubmissionStatus.PENDING
    with pytest.raises(ValidationError):
        grade(pw, first, True)  # only the latest is graded
    grade(pw, second, True, score="8.5", comments="")
    progress = ActivityProgress.objects.get(enrolment=pw.lw.enrolment, activity=pw.activity)
    assert progress.state == "passed" and progress.score == Decimal("8.50")
    pw.lw.enrolment.refresh_from_db()
    assert pw.lw.enrolment.status == EnrolmentStatus.COMPLETED  # the only required activity
    with pytest.raises(ValidationError, match="Đạt"):
        submit(pw, "Bản 3")


def test_no_resubmission_when_the_product_forbids_it(pw: Any) -> None:
    services.product_save(actor=None, activity=pw.activity, resubmit_until_pass=False)
    grade(pw, submit(pw), False)
    with pytest.raises(ValidationError):
        submit(pw, "Bản 2")


def test_a_product_not_to_pass_completes_on_hand_in(pw: Any) -> None:
    learning.activity_update(actor=None, activity=pw.activity, pass_required=False)
    pw.activity.refresh_from_db()
    submission = submit(pw)
    assert state(pw) == "complete"
    grade(pw, submission, False)
    assert state(pw) == "complete"  # the grade is feedback
    grade(pw, submission, True)  # a regrade of the latest
    assert state(pw) == "passed"


def test_a_regrade_chua_dat_lowers_the_pass(pw: Any) -> None:
    submission = submit(pw)
    grade(pw, submission, True)
    assert state(pw) == "passed"
    grade(pw, submission, False, comments="Nhầm: thiếu ma trận.")
    assert state(pw) == "failed"


def test_chua_dat_needs_comments_and_a_choice(pw: Any) -> None:
    submission = submit(pw)
    with pytest.raises(ValidationError):
        grade(pw, submission, False, comments="  ")
    with pytest.raises(ValidationError):
        services.submission_grade(actor=pw.w.officer_a, submission=submission, passed="yes")
    assert Submission.objects.get().status == SubmissionStatus.PENDING


def test_a_grade_on_a_replaced_revision_is_refused(pw: Any) -> None:
    submission = submit(pw)
    submit(pw, "Bản mới")
    with pytest.raises(ValidationError, match="thay bài"):
        grade(pw, submission, True, revision=1)
    grade(pw, submission, True, revision=2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), (None, None), ("8,5", Decimal("8.50")), ("10", Decimal("10.00")), ("0", 0)],
)
def test_scores(raw: Any, expected: Any) -> None:
    assert services.clean_score(raw) == expected


@pytest.mark.parametrize("raw", ["10.01", "-1", "8.555", "²", "9" * 5000, "nan", "inf", "abc"])
def test_bad_scores(raw: str) -> None:
    with pytest.raises(ValidationError):
        services.clean_score(raw)


def test_nothing_handed_in_is_refused_and_text_only_products_refuse_files(pw: Any) -> None:
    with pytest.raises(ValidationError):
        submit(pw, "   ")
    services.product_save(actor=None, activity=pw.activity, accepts_file=False)
    with pytest.raises(ValidationError):
        submit(pw, "", uploaded_file=SimpleUploadedFile("a.pdf", files.pdf()))
    assert not Submission.objects.exists()


def test_files_are_checked_by_content_and_type(pw: Any) -> None:
    with pytest.raises(ValidationError, match="PDF"):
        submit(pw, "", uploaded_file=SimpleUploadedFile("gia.pdf", b"<html>not a pdf</html>"))
    services.product_save(actor=None, activity=pw.activity, file_types=["docx"])
    with pytest.raises(ValidationError, match="DOCX"):
        submit(pw, "", uploaded_file=SimpleUploadedFile("that.pdf", files.pdf()))
    services.product_save(actor=None, activity=pw.activity, file_types=[], max_bytes=100)
    with pytest.raises(ValidationError):
        submit(pw, "", uploaded_file=SimpleUploadedFile("to.pdf", files.pdf()))
    services.product_save(actor=None, activity=pw.activity, max_bytes=0)
    ok = submit(pw, "", uploaded_file=SimpleUploadedFile("Kế hoạch.pdf", files.pdf()))
    assert ok.file_type == "application/pdf" and ok.file_name == "Kế hoạch.pdf"
    assert ok.file.name.startswith("products/") and "Kế" not in ok.file.name


def test_one_pending_submission_is_a_database_rule(pw: Any) -> None:
    """Two requests at once (a double click in two tabs) cannot both leave one waiting."""
    first = submit(pw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            product=first.product,
            enrolment=pw.lw.enrolment,
            unit_path=first.unit_path,
            number=2,
            submitted_at=timezone.now(),
        )


def test_signals_are_sent_after_the_commit(
    pw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[tuple[str, int]] = []

    def on_submit(sender: Any, submission: Submission, **kw: Any) -> None:
        seen.append(("submitted", submission.pk))

    def on_grade(sender: Any, submission: Submission, **kw: Any) -> None:
        seen.append((submission.status, submission.pk))

    signals.product_submitted.connect(on_submit)
    signals.product_graded.connect(on_grade)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            submission = submit(pw)
        assert seen == [("submitted", submission.pk)]
        with django_capture_on_commit_callbacks(execute=True):
            grade(pw, submission, True)
        assert seen[-1] == ("passed", submission.pk)
    finally:
        signals.product_submitted.disconnect(on_submit)
        signals.product_graded.disconnect(on_grade)


def test_a_grader_of_school_a1_cannot_grade_school_a2(pw: Any) -> None:
    learning.grader_set(
        actor=None, course=pw.lw.course, user=pw.w.principal_a1, unit=pw.w.school_a1
    )
    theirs = services.submission_submit(
        actor=pw.teacher_a2, activity=pw.activity, enrolment=pw.enrolment_a2, text="Bài A2"
    )
    with pytest.raises(ValidationError):
        services.submission_grade(
            actor=pw.w.principal_a1, submission=theirs, passed=True, comments=""
        )
    mine = submit(pw)
    services.submission_grade(actor=pw.w.principal_a1, submission=mine, passed=True)


def test_rubric_cleaning() -> None:
    assert services.clean_rubric(
        ["A", {"title": "  B  c ", "description": "d"}, {"title": ""}]
    ) == [
        {"title": "A", "description": ""},
        {"title": "B c", "description": "d"},
    ]
    with pytest.raises(ValidationError):
        services.clean_rubric("abc")
    with pytest.raises(ValidationError):
        services.clean_rubric([{"title": str(i)} for i in range(21)])


def test_export_and_import_carry_the_settings_not_the_submissions(pw: Any) -> None:
    submit(pw)
    data, blobs = services.export_product(pw.activity)
    assert blobs == {} and len(data["rubric"]) == 4 and "submissions" not in data
    other = pw.lw.activity("product", "Bản sao")
    services.import_product(other, data, {})
    copy = services.product_of(other)
    assert copy.rubric == data["rubric"] and copy.instructions == data["instructions"]
    assert not Submission.objects.filter(product=copy).exists()
    with system_scope(), pytest.raises(ValidationError):
        services.import_product(other, {**data, "file_types": ["exe"]}, {})
