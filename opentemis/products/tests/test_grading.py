"""Grading that never stalls: routing to the core teacher, the overflow pool and its leases,
appeals and second marking, the per-grader workload (issue 14 item 3; decision 0021)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from opentemis.accounts.models import AuditEvent
from opentemis.learning import services as learning
from opentemis.learning.models import ActivityProgress, EnrolmentStatus
from opentemis.notifications.models import Notice
from opentemis.products import access, policy, selectors, services
from opentemis.products.models import (
    AppealStatus,
    SecondMark,
    Submission,
    SubmissionStatus,
    new_draw,
)
from opentemis.products.tests.conftest import core_teacher
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.usefixtures("system")

HOUR = dt.timedelta(hours=1)


def hand_in_a2(gw: Any, text: str = "Kế hoạch của A2") -> Submission:
    pw = gw.pw
    return services.submission_submit(
        actor=pw.teacher_a2, activity=pw.activity, enrolment=pw.enrolment_a2, text=text
    )


def overflowed(submission: Submission) -> dt.datetime:
    """A moment when ``submission`` has waited past the overflow time."""
    return submission.waiting_since + policy.grading_policy().overflow_after + HOUR


def fail(grader: Any, submission: Submission, **kw: Any) -> Submission:
    kw.setdefault("comments", "Thiếu bảng đặc tả.")
    return services.submission_grade(actor=grader, submission=submission, passed=False, **kw)


# --- routing ------------------------------------------------------------------------------------


def test_a_hand_in_goes_to_the_learners_core_teacher(
    gw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submission = hand_in_a2(gw)
    assert submission.assigned_to_id == gw.core_a.pk
    assert submission.waiting_since == submission.submitted_at
    assert Notice.objects.filter(recipient=gw.core_a).count() == 1  # told of the hand-in
    queue = selectors.my_queue(gw.core_a)
    assert [s.pk for s in queue.assigned] == [submission.pk] and queue.pool == 0
    assert selectors.my_queue(gw.core_b).assigned == []
    # The core teacher grades through the one grading service; the learner is told.
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_grade(actor=gw.core_a, submission=submission, passed=True)
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PASSED
    assert Notice.objects.filter(
        recipient=gw.pw.teacher_a2, key__startswith="products.graded"
    ).exists()
    assert selectors.my_queue(gw.core_a).assigned == []


def test_replacing_keeps_the_wait_and_the_assignment(gw: Any) -> None:
    first = hand_in_a2(gw)
    again = hand_in_a2(gw, "Bản 2")
    assert again.pk == first.pk and again.revision == 2
    assert again.waiting_since == first.waiting_since and again.assigned_to_id == gw.core_a.pk
    assert again.draw == first.draw  # the sample's draw never changes


def test_without_a_caseload_the_least_loaded_course_grader_gets_it(gw: Any) -> None:
    pw = gw.pw
    w = pw.w
    busy = make_user("grader_busy", role="teacher", unit=w.school_a1)
    idle = make_user("grader_idle", role="teacher", unit=w.school_a1)
    for grader in (busy, idle):
        learning.grader_set(actor=None, course=pw.lw.course, user=grader, unit=w.school_a1)
    other = PersonFactory(unit=w.school_a1, full_name="Lê Thị Ba", staff_code="GVA1B")
    other_user = make_user("teacher_a1b", role="teacher", unit=w.school_a1, person=other)
    enrolment = pw.lw.enrol(other)
    mine = services.submission_submit(
        actor=w.teacher_a1, activity=pw.activity, enrolment=pw.lw.enrolment, text="A1"
    )
    assert mine.assigned_to_id == busy.pk  # a tie: the first named
    theirs = services.submission_submit(
        actor=other_user, activity=pw.activity, enrolment=enrolment, text="A1B"
    )
    assert theirs.assigned_to_id == idle.pk


# --- the overflow pool and its leases ------------------------------------------------------------


def test_a_submission_overflows_to_the_pool_of_its_subject_after_the_wait(gw: Any) -> None:
    submission = hand_in_a2(gw)
    just_before = submission.waiting_since + policy.grading_policy().overflow_after - HOUR
    assert selectors.pool_count(gw.core_b, now=just_before) == 0
    later = overflowed(submission)
    assert selectors.pool_count(gw.core_b, now=later) == 1  # same subject, in the area
    assert selectors.pool_count(gw.core_ly, now=later) == 0  # another subject
    assert selectors.pool_count(gw.core_far, now=later) == 0  # outside the course's audience
    assert selectors.pool_count(gw.core_a, now=later) == 0  # already theirs
    assert selectors.pool_count(gw.pw.teacher_a2, now=later) == 0
    assert services.submission_claim_next(actor=gw.core_ly, now=later) is None
    assert services.submission_claim_next(actor=gw.core_b, now=just_before) is None


def test_a_course_grader_claims_from_the_whole_course(gw: Any) -> None:
    submission = hand_in_a2(gw)
    grader = make_user("grader_all", role="teacher", unit=gw.w.school_b1)
    learning.grader_set(actor=None, course=gw.pw.lw.course, user=grader, unit=None)
    claimed = services.submission_claim_next(actor=grader, now=overflowed(submission))
    assert claimed is not None and claimed.pk == submission.pk


def test_lease_claim_expiry_and_reclaim(gw: Any) -> None:
    submission = hand_in_a2(gw)
    second_core = core = gw.core_b
    third = core_teacher(gw.w, "core_c", gw.w.school_a2, "TOAN")
    t0 = overflowed(submission)
    lease = policy.grading_policy().lease
    claimed = services.submission_claim_next(actor=core, now=t0)
    assert claimed is not None and claimed.pk == submission.pk
    assert claimed.claimed_by_id == core.pk and claimed.lease_expires == t0 + lease
    # A double click claims once: the same one back.
    again = services.submission_claim_next(actor=core, now=t0 + HOUR)
    assert again is not None and again.pk == submission.pk
    # While leased: nobody else claims it; only the holder, the assigned grader and the
    # course's managers grade it.
    assert services.submission_claim_next(actor=third, now=t0 + HOUR) is None
    claimed = Submission.objects.select_related("product__activity__course", "enrolment").get(
        pk=submission.pk
    )
    during = t0 + HOUR
    assert access.may_grade(second_core, claimed, during)
    assert access.may_grade(gw.core_a, claimed, during)  # the assigned grader
    assert access.may_grade(gw.w.officer_a, claimed, during)  # manages the course
    assert not access.may_grade(third, claimed, during)
    # The lease runs out: back in the pool, the next grader claims it.
    after = t0 + lease + HOUR
    assert not access.may_grade(second_core, claimed, after)
    reclaimed = services.submission_claim_next(actor=third, now=after)
    assert reclaimed is not None and reclaimed.pk == submission.pk
    assert reclaimed.claimed_by_id == third.pk
    claim_events = AuditEvent.objects.filter(action="products.claim").order_by("pk")
    assert [e.actor_id for e in claim_events] == [core.pk, third.pk]
    assert claim_events.last().changes["previous"] == core.username  # type: ignore[union-attr]


def test_the_holder_grades_and_the_lease_ends(gw: Any) -> None:
    submission = hand_in_a2(gw)
    t0 = overflowed(submission)
    services.submission_claim_next(actor=gw.core_b, now=t0)
    Submission.objects.filter(pk=submission.pk).update(lease_expires=timezone.now() + HOUR)
    graded = services.submission_grade(actor=gw.core_b, submission=submission, passed=True)
    assert graded.grader_id == gw.core_b.pk and graded.lease_expires is None
    event = AuditEvent.objects.filter(action="products.grade").get()
    assert event.changes["claimed"] is True


def test_a_grader_blocked_by_someone_elses_lease_is_told(gw: Any) -> None:
    submission = hand_in_a2(gw)
    w = gw.w
    services.submission_claim_next(actor=gw.core_b, now=overflowed(submission))
    Submission.objects.filter(pk=submission.pk).update(lease_expires=timezone.now() + HOUR)
    subtree = make_user("grader_a2", role="teacher", unit=w.school_a2)
    learning.grader_set(actor=None, course=gw.pw.lw.course, user=subtree, unit=w.school_a2)
    with pytest.raises(ValidationError, match="đã nhận bài"):
        services.submission_grade(actor=subtree, submission=submission, passed=True)


def test_release_gives_it_back(gw: Any) -> None:
    submission = hand_in_a2(gw)
    t0 = overflowed(submission)
    services.submission_claim_next(actor=gw.core_b, now=t0)
    Submission.objects.filter(pk=submission.pk).update(lease_expires=timezone.now() + HOUR)
    with pytest.raises(ValidationError):
        services.submission_release(actor=gw.core_ly, submission=submission)
    services.submission_release(actor=gw.core_b, submission=submission)
    row = Submission.objects.get(pk=submission.pk)
    assert row.claimed_by_id is None and row.lease_expires is None
    assert AuditEvent.objects.filter(action="products.release", actor=gw.core_b).count() == 1
    with pytest.raises(ValidationError):
        services.submission_release(actor=gw.core_b, submission=submission)


def test_no_one_claims_or_grades_their_own(gw: Any) -> None:
    pw = gw.pw
    w = pw.w
    # Teacher A2 grades the course too (a grader of the whole course).
    learning.grader_set(actor=None, course=pw.lw.course, user=pw.teacher_a2, unit=None)
    submission = hand_in_a2(gw)
    assert services.submission_claim_next(actor=pw.teacher_a2, now=overflowed(submission)) is None
    with pytest.raises(ValidationError):
        services.submission_grade(actor=pw.teacher_a2, submission=submission, passed=True)
    assert w.officer_a.person_id is None


# --- appeals and second marking -----------------------------------------------------------------


def test_appeal_flow_overturned_is_final(gw: Any, django_capture_on_commit_callbacks: Any) -> None:
    pw = gw.pw
    submission = fail(gw.core_a, hand_in_a2(gw))
    with pytest.raises(ValidationError):
        services.appeal_lodge(actor=pw.teacher_a2, submission=submission, reason="  ")
    with pytest.raises(ValidationError):  # not theirs
        services.appeal_lodge(actor=pw.w.teacher_a1, submission=submission, reason="Sai")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_lodge(
            actor=pw.teacher_a2, submission=submission, reason="Bảng đặc tả ở trang 3."
        )
    assert appeal.status == AppealStatus.OPEN
    assert Notice.objects.filter(recipient=gw.lecturer).count() == 1
    assert Notice.objects.filter(recipient=gw.lecturer_b).count() == 0
    with pytest.raises(ValidationError):  # once
        services.appeal_lodge(actor=pw.teacher_a2, submission=submission, reason="Lần 2")
    with pytest.raises(ValidationError):  # no new hand-in while the appeal waits
        hand_in_a2(gw, "Bản sửa")
    with pytest.raises(ValidationError):  # the first grader no longer changes it
        services.submission_grade(actor=gw.core_a, submission=submission, passed=True)
    # The lecturer of province B does not reach it; province A's does.
    with pytest.raises(Http404):
        selectors.submission_to_second_mark(gw.lecturer_b, submission.pk)
    assert submission.pk in [r.submission.pk for r in selectors.second_mark_list(gw.lecturer)]
    with pytest.raises(ValidationError):  # reasons are owed to the learner
        services.second_mark_record(actor=gw.lecturer, submission=submission, passed=True)
    with django_capture_on_commit_callbacks(execute=True):
        mark = services.second_mark_record(
            actor=gw.lecturer, submission=submission, passed=True, comments="Đủ tiêu chí."
        )
    assert mark.appeal_id == appeal.pk and not mark.agrees
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OVERTURNED and appeal.decided_by_id == gw.lecturer.pk
    row = Submission.objects.get(pk=submission.pk)
    assert row.status == SubmissionStatus.PASSED and row.grader_id == gw.core_a.pk
    progress = ActivityProgress.objects.get(enrolment=pw.enrolment_a2, activity=pw.activity)
    assert progress.state == "passed"
    pw.enrolment_a2.refresh_from_db()
    assert pw.enrolment_a2.status == EnrolmentStatus.COMPLETED
    assert Notice.objects.filter(recipient=pw.teacher_a2, title__contains="Đạt").exists()
    with pytest.raises(ValidationError):  # final
        services.second_mark_record(
            actor=gw.lecturer, submission=submission, passed=False, comments="Đổi ý"
        )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"products.appeal", "products.appeal_decide"} <= actions


def test_an_appeal_upheld_keeps_chua_dat(gw: Any) -> None:
    pw = gw.pw
    submission = fail(gw.core_a, hand_in_a2(gw))
    services.appeal_lodge(actor=pw.teacher_a2, submission=submission, reason="Xin chấm lại.")
    mark = services.second_mark_record(
        actor=gw.lecturer, submission=submission, passed=False, comments="Vẫn thiếu ma trận."
    )
    assert mark.agrees
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.FAILED
    assert ActivityProgress.objects.get(enrolment=pw.enrolment_a2).state == "failed"
    hand_in_a2(gw, "Bản sửa")  # decided: the learner hands in again


def test_only_a_chua_dat_latest_grade_may_be_appealed(gw: Any) -> None:
    pw = gw.pw
    passed = services.submission_grade(actor=gw.core_a, submission=hand_in_a2(gw), passed=True)
    with pytest.raises(ValidationError):
        services.appeal_lodge(actor=pw.teacher_a2, submission=passed, reason="?")


def _graded_many(gw: Any, n: int) -> list[Submission]:
    """``n`` learners of school A1, each with a product graded Đạt by the course's officer."""
    pw = gw.pw
    found = []
    for index in range(n):
        person = PersonFactory(unit=pw.w.school_a1, full_name=f"Học viên {index}")
        user = make_user(f"hv{index}", role="teacher", unit=pw.w.school_a1, person=person)
        enrolment = pw.lw.enrol(person)
        submission = services.submission_submit(
            actor=user, activity=pw.activity, enrolment=enrolment, text=f"Bài {index}"
        )
        found.append(
            services.submission_grade(actor=pw.w.officer_a, submission=submission, passed=True)
        )
    return found


