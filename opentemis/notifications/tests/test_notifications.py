"""Reminders to lagging units: who may send, who is told, what is recorded; the personal inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.test import override_settings
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations.models import Cycle, Evaluation
from opentemis.notifications import selectors, services
from opentemis.notifications.models import Notice, Reminder
from opentemis.standards.models import Framework
from opentemis.standards.services import load_builtin_frameworks
from tests.factories import PersonFactory, make_unit, make_user

pytestmark = pytest.mark.django_db


class DeadMailServer(BaseEmailBackend):
    def open(self) -> bool:
        raise ConnectionRefusedError("mail server down")

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def rw(world: Any) -> Any:
    """The world with emails, a second principal (school A2), an open cycle with a deadline, and
    one finalised evaluation in school A1 (1 of its 2 people to evaluate: 50 %)."""
    world.principal_a1.email = "ht.a1@example.edu.vn"
    world.principal_a1.save()
    principal_a2_person = PersonFactory(
        unit=world.school_a2, full_name="Đỗ Thị Hai", staff_code="HTA2", positions=["HT"]
    )
    world.principal_a2 = make_user(
        "principal_a2", role="principal", unit=world.school_a2, person=principal_a2_person
    )
    world.principal_a2.email = "ht.a2@example.edu.vn"
    world.principal_a2.save()
    world.officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    load_builtin_frameworks()
    with system_scope():
        world.cycle = Cycle.objects.create(
            school_year=world.year,
            unit=world.province_a,
            unit_path=world.province_a.path,
            name="Đánh giá chuẩn 2025-2026",
            self_due=dt.date(2026, 5, 15),
            opinions_due=dt.date(2026, 5, 25),
            review_due=dt.date(2026, 6, 5),
        )
        Evaluation.objects.create(
            cycle=world.cycle,
            person=world.person_a1,
            framework=Framework.objects.first(),
            kind="teacher",
            unit=world.school_a1,
            unit_path=world.school_a1.path,
            status="finalised",
        )
    return world


def remind(actor: Any, units: list[Any], **kwargs: Any) -> Reminder:
    with actor_scope(actor):
        return services.remind_units(actor=actor, units=units, **kwargs)


def test_reminding_two_schools_tells_their_principals_and_records_it(
    rw, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = remind(
            rw.officer_a,
            [rw.school_a1, rw.school_a2],
            url_for_unit=lambda u: f"/reports/units/{u.pk}/",
        )
    notices = {n.recipient_id: n for n in Notice.objects.filter(reminder=reminder)}
    assert set(notices) == {rw.principal_a1.pk, rw.principal_a2.pk}
    a1 = notices[rw.principal_a1.pk]
    assert a1.unit == rw.school_a1 and a1.url == f"/reports/units/{rw.school_a1.pk}/"
    # The default text, in Vietnamese: the unit, its rate, the cycle's deadline.
    assert "Kính gửi Trường Tiểu học Hòa An" in a1.body
    assert "50,0%" in a1.body and "05/06/2026" in a1.body
    assert "Nhắc" in a1.title and "2025-2026" in a1.title

    assert sorted(m.to[0] for m in mailoutbox) == ["ht.a1@example.edu.vn", "ht.a2@example.edu.vn"]
    mail = next(m for m in mailoutbox if m.to == ["ht.a1@example.edu.vn"])
    assert mail.subject == a1.title
    assert "Kính gửi" in mail.body and f"/reports/units/{rw.school_a1.pk}/" in mail.body

    with system_scope():
        stored = Reminder.objects.get(pk=reminder.pk)
        targets = {t.unit_id: t for t in stored.targets.all()}
        event = AuditEvent.objects.get(action="reports.remind")
    assert stored.sent_by == rw.officer_a and stored.from_unit == rw.province_a
    assert stored.school_year == rw.year
    assert (stored.notice_count, stored.email_count, stored.email_sent, stored.email_failed) == (
        2,
        2,
        2,
        0,
    )
    assert targets[rw.school_a1.pk].rate == 50.0
    assert targets[rw.school_a2.pk].rate == 0.0
    assert targets[rw.school_a1.pk].deadline == dt.date(2026, 6, 5)
    assert event.actor == rw.officer_a and event.unit == rw.province_a
    assert event.changes["units"] == ["SA-TH1", "SA-THCS1"]
    assert event.changes["notices"] == 2


def test_a_unit_without_manager_is_recorded_as_such(rw, mailoutbox):
    school = make_unit("Trường Mầm non Sen", parent=rw.commune_a, code="SA-MN1")
    reminder = remind(rw.officer_a, [school], message="Đề nghị hoàn thành trước 30/5.")
    with system_scope():
        target = reminder.targets.get()
        event = AuditEvent.objects.get(action="reports.remind")
    assert target.recipient_count == 0 and not target.has_recipient
    assert target.rate is None  # nobody to evaluate
    assert reminder.notice_count == 0 and mailoutbox == []
    assert event.changes["no_recipient"] == ["SA-MN1"]
    assert reminder.message == "Đề nghị hoàn thành trước 30/5."
    assert reminder.from_unit == rw.province_a


def test_a_commune_is_reminded_through_its_officer_and_rates_can_be_given(rw):
    commune_officer = make_user("officer_xa", role="unit_officer", unit=rw.commune_a)
    reminder = remind(
        rw.officer_a, [rw.commune_a], rates={rw.commune_a.pk: 12.5}, message="Xin nhắc."
    )
    notice = Notice.objects.get(reminder=reminder, recipient=commune_officer)
    assert notice.body.startswith("Xin nhắc.") and "12,5%" in notice.body
    with system_scope():
        assert reminder.targets.get().rate == 12.5


def test_a_commune_reminder_reaches_the_principals_of_its_lagging_schools(rw):
    # School A1 is at 50 %, school A2 at 0 %: both below group A (80 %). The commune itself
    # has no account: before issue 9 this reached nobody ("0 notices to 1 unit").
    reminder = remind(rw.officer_a, [rw.commune_a])
    notices = {n.recipient_id: n for n in Notice.objects.filter(reminder=reminder)}
    assert set(notices) == {rw.principal_a1.pk, rw.principal_a2.pk}
    a1 = notices[rw.principal_a1.pk]
    assert a1.unit == rw.school_a1 and "Kính gửi Trường Tiểu học Hòa An" in a1.body
    assert "50,0%" in a1.body and "05/06/2026" in a1.body
    assert notices[rw.principal_a2.pk].unit == rw.school_a2
    with system_scope():
        target = reminder.targets.get()
    assert target.unit == rw.commune_a and target.recipient_count == 2
    with actor_scope(rw.officer_a):
        outcome = selectors.reminder_outcome(actor=rw.officer_a, pk=reminder.pk)
    assert outcome is not None and outcome.people == 2 and outcome.nobody == []
    assert ("Trần Thị Hiệu", "Trường Tiểu học Hòa An") in outcome.reached
    assert ("Đỗ Thị Hai", "Trường THCS Hòa An") in outcome.reached
    # Someone else's reminder outcome is not shown.
    with actor_scope(rw.officer_b):
        assert selectors.reminder_outcome(actor=rw.officer_b, pk=reminder.pk) is None


def test_schools_on_track_are_not_reminded_through_their_commune(rw):
    with system_scope():
        Evaluation.objects.create(
            cycle=rw.cycle,
            person=rw.person_a2,
            framework=Framework.objects.first(),
            kind="teacher",
            unit=rw.school_a2,
            unit_path=rw.school_a2.path,
            status="finalised",
        )  # school A2: 1 of 2 people (with its principal): 50 %
        Evaluation.objects.create(
            cycle=rw.cycle,
            person=rw.principal_a1.person,
            framework=Framework.objects.first(),
            kind="manager",
            unit=rw.school_a1,
            unit_path=rw.school_a1.path,
            status="finalised",
        )  # school A1: 2 of 2: 100 %, on track
    reminder = remind(rw.officer_a, [rw.commune_a])
    assert set(Notice.objects.filter(reminder=reminder).values_list("recipient", flat=True)) == {
        rw.principal_a2.pk
    }


def test_a_reminder_that_reaches_nobody_says_so(rw):
    school = make_unit("Trường Mầm non Sen", parent=rw.commune_a, code="SA-MN1")
    reminder = remind(rw.officer_a, [school])
    with actor_scope(rw.officer_a):
        outcome = selectors.reminder_outcome(actor=rw.officer_a, pk=reminder.pk)
    assert outcome.people == 0 and outcome.nobody == ["Trường Mầm non Sen"]


def test_another_provinces_officer_gets_404(rw):
    with pytest.raises(Http404):
        remind(rw.officer_b, [rw.school_a1])
    with pytest.raises(Http404):
        remind(rw.officer_b, [rw.school_b1, rw.school_a1])
    assert not Notice.objects.exists()


def test_teachers_get_404_and_principals_may_not_send(rw):
    with pytest.raises(Http404):
        remind(rw.teacher_a1, [rw.school_a1])
    # A principal sees the school's progress but sends no reminders (403).
    with pytest.raises(PermissionDenied):
        remind(rw.principal_a1, [rw.school_a1])
    assert not Notice.objects.exists()


def test_one_reminder_per_unit_per_hour_unless_forced(rw):
    first = remind(rw.officer_a, [rw.school_a1])
    with pytest.raises(services.RecentlyReminded) as refused:
        remind(rw.officer_a, [rw.school_a2, rw.school_a1])
    assert refused.value.units == [rw.school_a1]
    assert "Trường Tiểu học Hòa An" in refused.value.messages[0]
    assert Notice.objects.count() == 1

    forced = remind(rw.officer_a, [rw.school_a1], force=True)
    assert forced.notice_count == 1
    with system_scope():
        Reminder.objects.filter(pk__in=[first.pk, forced.pk]).update(
            sent_at=first.sent_at - services.MIN_INTERVAL
        )
    assert remind(rw.officer_a, [rw.school_a1]).notice_count == 1


def test_a_dead_mail_server_fails_nothing_and_is_counted(
    rw, mailoutbox, django_capture_on_commit_callbacks
):
    backend = f"{__name__}.DeadMailServer"
    with override_settings(EMAIL_BACKEND=backend), django_capture_on_commit_callbacks(execute=True):
        reminder = remind(rw.officer_a, [rw.school_a1, rw.school_a2])
    with system_scope():
        stored = Reminder.objects.get(pk=reminder.pk)
    assert (stored.email_count, stored.email_sent, stored.email_failed) == (2, 0, 2)
    assert Notice.objects.filter(reminder=reminder).count() == 2


def test_emails_wait_for_the_commit(rw, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        remind(rw.officer_a, [rw.school_a1])
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mailoutbox] == [["ht.a1@example.edu.vn"]]


def test_reminders_are_scoped_to_the_senders_unit(rw):
    reminder = remind(rw.officer_a, [rw.school_a1])
    with actor_scope(rw.officer_a):
        assert list(selectors.reminders_visible(actor=rw.officer_a)) == [reminder]
    with actor_scope(rw.officer_b):
        assert list(selectors.reminders_visible(actor=rw.officer_b)) == []
        assert not Reminder.objects.exists()


def test_the_notices_page_shows_only_your_own(rw):
    remind(rw.officer_a, [rw.school_a1, rw.school_a2])
    mine = Notice.objects.get(recipient=rw.principal_a1)
    theirs = Notice.objects.get(recipient=rw.principal_a2)
    client = rw.client_for(rw.principal_a1)
    page = client.get(reverse("notice_list"))
    assert page.status_code == 200
    assert reverse("notice_detail", args=[mine.pk]) in page.content.decode()
    assert reverse("notice_detail", args=[theirs.pk]) not in page.content.decode()
    assert client.get(reverse("notice_detail", args=[theirs.pk])).status_code == 404
    assert rw.client_for(rw.principal_b1).get(reverse("notice_list")).status_code == 200
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_a_notice_marks_it_read_and_all_can_be_marked(rw):
    remind(rw.officer_a, [rw.school_a1])
    remind(rw.officer_a, [rw.school_a1], force=True)
    first, second = Notice.objects.filter(recipient=rw.principal_a1).order_by("id")
    client = rw.client_for(rw.principal_a1)
    page = client.get(reverse("notice_detail", args=[first.pk]))
    assert page.status_code == 200 and "Kính gửi" in page.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert selectors.unread_count(actor=rw.principal_a1) == 1

    assert client.get(reverse("notice_read_all")).status_code == 405
    assert client.post(reverse("notice_read_all")).status_code == 302
    second.refresh_from_db()
    assert second.read_at is not None
    assert selectors.unread_count(actor=rw.principal_a1) == 0


def test_the_header_shows_the_unread_count(rw):
    remind(rw.officer_a, [rw.school_a1])
    remind(rw.officer_a, [rw.school_a1], force=True)
    client = rw.client_for(rw.principal_a1)
    html = client.get(reverse("notice_list")).content.decode()
    assert "Thông báo (2)" in html
    client.post(reverse("notice_read_all"))
    html = client.get(reverse("notice_list")).content.decode()
    assert "Thông báo (" not in html and "Thông báo" in html
    anonymous = client.__class__().get(reverse("login")).content.decode()
    assert "Thông báo" not in anonymous


def test_the_api_lists_your_own_notices(rw):
    remind(rw.officer_a, [rw.school_a1, rw.school_a2])
    client = rw.client_for(rw.principal_a1)
    data = client.get("/api/v1/notices/").json()
    assert [n["unit"] for n in data["results"]] == ["SA-TH1"]
    assert client.get("/api/v1/notices/?unread=1").json()["count"] == 1
    assert client.post("/api/v1/notices/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notices/?unread=1").json()["count"] == 0
    assert rw.client_for(rw.principal_b1).get("/api/v1/notices/").json()["count"] == 0


def test_links_other_than_site_paths_or_http_are_dropped(rw):
    reminder = remind(rw.officer_a, [rw.school_a1], url_for_unit=lambda u: "javascript:alert(1)")
    assert Notice.objects.get(reminder=reminder).url == ""
