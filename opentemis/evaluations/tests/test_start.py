"""Opening one's evaluation never starts it: only the button (a POST) does (issue 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation

pytestmark = pytest.mark.django_db

API_ME = "/api/v1/evaluations/me/"


def _count(ev) -> int:
    with system_scope():
        return Evaluation.objects.filter(person=ev.w.person_a1).count()


def test_opening_my_evaluation_shows_a_start_button_and_creates_nothing(ev):
    client = ev.w.client_for(ev.w.teacher_a1)
    response = client.get(reverse("evaluation_me"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<form method="post" action="{reverse("evaluation_me")}">' in body
    assert "Bắt đầu tự đánh giá" in body
    assert ev.cycle.name in body
    assert _count(ev) == 0


def test_the_start_button_starts_and_opening_again_continues(ev):
    client = ev.w.client_for(ev.w.teacher_a1)
    started = client.post(reverse("evaluation_me"))
    with system_scope():
        evaluation = Evaluation.objects.get(person=ev.w.person_a1)
    assert started.url == reverse("evaluation_self", args=[evaluation.pk])
    again = client.get(reverse("evaluation_me"))
    assert again.status_code == 302
    assert again.url == reverse("evaluation_self", args=[evaluation.pk])
    assert _count(ev) == 1


def test_the_api_reads_with_get_and_starts_only_with_post(ev):
    client = ev.w.client_for(ev.w.teacher_a1)
    assert client.get(API_ME).status_code == 404
    assert _count(ev) == 0
    assert client.post(API_ME).status_code == 201
    assert client.get(API_ME).status_code == 200
    assert _count(ev) == 1
