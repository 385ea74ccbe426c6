"""The workflow services: steps, locks, conflicts, opinions, the anonymous poll, training needs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation, PollBallot, Status, TrainingNeed
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db


def test_start_picks_the_teacher_standard_and_is_idempotent(ev):
    first = ev.start()
    again = ev.start()
    assert first.pk == again.pk
    assert first.framework.code == "TT20_2018_GVPT"
    assert first.kind == "teacher"
    assert first.unit_path == ev.w.school_a1.path


def test_principal_gets_the_principal_standard(ev):
    evaluation = ev.start(ev.w.principal_a1)
    assert evaluation.framework.code == "TT14_2018_HTPT"
    assert evaluation.kind == "manager"


def test_nobody_starts_someone_elses_evaluation(ev):
    with system_scope(), pytest.raises(PermissionDenied):
        services.evaluation_start(actor=ev.colleague, cycle=ev.cycle, person=ev.w.person_a1)


def test_draft_saves_partially_and_submit_needs_every_level(ev):
    evaluation = ev.start()
    with system_scope():
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels={"1": "Tot", "2": "Kha"},
            texts={"strengths": "Soạn giảng tốt"},
        )
        # Users read Vietnamese (LANGUAGE_CODE): the message names the missing criteria.
        with pytest.raises(ValidationError, match="còn thiếu: 3, 4, 5"):
            services.evaluation_submit(
                actor=ev.w.teacher_a1, evaluation=evaluation, version=evaluation.version
            )
        stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.self_levels == {"1": "Tot", "2": "Kha"}
    assert stored.strengths == "Soạn giảng tốt"
    assert stored.status == Status.DRAFT


def test_invalid_level_is_refused(ev):
    evaluation = ev.start()
    with system_scope(), pytest.raises(ValidationError):
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels={"1": "Excellent"},
        )
    with system_scope(), pytest.raises(ValidationError):
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels={"16": "Tot"},
        )


def test_stale_save_raises_conflict_with_the_other_changes(ev):
    evaluation = ev.start()
    seen = evaluation.version
    with system_scope():
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=seen, levels={"1": "Tot"}
        )
        stale = Evaluation.objects.get(pk=evaluation.pk)
        stale.version = seen
        with pytest.raises(services.ConflictError) as caught:
            services.evaluation_save_draft(
                actor=ev.w.teacher_a1, evaluation=stale, version=seen, levels={"1": "Dat"}
            )
        assert Evaluation.objects.get(pk=evaluation.pk).self_levels == {"1": "Tot"}
    diff = {row.field: row for row in caught.value.differences}
    assert (diff["self_levels[1]"].theirs, diff["self_levels[1]"].yours) == ("Tot", "Dat")
    assert caught.value.current_version == seen + 1
    assert caught.value.sent_version == seen


def test_submit_computes_the_self_rating_and_locks_the_form(ev):
    evaluation = ev.submitted()
    assert evaluation.status == Status.SUBMITTED
    assert evaluation.self_rating == "Kha"
    with system_scope(), pytest.raises(ValidationError):
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels={"1": "Tot"},
        )


def test_full_teacher_workflow_with_opinions_and_training_needs(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.opinion_give(actor=ev.colleague, evaluation=evaluation, level="Kha", comment="Ok")
        with pytest.raises(PermissionDenied):  # not in the group: principal of B, and oneself
            services.opinion_give(actor=ev.w.teacher_a1, evaluation=evaluation, level="Tot")
        review = ev.levels("Tot", c4="Kha", c6="Dat", c15="Dat")
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=review,
            note="Cần bồi dưỡng CNTT",
        )
        evaluation.refresh_from_db()
        needs = list(TrainingNeed.objects.filter(evaluation=evaluation).order_by("criterion"))
    assert evaluation.status == Status.FINALISED
    # 4 at Khá keeps it from Tốt (key criterion), 6 at Đạt from Khá (key criterion 3-7).
    assert evaluation.final_rating == "Dat"
    assert [(n.criterion, n.reason) for n in needs] == [(6, "below_kha"), (15, "below_kha")]
    assert needs[0].modules == ["GV3"]


def test_finalised_record_is_locked_until_an_officer_reopens_it(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
        )
        with pytest.raises(ValidationError):
            services.evaluation_review_save(
                actor=ev.w.principal_a1,
                evaluation=evaluation,
                version=evaluation.version,
                levels=ev.levels("Dat"),
            )
        with pytest.raises(PermissionDenied):
            services.evaluation_reopen(actor=ev.w.principal_a1, evaluation=evaluation, reason="x")
        with pytest.raises(ValidationError):
            services.evaluation_reopen(actor=ev.w.officer_a, evaluation=evaluation, reason=" ")
        services.evaluation_reopen(
            actor=ev.w.officer_a, evaluation=evaluation, reason="Nhập nhầm tiêu chí 3"
        )
        evaluation.refresh_from_db()
        event = AuditEvent.objects.filter(action="evaluation.reopen").get()
    assert evaluation.status == Status.SUBMITTED
    assert evaluation.final_rating == ""
    assert event.changes["reason"] == "Nhập nhầm tiêu chí 3"
    assert event.actor == ev.w.officer_a


def test_return_sends_it_back_to_the_teacher(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_return(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            reason="Bổ sung minh chứng tiêu chí 5",
        )
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
        )
        services.evaluation_submit(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=evaluation.version
        )
    assert evaluation.status == Status.SUBMITTED
    assert evaluation.self_rating == "Tot"


def test_principal_of_another_province_cannot_review(ev):
    evaluation = ev.submitted()
    with system_scope(), pytest.raises(PermissionDenied):
        services.evaluation_finalise(
            actor=ev.w.principal_b1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
        )


def test_principal_is_reviewed_by_the_department_not_by_themself(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    with system_scope():
        with pytest.raises(PermissionDenied):
            services.evaluation_finalise(
                actor=ev.w.principal_a1,
                evaluation=evaluation,
                version=evaluation.version,
                levels=ev.levels("Tot", n=18),
            )
        services.evaluation_finalise(
            actor=ev.w.officer_a,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot", n=18),
        )
    assert evaluation.final_rating == "Tot"


def test_poll_is_anonymous_once_per_person_and_hidden_below_three_answers(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    voters = [ev.w.teacher_a1, ev.colleague, ev.leader]
    with system_scope():
        services.poll_answer(
            actor=voters[0], evaluation=evaluation, levels=ev.levels("Kha", n=18), overall="Kha"
        )
        assert services.poll_results(evaluation).shown is False
        with pytest.raises(ValidationError):
            services.poll_answer(actor=voters[0], evaluation=evaluation, levels={}, overall="Tot")
        with pytest.raises(PermissionDenied):  # the principal about themself
            services.poll_answer(
                actor=ev.w.principal_a1, evaluation=evaluation, levels={}, overall="Tot"
            )
        for voter in voters[1:]:
            services.poll_answer(
                actor=voter, evaluation=evaluation, levels={"1": "Tot"}, overall="Tot"
            )
        results = services.poll_results(evaluation)
        ballot_fields = {f.name for f in PollBallot._meta.get_fields()}
    assert results.shown and results.answers == 3
    assert results.overall == {"Kha": 1, "Tot": 2}
    assert results.criteria[1] == {"Kha": 1, "Tot": 2}
    assert ballot_fields == {"id", "evaluation", "levels", "overall"}


def test_outsider_cannot_answer_the_poll(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    outsider = make_user(
        "outsider", role="teacher", unit=ev.w.school_b1, person=PersonFactory(unit=ev.w.school_b1)
    )
    with system_scope(), pytest.raises(PermissionDenied):
        services.poll_answer(actor=outsider, evaluation=evaluation, levels={}, overall="Tot")


def test_overlapping_cycle_is_refused(ev):
    import datetime as dt

    with system_scope(), pytest.raises(ValidationError):
        services.cycle_open(
            actor=ev.w.officer_a,
            unit=ev.w.school_a1,
            school_year=ev.w.year,
            name="x",
            self_due=dt.date(2026, 5, 1),
            opinions_due=dt.date(2026, 5, 2),
            review_due=dt.date(2026, 5, 3),
        )


def test_every_change_is_audited_with_before_and_after(ev):
    evaluation = ev.start()
    with system_scope():
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=1, levels={"1": "Dat"}
        )
        services.evaluation_save_draft(
            actor=ev.w.teacher_a1, evaluation=evaluation, version=2, levels={"1": "Kha"}
        )
        events = list(
            AuditEvent.objects.filter(action="evaluation.draft", object_id=str(evaluation.pk))
            .order_by("id")
            .values_list("changes", flat=True)
        )
    assert events[-1] == {
        "before": {"self_levels": {"1": "Dat"}},
        "after": {"self_levels": {"1": "Kha"}},
    }