def test_the_second_marking_sample_is_reproducible(gw: Any) -> None:
    graded = _graded_many(gw, 12)
    below = policy.grading_policy().sample_below
    draws = [0, below - 1, below, 9_999] * 3
    for submission, draw in zip(graded, draws, strict=True):
        Submission.objects.filter(pk=submission.pk).update(draw=draw)
    expected = sorted(s.pk for s, d in zip(graded, draws, strict=True) if d < below)
    first = sorted(r.submission.pk for r in selectors.second_mark_list(gw.lecturer))
    assert first == expected and len(first) == 6
    assert sorted(r.submission.pk for r in selectors.second_mark_list(gw.lecturer)) == first
    assert selectors.second_mark_list(gw.lecturer_b) == []
    with pytest.raises(Http404):
        selectors.second_mark_list(gw.core_a)  # no permission anywhere


def test_draws_are_spread_over_their_range() -> None:
    """Each new submission draws at random (models.new_draw): over many, about the share of
    the data falls in the sample; the bound is loose (a chance of failing below 1e-9)."""
    draws = [new_draw() for _ in range(4000)]
    share = sum(d < 1000 for d in draws) / len(draws)
    assert all(0 <= d < policy.DRAW_RANGE for d in draws) and 0.06 < share < 0.14


def test_a_second_marking_that_differs_is_shown_and_told(
    gw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submission = services.submission_grade(actor=gw.core_a, submission=hand_in_a2(gw), passed=True)
    Submission.objects.filter(pk=submission.pk).update(draw=0)
    with pytest.raises(ValidationError):  # a disagreement says why
        services.second_mark_record(actor=gw.lecturer, submission=submission, passed=False)
    with django_capture_on_commit_callbacks(execute=True):
        mark = services.second_mark_record(
            actor=gw.lecturer, submission=submission, passed=False, comments="Thiếu ma trận."
        )
    assert not mark.agrees and mark.first_grader_id == gw.core_a.pk
    assert Notice.objects.filter(recipient=gw.core_a, key__contains="second_mark").count() == 1
    # The first grade stands (a sample's marking is not an appeal's decision).
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PASSED
    with pytest.raises(ValidationError):  # once per submission
        services.second_mark_record(
            actor=gw.lecturer, submission=submission, passed=True, comments=""
        )
    course = gw.pw.lw.course
    assert [m.pk for m in selectors.disagreements(course, None)] == [mark.pk]
    load = selectors.workload(course, None)
    assert {r.user.pk: r.disagreements for r in load.rows}[gw.core_a.pk] == 1
    assert AuditEvent.objects.filter(action="products.second_mark").count() == 1


def test_lecturers_do_not_second_mark_outside_the_sample(gw: Any) -> None:
    submission = services.submission_grade(actor=gw.core_a, submission=hand_in_a2(gw), passed=True)
    Submission.objects.filter(pk=submission.pk).update(draw=policy.DRAW_RANGE - 1)
    with pytest.raises(ValidationError):
        services.second_mark_record(
            actor=gw.lecturer, submission=submission, passed=True, comments=""
        )
    assert not SecondMark.objects.exists()


# --- workload -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([], 0.9, None),
        ([5.0], 0.9, 5.0),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
        ([3, 1, 2], 0.5, 2),
    ],
)
def test_percentile_is_the_nearest_rank(values: list[float], share: float, expected: Any) -> None:
    assert selectors.percentile(values, share) == expected


