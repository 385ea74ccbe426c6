"""First-login password change: a right initial password is not lost after an error (issue 9)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from opentemis.accounts.models import User

pytestmark = pytest.mark.django_db

INITIAL = "Mat-khau-2025!"  # make_user's password


def _old_value(response) -> str | None:
    tag = re.search(r"<input[^>]*name=\"old_password\"[^>]*>", response.content.decode())
    assert tag, "no old_password field"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


@pytest.fixture
def first_login(world):
    User.objects.filter(pk=world.teacher_a1.pk).update(must_change_password=True)
    return world.client_for(world.teacher_a1)


def test_a_right_initial_password_is_kept_when_the_new_one_is_refused(first_login):
    response = first_login.post(
        reverse("password_change"),
        {"old_password": INITIAL, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("new_password2")
    assert _old_value(response) == INITIAL
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_wrong_initial_password_is_cleared(first_login):
    response = first_login.post(
        reverse("password_change"),
        {"old_password": "sai-roi", "new_password1": "123", "new_password2": "123"},
    )
    assert response.context["form"].errors.get("old_password")
    assert _old_value(response) is None


def test_an_ordinary_password_change_never_renders_the_password(world):
    client = world.client_for(world.teacher_a1)  # not a first login
    response = client.post(
        reverse("password_change"),
        {"old_password": INITIAL, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert _old_value(response) is None
