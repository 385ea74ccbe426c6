"""An empty sign-in form says what is missing, in Vietnamese, beside each field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_empty_sign_in_says_which_fields_are_missing(world: Any) -> None:
    response = Client().post("/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="errorlist') == 2, "each empty field says so"
    assert "Trường này là bắt buộc" in html
