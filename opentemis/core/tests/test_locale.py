"""Vietnamese whatever the browser's language; English only when the person chooses it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.test_vietnamese_crawl import english_in

ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}


def test_pages_ignore_the_browsers_language(world: Any) -> None:
    client = world.client_for(world.teacher_a1)
    response = client.get(reverse("home"), headers=ENGLISH_BROWSER)
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"
    assert "Accept-Language" not in response.get("Vary", "")


def test_english_is_a_choice_remembered_in_a_cookie(world: Any) -> None:
    client = world.client_for(world.teacher_a1)
    home = reverse("home")
    switched = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert switched.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(home).content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": home})
    assert '<html lang="vi">' in client.get(home, headers=ENGLISH_BROWSER).content.decode()


def test_an_unknown_language_in_the_cookie_falls_back_to_vietnamese(world: Any) -> None:
    client = world.client_for(world.teacher_a1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="vi">' in client.get(reverse("home")).content.decode()


def test_the_switcher_offers_english_in_english(world: Any) -> None:
    html = world.client_for(world.teacher_a1).get(reverse("home")).content.decode()
    assert '<button name="language" value="en" class="link" lang="en">English</button>' in html


def test_the_api_is_vietnamese_unless_a_program_asks_otherwise(db: Any) -> None:
    url = "/api/v1/units/"
    plain = Client().get(url)
    assert plain.status_code in {401, 403}
    assert plain["Content-Language"] == "vi"
    assert english_in(plain.json()["detail"]) == []
    asked = Client().get(url, headers={"accept-language": "en"})
    assert asked["Content-Language"] == "en"
    assert "Accept-Language" in asked["Vary"]


def test_password_rules_and_refusals_are_vietnamese(world: Any) -> None:
    with translation.override("vi"):
        texts = list(password_validators_help_texts())
        for password in ("123", "12345678", "password", "teacher_a1x"):
            try:
                validate_password(password, world.teacher_a1)
            except ValidationError as exc:
                texts += exc.messages
    assert len(texts) >= len(get_default_password_validators()) + 3
    assert [t for t in texts if english_in(t)] == []


@pytest.mark.parametrize("password", ["abc", "abcdefg"])
def test_a_short_password_is_refused_in_vietnamese(world: Any, password: str) -> None:
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in refused.value.messages


def test_the_choice_follows_the_person_to_another_device(world: Any) -> None:
    laptop = world.client_for(world.teacher_a1)
    laptop.post(reverse("set_language"), {"language": "en", "next": "/"})
    world.teacher_a1.refresh_from_db()
    assert world.teacher_a1.language == "en"

    phone = Client(headers=ENGLISH_BROWSER)
    signed_in = phone.post(
        reverse("login"), {"username": "teacher_a1", "password": "Mat-khau-2025!"}
    )
    assert signed_in.status_code == 302
    assert phone.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in phone.get(reverse("home")).content.decode()


def test_without_a_choice_signing_in_leaves_the_interface_vietnamese(world: Any) -> None:
    phone = Client(headers=ENGLISH_BROWSER)
    phone.post(reverse("login"), {"username": "teacher_a1", "password": "Mat-khau-2025!"})
    assert settings.LANGUAGE_COOKIE_NAME not in phone.cookies
    assert '<html lang="vi">' in phone.get(reverse("home")).content.decode()


def test_choosing_a_language_needs_a_post(world: Any) -> None:
    response = world.client_for(world.teacher_a1).get(reverse("set_language"))
    assert response.status_code == 405