def test_workload_figures_equal_a_recount(gw: Any) -> None:
    pw = gw.pw
    course = pw.lw.course
    now = timezone.now()
    graded = _graded_many(gw, 5)
    # Spread the turnarounds and the weeks: hand-ins 2..30 hours before their grade, some
    # graded last month.
    for index, submission in enumerate(graded):
        at = now - dt.timedelta(days=40 if index % 2 else 0)
        Submission.objects.filter(pk=submission.pk).update(
            graded_at=at, waiting_since=at - dt.timedelta(hours=2 + 7 * index)
        )
    waiting = hand_in_a2(gw)  # assigned to core_a, overdue
    Submission.objects.filter(pk=waiting.pk).update(waiting_since=now - dt.timedelta(days=10))
    mine = services.submission_submit(
        actor=pw.w.teacher_a1, activity=pw.activity, enrolment=pw.lw.enrolment, text="A1"
    )
    grader = make_user("grader_all", role="teacher", unit=pw.w.school_a1)
    learning.grader_set(actor=None, course=course, user=grader, unit=None)
    Submission.objects.filter(pk=mine.pk).update(waiting_since=now - dt.timedelta(days=5))
    assert services.submission_claim_next(actor=grader, now=now) is not None

    load = selectors.workload(course, None, now=now)
    rows = {r.user.pk: r for r in load.rows}
    monday = selectors.week_start(now)
    overflow = policy.grading_policy().overflow_after
    everything = list(Submission.objects.filter(product__activity__course=course))
    for user_id, row in rows.items():
        pending = [s for s in everything if s.status == SubmissionStatus.PENDING]
        done = [s for s in everything if s.status != SubmissionStatus.PENDING]
        hours = sorted(
            (s.graded_at - s.waiting_since).total_seconds() / 3600
            for s in done
            if s.grader_id == user_id and s.graded_at
        )
        assert row.assigned_pending == sum(s.assigned_to_id == user_id for s in pending)
        assert row.overdue == sum(
            s.assigned_to_id == user_id and s.waiting_since <= now - overflow for s in pending
        )
        assert row.claimed == sum(
            s.claimed_by_id == user_id and s.lease_expires and s.lease_expires > now
            for s in pending
        )
        assert row.graded_week == sum(
            s.grader_id == user_id and s.graded_at and s.graded_at >= monday for s in everything
        )
        assert row.graded_total == sum(s.grader_id == user_id for s in done)
        assert sorted(row.hours) == pytest.approx(hours)
        if hours:
            assert row.p90_hours == pytest.approx(hours[-(-9 * len(hours) // 10) - 1])
    officer = rows[pw.w.officer_a.pk]
    assert officer.graded_total == 5 and officer.median_hours == pytest.approx(16.0)
    assert rows[gw.core_a.pk].overdue == 1 and rows[grader.pk].claimed == 1


def test_the_workload_is_read_by_the_courses_officers_only(gw: Any) -> None:
    course = gw.pw.lw.course
    assert selectors.workload_course(gw.w.officer_a, course.pk) == (course, None)
    for outsider in (gw.w.principal_a1, gw.core_a, gw.lecturer, gw.w.principal_b1):
        with pytest.raises(Http404):
            selectors.workload_course(outsider, course.pk)


def test_a_stale_candidate_is_not_taken_twice(gw: Any, monkeypatch: Any) -> None:
    """The claim's conditional UPDATE is the guard: a claimer whose read of the pool is stale
    (it still sees a submission another grader just took) does not take it, and takes the
    next one (the race of test_claim_concurrency.py, played in order)."""
    pw = gw.pw
    first = hand_in_a2(gw)
    second = services.submission_submit(
        actor=pw.w.teacher_a1, activity=pw.activity, enrolment=pw.lw.enrolment, text="A1"
    )
    grader = make_user("grader_all", role="teacher", unit=pw.w.school_b1)
    learning.grader_set(actor=None, course=pw.lw.course, user=grader, unit=None)
    Submission.objects.filter(pk=second.pk).update(waiting_since=first.waiting_since + HOUR)
    t0 = overflowed(second)
    taken = services.submission_claim_next(actor=gw.core_b, now=t0)
    assert taken is not None and taken.pk == first.pk
    real = access.pool_q

    def stale(actor: Any, reach: Any, now: dt.datetime) -> Any:
        # The pool as read before core_b's claim committed: leases ignored.
        return real(actor, reach, now) | Q(pk=first.pk)

    monkeypatch.setattr(access, "pool_q", stale)
    other = services.submission_claim_next(actor=grader, now=t0)
    assert other is not None and other.pk == second.pk
    assert Submission.objects.get(pk=first.pk).claimed_by_id == gw.core_b.pk


@given(
    values=st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=60),
    share=st.floats(min_value=0.01, max_value=1),
)
def test_the_percentile_holds_its_share(values: list[float], share: float) -> None:
    """The nearest-rank percentile is one of the values, with at least ``share`` of them at or
    below it and fewer than ``share`` strictly below it."""
    found = selectors.percentile(values, share)
    assert found in values
    assert sum(v <= found for v in values) >= share * len(values) - 1e-9
    assert sum(v < found for v in values) < share * len(values)
