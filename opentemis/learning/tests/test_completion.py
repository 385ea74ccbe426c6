"""The completion rule, hand-computed cases, and the ledger posted once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from opentemis.core.scoping import system_scope
from opentemis.learning import services
from opentemis.learning.completion import Criterion, judge
from opentemis.learning.models import EnrolmentStatus
from opentemis.plans.models import EntrySource, LedgerEntry
from tests.learning_world import make_course

QUIZ = Criterion(1, "Bài kiểm tra", "quiz", pass_required=True)
VIDEO = Criterion(2, "Video", "video", pass_required=False)
PRODUCT = Criterion(3, "Sản phẩm", "product", pass_required=True)


@pytest.mark.parametrize(
    ("states", "rule", "complete", "missing"),
    [
        ({}, {}, False, [1, 2, 3]),
        ({1: "passed", 2: "complete", 3: "passed"}, {}, True, []),
        # A finished test that was not passed does not count where a pass is required.
        ({1: "complete", 2: "complete", 3: "passed"}, {}, False, [1]),
        ({1: "failed", 2: "passed", 3: "passed"}, {"aggregation": "all"}, False, [1]),
        ({2: "started"}, {"aggregation": "any"}, False, [1, 2, 3]),
        ({2: "complete"}, {"aggregation": "any"}, True, [1, 3]),
        # An unknown aggregation is read as "all".
        ({2: "complete"}, {"aggregation": "bogus"}, False, [1, 3]),
    ],
)
def test_hand_computed_cases(
    states: dict[int, str], rule: dict[str, str], complete: bool, missing: list[int]
) -> None:
    verdict = judge([QUIZ, VIDEO, PRODUCT], states, rule)
    assert verdict.complete is complete
    assert [c.activity_id for c, _state in verdict.missing] == missing
    assert verdict.done_count + len(missing) == verdict.required_count == 3


def test_a_course_without_required_activities_is_never_complete() -> None:
    assert judge([], {}, {"aggregation": "any"}).complete is False


@pytest.mark.django_db(transaction=True)
def test_completion_posts_the_hours_once(world: Any) -> None:
    lw = make_course(world, hours="12.5")
    video = lw.activity("video", "Video bài giảng")
    quiz = lw.activity("quiz", "Bài kiểm tra cuối", pass_required=True)
    with system_scope():
        services.progress_record(enrolment=lw.enrolment, activity=video, state="complete")
        assert not LedgerEntry.objects.filter(person=world.person_a1).exists()
        services.progress_record(enrolment=lw.enrolment, activity=quiz, state="failed")
        lw.enrolment.refresh_from_db()
        assert lw.enrolment.status == EnrolmentStatus.ACTIVE
        assert (lw.enrolment.done_count, lw.enrolment.required_count) == (1, 2)
        services.progress_record(
            enrolment=lw.enrolment,
            activity=quiz,
            state="passed",
            score=Decimal("8"),
            replace=True,
        )
        # Re-judged again (a regrade, a retried request): still one entry.
        services.progress_record(enrolment=lw.enrolment, activity=quiz, state="passed")
        services.post_hours(enrolment_pk=lw.enrolment.pk)
        entries = list(LedgerEntry.objects.filter(person=world.person_a1))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.source == EntrySource.ONLINE
    assert entry.hours == Decimal("12.5")
    assert entry.external_ref == f"learning.course:{lw.course.pk}"
    lw.enrolment.refresh_from_db()
    assert lw.enrolment.status == EnrolmentStatus.COMPLETED
    assert lw.enrolment.ledger_entry_id == entry.pk


def test_a_settled_state_is_not_lowered_by_a_later_visit(world: Any) -> None:
    lw = make_course(world)
    video = lw.activity("video")
    with system_scope():
        services.progress_record(enrolment=lw.enrolment, activity=video, state="complete")
        progress = services.progress_record(
            enrolment=lw.enrolment, activity=video, state="started", data={"position": 30}
        )
    assert progress.state == "complete"
    assert progress.data == {"position": 30}


def test_a_rolled_back_grade_posts_nothing(world: Any) -> None:
    lw = make_course(world)
    quiz = lw.activity("quiz", pass_required=True)
    with system_scope():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.progress_record(enrolment=lw.enrolment, activity=quiz, state="passed")
            raise RuntimeError
        assert not LedgerEntry.objects.filter(person=world.person_a1).exists()
