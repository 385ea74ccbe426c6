"""Argon2id with OWASP's parameters, and the upgrade of older hashes at sign-in (issue 15).

These tests use the production hasher list as ``opentemis/settings.py`` writes it (the
project's conftest swaps in cheap stand-ins for every other test), so the stored hash is the
real Argon2id one.
"""

from __future__ import annotations

from typing import Any

import argon2
import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from opentemis import settings as project_settings
from opentemis.accounts.hashers import Argon2idPasswordHasher
from opentemis.accounts.models import User
from tests.hashers import FastPBKDF2PasswordHasher

PASSWORD = "Mat-khau-2025!"  # tests/factories.make_user's default
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def production_hashers(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def _with_pbkdf2_hash(user: User) -> str:
    """Give ``user`` a PBKDF2-SHA256 hash as stored before Argon2id (with few iterations, to be
    quick: the hash carries its own count, and any PBKDF2 hash is upgraded the same way)."""
    encoded = FastPBKDF2PasswordHasher().encode(PASSWORD, FastPBKDF2PasswordHasher().salt())
    User.objects.filter(pk=user.pk).update(password=encoded)
    return encoded


def _parameters(user: User) -> argon2.Parameters:
    user.refresh_from_db()
    algorithm, rest = user.password.split("$", 1)
    assert algorithm == "argon2"
    return argon2.extract_parameters("$" + rest)


def _page_sign_in(username: str, password: str = PASSWORD) -> Any:
    return Client(REMOTE_ADDR="10.0.0.8").post(
        reverse("login"), {"username": username, "password": password}
    )


def _api_sign_in(username: str, password: str = PASSWORD) -> Any:
    return APIClient(REMOTE_ADDR="10.0.0.9").post(
        TOKEN, {"username": username, "password": password}, format="json"
    )


def test_the_production_hasher_is_argon2id_with_owasp_parameters(production_hashers):
    hasher = get_hasher("default")
    assert isinstance(hasher, Argon2idPasswordHasher)
    params = hasher.params()
    # OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1 (or stronger).
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19_456
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert make_password(PASSWORD).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_hash_becomes_argon2id_at_page_sign_in(world, production_hashers):
    old = _with_pbkdf2_hash(world.teacher_a1)
    assert identify_hasher(old).algorithm == "pbkdf2_sha256"

    response = _page_sign_in("teacher_a1")

    assert response.status_code == 302, response.content
    params = _parameters(world.teacher_a1)
    assert params.type is argon2.Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19_456, 2, 1)
    # The new hash checks the same password, and the session made at sign-in still stands
    # (its hash of the credentials was taken after the upgrade).
    world.teacher_a1.refresh_from_db()
    assert world.teacher_a1.check_password(PASSWORD)
    client = Client(REMOTE_ADDR="10.0.0.8")
    client.post(reverse("login"), {"username": "teacher_a1", "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200


def test_a_pbkdf2_hash_becomes_argon2id_at_api_sign_in(world, production_hashers):
    _with_pbkdf2_hash(world.officer_a)

    response = _api_sign_in("OFFICER_A")

    assert response.status_code == 200, response.content
    params = _parameters(world.officer_a)
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (
        argon2.Type.ID,
        19_456,
        2,
        1,
    )


def test_a_staff_code_sign_in_upgrades_the_account_it_names(world, production_hashers):
    _with_pbkdf2_hash(world.principal_a1)
    assert _page_sign_in("hta1").status_code == 302
    assert _parameters(world.principal_a1).type is argon2.Type.ID


@pytest.mark.parametrize("sign_in", [_page_sign_in, _api_sign_in])
def test_a_wrong_password_does_not_upgrade(world, production_hashers, sign_in):
    old = _with_pbkdf2_hash(world.teacher_a1)

    response = sign_in("teacher_a1", "Sai-mat-khau-1")

    assert response.status_code in (200, 400)  # the page again / the API's refusal
    world.teacher_a1.refresh_from_db()
    assert world.teacher_a1.password == old


def test_argon2_hash_with_weaker_parameters_is_raised_at_sign_in(world, production_hashers):
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    User.objects.filter(pk=world.teacher_a1.pk).update(password="argon2" + weak)

    assert _page_sign_in("teacher_a1").status_code == 302

    params = _parameters(world.teacher_a1)
    assert (params.memory_cost, params.time_cost) == (19_456, 2)


def test_an_initial_password_is_upgraded_and_must_still_be_changed(world, production_hashers):
    User.objects.filter(pk=world.teacher_a1.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_initial"), must_change_password=True
    )
    client = Client(REMOTE_ADDR="10.0.0.8")

    response = client.post(reverse("login"), {"username": "teacher_a1", "password": PASSWORD})

    assert response.status_code == 302
    assert _parameters(world.teacher_a1).type is argon2.Type.ID
    world.teacher_a1.refresh_from_db()
    assert world.teacher_a1.must_change_password
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("password_change")
    # And the API still refuses a token until it is changed.
    assert _api_sign_in("teacher_a1").status_code == 403


def test_an_unknown_name_costs_an_argon2id_hash(db, production_hashers, monkeypatch):
    """The backend hashes for an unknown name too, so timing does not tell which names exist;
    that hash must be the (expensive) preferred one, not a cheap one."""
    used: list[str] = []
    original = Argon2idPasswordHasher.encode

    def spy(self: Argon2idPasswordHasher, password: str, salt: str) -> str:
        used.append(type(self).__name__)
        return original(self, password, salt)

    monkeypatch.setattr(Argon2idPasswordHasher, "encode", spy)
    assert _page_sign_in("nobody-here").status_code == 200
    assert used == ["Argon2idPasswordHasher"]
