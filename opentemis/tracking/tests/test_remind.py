"""Reminding the lagging units reaches exactly the principals of their lagging schools, once
per week, with a confirmation first, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.learning.models import EnrolmentStatus
from opentemis.notifications.models import Notice
from opentemis.tracking import snapshot
from opentemis.tracking.models import SchoolReminder
from opentemis.tracking.tests.helpers import learner, new_course
from tests.factories import PersonFactory, make_unit, make_user


@pytest.fixture
def lagging(world: Any) -> dict[str, Any]:
    """Commune A (lagging, 1 of 5 completed): school A1 at 0 % (lagging), school A2 at 100 %
    (not lagging). Commune X2 at 100 % (group A). Principals everywhere."""
    lw = new_course(world)
    lw.activity("page")
    for _ in range(4):
        learner(lw.course, world.school_a1, started=True)
    learner(lw.course, world.school_a2, status=EnrolmentStatus.COMPLETED)
    commune = make_unit("Xã Hai", parent=world.province_a, kind="commune", code="SA-X2")
    good = make_unit("Trường Hai", parent=commune, kind="school", code="SA-X2-T")
    for _ in range(3):
        learner(lw.course, good, status=EnrolmentStatus.COMPLETED)
    people = {
        "a2": make_user(
            "principal_a2",
            role="principal",
            unit=world.school_a2,
            person=PersonFactory(unit=world.school_a2),
        ),
        "good": make_user(
            "principal_x2", role="principal", unit=good, person=PersonFactory(unit=good)
        ),
        "admin_a1": make_user("admin_a1", role="school_admin", unit=world.school_a1),
    }
    snapshot.take(timezone.localdate())
    return {"course": lw.course, **people}


@pytest.mark.django_db
def test_the_confirmation_names_who_will_be_reached(world: Any, lagging: Any) -> None:
    client = world.client_for(world.officer_a)
    answer = client.get(reverse("tracking_remind", args=[world.province_a.pk]))
    assert answer.status_code == 200
    plan = answer.context["plan"]
    assert [p.school.code for p in plan] == ["SA-TH1"]
    assert {u.username for u in plan[0].recipients} == {"principal_a1", "admin_a1"}
    assert not Notice.objects.exists()  # nothing sent before the confirmation


@pytest.mark.django_db
def test_remind_reaches_exactly_the_principals_of_lagging_schools_once(
    world: Any, lagging: Any
) -> None:
    client = world.client_for(world.officer_a)
    url = reverse("tracking_remind", args=[world.province_a.pk])
    for _click in range(2):
        answer = client.post(url, {"course": lagging["course"].pk})
        assert answer.status_code == 302
    told = sorted(Notice.objects.values_list("recipient__username", flat=True))
    assert told == ["admin_a1", "principal_a1"]
    with system_scope():
        assert SchoolReminder.objects.count() == 1
        events = list(AuditEvent.objects.filter(action="tracking.remind").order_by("pk"))
    assert [e.changes["schools"] for e in events] == [["SA-TH1"], []]
    assert events[1].changes["already_reminded"] == ["SA-TH1"]
    # The same week for all courses of the year is another reminder (another scope).
    client.post(url)
    assert Notice.objects.count() == 4


@pytest.mark.django_db
def test_a_principal_may_not_remind(world: Any, lagging: Any) -> None:
    client = world.client_for(world.principal_a1)
    url = reverse("tracking_remind", args=[world.school_a1.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Notice.objects.exists()
