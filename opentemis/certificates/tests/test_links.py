"""How people reach the certificates and the grading queues: the menu entries, the progress
page's "issue certificates" button for the issuer's officers, and the page that configures a
unit as an issuer (reached from the issued list)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from opentemis.accounts.roles import Role
from opentemis.certificates import services
from opentemis.certificates.models import Issuer
from opentemis.core.scoping import system_scope
from opentemis.staff.models import CoreDesignation, Subject
from tests.factories import make_user
from tests.learning_world import make_course

pytestmark = pytest.mark.django_db


def _menu(w: Any, user: Any) -> str:
    return str(w.client_for(user).get(reverse("home")).content.decode())


def test_the_menu_shows_each_their_entries(world: Any) -> None:
    w = world
    teacher = _menu(w, w.teacher_a1)
    assert reverse("certificates_mine") in teacher
    for hidden in ("certificates_issued", "products_mine", "products_second_marks"):
        assert reverse(hidden) not in teacher, hidden
    officer = _menu(w, w.officer_a)
    assert reverse("certificates_issued") in officer
    assert reverse("products_mine") in officer  # manages courses, grades their products
    lecturer = _menu(w, make_user("lecturer_a", role=Role.LECTURER, unit=w.province_a))
    assert reverse("products_second_marks") in lecturer
    assert reverse("certificates_issued") not in lecturer


def test_a_core_teacher_finds_their_grading_queue_in_the_menu(world: Any) -> None:
    w = world
    with system_scope():
        subject = Subject.objects.order_by("pk").first()
        if subject is None:
            subject = Subject.objects.create(code="TH", name="Tiểu học")
        CoreDesignation.objects.create(
            person=w.person_a1, school_year=w.year, kind="teacher", subject=subject
        )
    menu = _menu(w, w.teacher_a1)
    assert reverse("products_mine") in menu
    assert reverse("products_second_marks") not in menu


def test_the_progress_page_offers_to_issue_to_the_issuer_s_officers(world: Any) -> None:
    w = world
    lw = make_course(world)
    url = reverse("learning_course_progress", args=[lw.course.pk])
    button = reverse("certificates_course_issue", args=[lw.course.pk])
    # No issuer above the course yet: nothing to issue with.
    page = w.client_for(w.officer_a).get(url)
    assert page.status_code == 200 and button not in page.content.decode()
    with system_scope():
        services.issuer_save(actor=None, unit=w.province_a, values={"name": "Sở GD&ĐT A"})
    assert button in w.client_for(w.officer_a).get(url).content.decode()
    # The head of a school reads the progress but issues nothing.
    head = w.client_for(w.principal_a1).get(url)
    assert head.status_code == 200 and button not in head.content.decode()
    answer = w.client_for(w.officer_a).post(button)
    assert answer.status_code == 302 and "/jobs/" in answer["Location"]


def test_an_officer_configures_their_unit_as_an_issuer_from_the_issued_list(world: Any) -> None:
    w = world
    client = w.client_for(w.officer_a)
    url = reverse("certificates_unit_issuer", args=[w.province_a.pk])
    issued = client.get(reverse("certificates_issued"))
    assert url in issued.content.decode()
    assert url in client.get(reverse("certificates_issuers")).content.decode()
    form = client.get(url)
    assert form.status_code == 200
    assert 'method="post"' in form.content.decode()
    with system_scope():
        assert not Issuer.objects.filter(unit=w.province_a).exists()
    made = client.post(url)
    with system_scope():
        issuer = Issuer.objects.get(unit=w.province_a)
    assert made.status_code == 302 and made["Location"] == reverse(
        "certificates_issuer", args=[issuer.pk]
    )
    again = client.get(url).content.decode()
    assert reverse("certificates_issuer", args=[issuer.pk]) in again
    assert 'method="post"' not in again.split('<main id="main"')[1]
    # Another province's officer, or a teacher: 404.
    officer_b = make_user("officer_b", role=Role.UNIT_OFFICER, unit=w.province_b)
    assert w.client_for(officer_b).get(url).status_code == 404
    assert w.client_for(w.teacher_a1).get(url).status_code == 404
