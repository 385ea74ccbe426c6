"""Notices of evaluation events (issue 9 item 3): who is told, who is not, never twice, the
email copy at once or in a daily digest, deadline notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle
from opentemis.notifications import emails, events
from opentemis.notifications.models import EmailState, Notice, NoticeKind, NoticePreference

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the step and what it defers to after the commit (signals, then emails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_teacher_submitting_tells_the_principal_and_the_group_not_themself(ev, after_commit):
    with after_commit():
        ev.submitted()
    assert told(NoticeKind.SUBMITTED) == {"principal_a1"}
    assert told(NoticeKind.OPINION) == {"colleague_a1", "leader_a1"}
    assert not Notice.objects.filter(recipient=ev.w.teacher_a1).exists()
    assert not Notice.objects.filter(recipient__in=[ev.w.officer_a, ev.w.principal_b1]).exists()
    notice = Notice.objects.get(kind=NoticeKind.SUBMITTED)
    assert "Nguyễn Văn An" in notice.title and notice.unit == ev.w.school_a1
    assert notice.url == reverse("evaluation_review", args=[notice.key.split(":")[1]])


def test_nothing_is_told_before_the_commit_nor_for_an_autosave(
    ev, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evaluation = ev.start()
        with system_scope():
            services.evaluation_save_draft(
                actor=ev.w.teacher_a1,
                evaluation=evaluation,
                version=evaluation.version,
                levels={"1": "Kha"},
            )
    assert callbacks == [] and not Notice.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ev.submitted()
    assert not Notice.objects.exists()  # rolled back = never told
    assert len(callbacks) == 1


def test_the_same_event_twice_gives_one_notice_each(ev, after_commit):
    with after_commit():
        evaluation = ev.submitted()
    before = Notice.objects.count()
    with after_commit():
        events.on_evaluation_changed(
            None, evaluation=evaluation, action="evaluation.submit", actor=ev.w.teacher_a1
        )
    assert Notice.objects.count() == before == 3


def test_return_finalise_and_reopen_tell_the_teacher_and_never_the_actor(ev, after_commit):
    with after_commit():
        evaluation = ev.submitted()
    Notice.objects.all().delete()
    with after_commit(), system_scope():
        services.evaluation_return(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            reason="Bổ sung minh chứng tiêu chí 3",
        )
    returned = Notice.objects.get(kind=NoticeKind.RETURNED)
    assert returned.recipient == ev.w.teacher_a1
    assert "Bổ sung minh chứng tiêu chí 3" in returned.body
    assert told(NoticeKind.RETURNED) == {"teacher_a1"}

    with after_commit():
        evaluation = ev.submitted()
    with after_commit(), system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Kha"),
        )
    assert told(NoticeKind.FINALISED) == {"teacher_a1"}
    with after_commit(), system_scope():
        services.evaluation_reopen(
            actor=ev.w.officer_a, evaluation=evaluation, reason="Sai mức tiêu chí 5"
        )
    # The teacher, and the principal who must review again; not the officer who reopened.
    assert told(NoticeKind.REOPENED) == {"teacher_a1", "principal_a1"}
    assert all("Sai mức tiêu chí 5" in n.body for n in Notice.objects.filter(kind="reopened"))
    # Two submissions, two events: the principal was told twice, each once.
    assert Notice.objects.filter(kind="submitted", recipient=ev.w.principal_a1).count() == 1


def test_a_principal_submitting_tells_the_department_and_opens_the_schools_poll(ev, after_commit):
    from tests.factories import make_user

    officer_b = make_user("officer_b", role="unit_officer", unit=ev.w.province_b)
    with after_commit():
        ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    assert told(NoticeKind.SUBMITTED) == {"officer_a"}
    assert told(NoticeKind.POLL) == {"teacher_a1", "colleague_a1", "leader_a1"}
    assert not Notice.objects.filter(recipient__in=[officer_b, ev.w.principal_a1]).exists()


def test_email_goes_only_to_an_address_and_digests_batch_one_per_day(ev, after_commit, mailoutbox):
    ev.w.principal_a1.email = "ht.a1@example.edu.vn"
    ev.w.principal_a1.save()
    ev.colleague.email = "dong@example.edu.vn"
    ev.colleague.save()
    NoticePreference.objects.create(user=ev.colleague, email="digest")
    with after_commit():
        ev.submitted()
    # At once: the principal only (the colleague chose the digest; the leader has no address).
    assert [m.to for m in mailoutbox] == [["ht.a1@example.edu.vn"]]
    assert "Nguyễn Văn An" in mailoutbox[0].subject
    states = dict(Notice.objects.values_list("recipient__username", "email_state"))
    assert states == {
        "principal_a1": EmailState.SENT,
        "colleague_a1": EmailState.DIGEST,
        "leader_a1": EmailState.NONE,
    }
    with after_commit():
        ev.submitted(ev.leader)  # a second colleague's self-evaluation: a second notice
    mailoutbox.clear()
    day = dt.date(2026, 5, 10)
    with system_scope():
        assert emails.send_digests(today=day) == (1, 2)
        assert emails.send_digests(today=day) == (0, 0)  # once a day, and nothing twice
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == ["dong@example.edu.vn"]
    assert "Nguyễn Văn An" in digest.body and "Võ Văn Tổ" in digest.body
    assert "10/05/2026" in digest.subject
    assert not Notice.objects.filter(email_state=EmailState.DIGEST).exists()


def test_a_second_digest_the_same_day_waits_for_the_next_day(ev, after_commit, mailoutbox):
    ev.colleague.email = "dong@example.edu.vn"
    ev.colleague.save()
    NoticePreference.objects.create(user=ev.colleague, email="digest")
    day = dt.date(2026, 5, 10)
    with after_commit():
        ev.submitted()
    with system_scope():
        assert emails.send_digests(today=day) == (1, 1)
    with after_commit():
        ev.submitted(ev.leader)
    with system_scope():
        assert emails.send_digests(today=day) == (0, 0)
        assert emails.send_digests(today=day + dt.timedelta(days=1)) == (1, 1)
    assert len(mailoutbox) == 2


def test_no_email_when_the_person_turned_them_off(ev, after_commit, mailoutbox):
    ev.w.principal_a1.email = "ht.a1@example.edu.vn"
    ev.w.principal_a1.save()
    NoticePreference.objects.create(user=ev.w.principal_a1, email="off")
    with after_commit():
        ev.submitted()
    assert mailoutbox == []
    assert Notice.objects.filter(recipient=ev.w.principal_a1).exists()


def test_the_preferences_page_saves_the_persons_own_choice(ev):
    client = ev.w.client_for(ev.colleague)
    page = client.get(reverse("notice_preferences"))
    assert page.status_code == 200
    assert 'value="immediate" checked' in page.content.decode()
    assert client.post(reverse("notice_preferences"), {"email": "digest"}).status_code == 302
    assert NoticePreference.objects.get(user=ev.colleague).email == "digest"
    assert client.post(reverse("notice_preferences"), {"email": "x"}).status_code == 400
    assert NoticePreference.objects.get(user=ev.colleague).email == "digest"
    assert 'value="digest" checked' in client.get(reverse("notice_preferences")).content.decode()


# --- deadlines --------------------------------------------------------------------------------


def run_deadlines(day: dt.date) -> int:
    with system_scope():
        return events.remind_deadlines(today=day)


def test_a_self_evaluation_deadline_reaches_those_who_have_not_submitted_once(
    ev, after_commit, settings, django_assert_max_num_queries
):
    settings.NOTICE_DEADLINE_DAYS = (7,)
    with after_commit():
        ev.submitted()  # teacher_a1 is done
    Notice.objects.all().delete()
    week_before = dt.date(2026, 5, 8)  # self_due 15/05/2026
    with django_assert_max_num_queries(8):
        run_deadlines(week_before)
    assert told(NoticeKind.DEADLINE) == {"colleague_a1", "leader_a1", "principal_a1"}
    notice = Notice.objects.filter(kind=NoticeKind.DEADLINE).first()
    assert "15/05/2026" in notice.title and "7" in notice.title
    run_deadlines(week_before)  # the daily command run twice: nothing twice
    assert Notice.objects.filter(kind=NoticeKind.DEADLINE).count() == 3
    run_deadlines(dt.date(2026, 5, 9))  # 6 days: not a reminder day
    assert Notice.objects.filter(kind=NoticeKind.DEADLINE).count() == 3


def test_the_opinions_and_review_deadlines_reach_who_still_owes_them(ev, after_commit, settings):
    settings.NOTICE_DEADLINE_DAYS = (7,)
    with after_commit():
        evaluation = ev.submitted()
    with system_scope():
        services.opinion_give(actor=ev.colleague, evaluation=evaluation, level="Kha")
    Notice.objects.all().delete()
    run_deadlines(dt.date(2026, 5, 18))  # opinions due 25/05/2026
    assert told(NoticeKind.DEADLINE) == {"leader_a1"}  # the colleague has given theirs
    Notice.objects.all().delete()
    run_deadlines(dt.date(2026, 5, 29))  # review due 05/06/2026
    assert told(NoticeKind.DEADLINE) == {"principal_a1"}


def test_deadline_notices_cost_the_same_queries_for_more_people(
    ev, settings, django_assert_max_num_queries
):
    from tests.factories import PersonFactory, make_user

    settings.NOTICE_DEADLINE_DAYS = (7,)
    with django_assert_max_num_queries(8) as few:
        run_deadlines(dt.date(2026, 5, 8))
    with system_scope():
        for i in range(12):
            person = PersonFactory(unit=ev.w.school_a2, staff_code=f"GVX{i}")
            make_user(f"gv_x{i}", role="teacher", unit=ev.w.school_a2, person=person)
    Notice.objects.all().delete()
    with django_assert_max_num_queries(len(few.captured_queries)):
        run_deadlines(dt.date(2026, 5, 8))
    assert Notice.objects.filter(kind=NoticeKind.DEADLINE).count() == 4 + 12


def test_the_daily_command_runs_deadlines_emails_and_digests(ev, settings, mailoutbox):
    from django.core.management import call_command

    settings.NOTICE_DEADLINE_DAYS = (7,)
    ev.w.teacher_a1.email = "an@example.edu.vn"
    ev.w.teacher_a1.save()
    call_command("send_notices", "--date", "2026-05-08")
    assert Notice.objects.filter(recipient=ev.w.teacher_a1, kind="deadline").exists()
    assert [m.to for m in mailoutbox] == [["an@example.edu.vn"]]
    with actor_scope(ev.w.teacher_a1):
        assert Cycle.objects.filter(pk=ev.cycle.pk).exists()


def test_the_review_deadline_counts_a_deputy_waiting_for_the_head(ev, settings):
    from tests.factories import PersonFactory, make_user

    settings.NOTICE_DEADLINE_DAYS = (7,)
    with system_scope():
        deputy_person = PersonFactory(unit=ev.w.school_a1, staff_code="PHTA1", positions=["PHT"])
    deputy = make_user("deputy_a1", role="teacher", unit=ev.w.school_a1, person=deputy_person)
    ev.submitted(ev.w.principal_a1, levels=ev.levels("Kha", n=18))  # the head: by the Sở
    run_deadlines(dt.date(2026, 5, 29))  # review due 05/06/2026
    assert told(NoticeKind.DEADLINE) == {"officer_a"}  # not the head for their own record
    Notice.objects.all().delete()
    ev.submitted(deputy, levels=ev.levels("Kha", n=18))  # the deputy: reviewed by the head
    run_deadlines(dt.date(2026, 5, 29))
    assert told(NoticeKind.DEADLINE) == {"principal_a1", "officer_a"}
