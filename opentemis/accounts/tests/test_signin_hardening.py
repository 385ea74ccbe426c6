"""Sign-in that cannot be gamed (issue 10, docs/decisions/0011-sign-in.md): one account name
whatever its case, a failure budget per address that spares the NAT neighbours, the real client
address behind trusted proxies only, API tokens that expire and die with the password, audited
self-service resets."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent, User
from opentemis.accounts.services import account_reset_password
from opentemis.core.client_ip import client_ip
from opentemis.core.scoping import actor_scope, system_scope
from tests.factories import make_user

PASSWORD = "Mat-khau-2025!"
TOKEN = "/api/v1/auth/token/"


def page_sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def api_sign_in(username: str, password: str = PASSWORD, address: str = "10.0.0.7", **extra: Any):
    return APIClient(REMOTE_ADDR=address, **extra).post(
        TOKEN, {"username": username, "password": password}, format="json"
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def actions(user: User) -> list[str]:
    with system_scope():
        return list(
            AuditEvent.objects.filter(object_id=str(user.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )


# --- usernames are case-insensitive everywhere ---------------------------------------------


def test_upper_case_gets_no_fresh_tries_after_lower_case_is_locked(world, settings):
    make_user("sec_bf_a", role="teacher", unit=world.school_a1)
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_sign_in(attacker, "sec_bf_a", "wrong")
    for variant in ("SEC_BF_A", "Sec_Bf_A", " sec_bf_a "):
        refused = page_sign_in(attacker, variant)  # the right password, too late
        assert refused.status_code == 429, variant
        assert "_auth_user_id" not in attacker.session
    # The API token endpoint shares the lockout, under any case.
    assert api_sign_in("SEC_BF_A", address="10.9.9.9").status_code == 429


def test_mixed_case_failures_add_up_to_one_lockout(world, settings):
    attacker = Client(REMOTE_ADDR="10.9.9.8")
    names = ["officer_a", "OFFICER_A", "Officer_A", "oFFICER_a", "OFFICER_a", "Officer_a"]
    for name in names[: settings.AXES_FAILURE_LIMIT - 1]:
        assert page_sign_in(attacker, name, "wrong").status_code == 200
    # The last allowed failure, under yet another case, locks the one account.
    last = names[settings.AXES_FAILURE_LIMIT - 1]
    assert page_sign_in(attacker, last, "wrong").status_code == 429
    assert page_sign_in(attacker, "officer_a").status_code == 429


def test_staff_code_and_username_share_one_lockout(world, settings):
    attacker = Client(REMOTE_ADDR="10.9.9.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_sign_in(attacker, "principal_a1", "wrong")
    # principal_a1's staff code is HTA1: not a second set of tries.
    assert page_sign_in(attacker, "hta1").status_code == 429
    assert api_sign_in("HTA1", address="10.9.9.7").status_code == 429


def test_usernames_differing_only_by_case_cannot_coexist(world):
    make_user("sec_bf_a")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="SEC_BF_A", password=PASSWORD)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User(username="Sec_Bf_A", password="x").validate_constraints()


def test_provisioning_skips_a_staff_code_taken_in_another_case(world):
    from opentemis.staff.accounts_admin import accounts_provision

    make_user("gva1")  # person_a1's staff code is GVA1
    with actor_scope(world.officer_a):
        created = accounts_provision(actor=world.officer_a, unit=world.school_a1)
    assert "GVA1" not in {account.username for account in created}


# --- password spraying from one address ----------------------------------------------------


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=6)
def test_spraying_from_one_address_is_refused_without_a_password_check(world, caplog):
    for n in range(3):
        make_user(f"gv_{n}", role="teacher", unit=world.school_a1)
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    # One password tried on many accounts, known and unknown: no account reaches its lockout.
    for name in ["gv_0", "gv_1", "gv_2", "ghost_1", "ghost_2", "ghost_3"]:
        assert page_sign_in(sprayer, name, "Matkhau123").status_code == 200
    # The address has used its budget: even the right password of an account is not tried.
    refused = page_sign_in(sprayer, "gv_0")
    assert refused.status_code == 429
    assert "_auth_user_id" not in sprayer.session
    assert api_sign_in("gv_1", address="203.0.113.50").status_code == 429
    # Another address is not concerned.
    assert page_sign_in(Client(REMOTE_ADDR="203.0.113.51"), "gv_2").status_code == 302
    # The operators are told once.
    told = [r for r in caplog.records if "reached the address limit" in r.getMessage()]
    assert len(told) == 1 and "203.0.113.50" in told[0].getMessage()


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=4)
def test_nat_neighbours_who_signed_in_before_still_sign_in(world):
    nat = "198.51.100.20"  # one address for a whole district's schools
    # Earlier in the term: the principal signed in from the school (address standing), the
    # teacher from a browser at home (device cookie), then brings the laptop to school.
    assert page_sign_in(Client(REMOTE_ADDR=nat), "principal_a1").status_code == 302
    at_home = Client(REMOTE_ADDR="192.0.2.44")
    assert page_sign_in(at_home, "teacher_a1").status_code == 302
    device = at_home.cookies["opentemis_device"].value
    # Somebody on the same NAT sprays.
    sprayer = Client(REMOTE_ADDR=nat)
    for name in ["officer_a", "ghost_1", "ghost_2", "ghost_3"]:
        page_sign_in(sprayer, name, "Matkhau123")
    assert page_sign_in(sprayer, "principal_b1").status_code == 429
    # The neighbours sign in.
    principal = Client(REMOTE_ADDR=nat)
    assert page_sign_in(principal, "principal_a1").status_code == 302
    # Without the cookie, the teacher (no standing at this address) waits...
    assert page_sign_in(Client(REMOTE_ADDR=nat), "teacher_a1").status_code == 429
    # ... but with it (the same browser, signed out, now at school) she signs in.
    laptop = Client(REMOTE_ADDR=nat)
    laptop.cookies["opentemis_device"] = device
    assert page_sign_in(laptop, "TEACHER_A1").status_code == 302
    # The API client of the principal too (standing at the address).
    assert api_sign_in("principal_a1", address=nat).status_code == 200


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=3)
def test_successes_do_not_use_the_address_budget(world):
    crowd = Client(REMOTE_ADDR="198.51.100.30")
    for _ in range(10):
        assert page_sign_in(crowd, "officer_a").status_code == 302
        crowd.logout()
    assert page_sign_in(Client(REMOTE_ADDR="198.51.100.30"), "principal_b1").status_code == 302


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=3)
def test_a_forged_device_cookie_gives_no_standing(world):
    nat = "198.51.100.40"
    sprayer = Client(REMOTE_ADDR=nat)
    for name in ["ghost_1", "ghost_2", "ghost_3"]:
        page_sign_in(sprayer, name, "x")
    sprayer.cookies["opentemis_device"] = str(world.officer_a.pk)
    assert page_sign_in(sprayer, "officer_a").status_code == 429


# --- the real client address ---------------------------------------------------------------


class FakeRequest:
    def __init__(self, remote: str, forwarded: str | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@override_settings(TRUSTED_PROXIES=["10.0.0.1", "172.16.0.0/12"])
def test_client_address_is_read_from_trusted_proxies_only():
    # An untrusted peer: its X-Forwarded-For is whatever it wanted to write.
    assert client_ip(FakeRequest("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    # The proxy appended the address it saw; anything left of that is the client's invention.
    assert client_ip(FakeRequest("10.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Two trusted hops (a load balancer in 172.16/12, then the proxy).
    assert client_ip(FakeRequest("10.0.0.1", "198.51.100.7, 172.16.3.4")) == "198.51.100.7"
    # A garbled header stops the walk at the last hop believed.
    assert client_ip(FakeRequest("10.0.0.1", "198.51.100.7, bogus")) == "10.0.0.1"
    assert client_ip(FakeRequest("10.0.0.1")) == "10.0.0.1"
    assert client_ip(FakeRequest("10.0.0.1", "[2001:db8::5]:4711")) == "2001:db8::5"


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(FakeRequest("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_a_forged_forwarded_header_from_an_untrusted_peer_changes_nothing(world, settings):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        # A new made-up address on every attempt: fresh tries if it were believed.
        attacker.post(
            reverse("login"),
            {"username": "officer_a", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}",
        ).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = attacker.post(
        reverse("login"),
        {"username": "officer_a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert locked.status_code == 429
    with system_scope():
        addresses = set(
            AuditEvent.objects.filter(action="auth.login_failed").values_list(
                "ip_address", flat=True
            )
        )
    assert addresses == {"203.0.113.9"}


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_the_trusted_proxy_each_client_has_its_own_lockout(world, settings):
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        proxy.post(
            reverse("login"),
            {"username": "officer_a", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    locked = proxy.post(
        reverse("login"),
        {"username": "officer_a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    # The officer at another address, through the same proxy, is not locked out by it.
    ok = Client(REMOTE_ADDR="10.0.0.1").post(
        reverse("login"),
        {"username": "officer_a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert ok.status_code == 302
    with system_scope():
        login = AuditEvent.objects.get(action="auth.login")
    assert login.ip_address == "198.51.100.8"


# --- API tokens ----------------------------------------------------------------------------


def test_token_expires_after_its_lifetime(world, settings):
    first = api_sign_in("officer_a")
    assert first.status_code == 200
    key = first.json()["token"]
    expires = dt.datetime.fromisoformat(first.json()["expires"])
    token = Token.objects.get(key=key)
    assert expires - token.created == dt.timedelta(seconds=settings.API_TOKEN_TTL)
    assert with_token(key).get("/api/v1/units/").status_code == 200
    Token.objects.filter(key=key).update(
        created=token.created - dt.timedelta(seconds=settings.API_TOKEN_TTL + 1)
    )
    expired = with_token(key).get("/api/v1/units/")
    assert expired.status_code == 401
    assert "detail" in expired.json()
    assert not Token.objects.filter(key=key).exists()
    # Signing in again gives a new token.
    again = api_sign_in("officer_a").json()["token"]
    assert again != key
    assert with_token(again).get("/api/v1/units/").status_code == 200


def test_sign_in_again_replaces_an_expired_token_before_it_is_used(world, settings):
    key = api_sign_in("officer_a").json()["token"]
    Token.objects.filter(key=key).update(created=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert api_sign_in("officer_a").json()["token"] != key


def test_changing_the_password_revokes_tokens(world):
    key = api_sign_in("teacher_a1").json()["token"]
    client = world.client_for(world.teacher_a1)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Hoa-sen-2026!",
            "new_password2": "Hoa-sen-2026!",
        },
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/v1/units/").status_code == 401


def test_a_reset_by_the_principal_revokes_tokens_and_hands_over_a_one_time_password(world):
    key = api_sign_in("teacher_a1").json()["token"]
    principal = world.client_for(world.principal_a1)
    response = principal.post(reverse("account_reset_password", args=[world.teacher_a1.pk]))
    assert response.status_code == 200
    one_time = re.search(r"<code>(\w+)</code>", response.content.decode()).group(1)
    assert with_token(key).get("/api/v1/units/").status_code == 401
    # The one-time password signs in, then must be changed before anything else.
    teacher = Client()
    assert page_sign_in(teacher, "teacher_a1", one_time).status_code == 302
    assert teacher.get(reverse("home")).url == reverse("password_change")
    assert api_sign_in("teacher_a1", one_time).status_code == 403
    assert "accounts.reset_password" in actions(world.teacher_a1)


def test_a_reset_lifts_the_lockout_that_sent_the_person_to_ask(world, settings):
    locked_out = Client(REMOTE_ADDR="10.3.3.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_sign_in(locked_out, "teacher_a1", "wrong")
    assert page_sign_in(locked_out, "teacher_a1").status_code == 429
    with actor_scope(world.principal_a1):
        one_time = account_reset_password(actor=world.principal_a1, user=world.teacher_a1)
    assert page_sign_in(locked_out, "teacher_a1", one_time).status_code == 302


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=4)
def test_token_endpoint_counts_against_the_address_like_the_page(world):
    address = "203.0.113.60"
    for name in ["ghost_1", "ghost_2"]:
        assert api_sign_in(name, "x", address=address).status_code == 400
    for name in ["ghost_3", "ghost_4"]:
        assert page_sign_in(Client(REMOTE_ADDR=address), name, "x").status_code == 200
    refused = api_sign_in("officer_a", address=address)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/json")
    assert not Token.objects.filter(user=world.officer_a).exists()


# --- self-service reset by email -----------------------------------------------------------


def test_reset_by_email_is_audited_and_revokes_tokens(world):
    teacher = world.teacher_a1
    teacher.email = "an.nguyen@example.edu.vn"
    teacher.must_change_password = True
    teacher.save()
    key = Token.objects.create(user=teacher).key
    browser = Client()
    response = browser.post(reverse("password_reset"), {"email": "AN.Nguyen@example.edu.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "teacher_a1" in body
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", body).group(1)
    form = browser.get(link, follow=True)
    assert form.status_code == 200
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Hoa-sen-2026!", "new_password2": "Hoa-sen-2026!"},
    )
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    teacher.refresh_from_db()
    assert teacher.check_password("Hoa-sen-2026!")
    assert not teacher.must_change_password
    assert not Token.objects.filter(key=key).exists()
    assert actions(teacher)[-2:] == [
        "accounts.password_reset_requested",
        "accounts.password_reset_email",
    ]
    # The link works once.
    assert "validlink" not in browser.get(link, follow=True).content.decode()
    assert b'name="new_password1"' not in browser.get(link, follow=True).content


@override_settings(SITE_URL="https://temis.example.edu.vn")
def test_reset_link_names_the_configured_site_not_the_request_host(world):
    world.teacher_a1.email = "an.nguyen@example.edu.vn"
    world.teacher_a1.save()
    Client().post(reverse("password_reset"), {"email": "an.nguyen@example.edu.vn"})
    assert "://temis.example.edu.vn/password/reset/" in mail.outbox[0].body


def test_reset_request_for_an_unknown_address_looks_the_same_and_sends_nothing(world):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.edu.vn"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=3)
def test_reset_requests_cannot_flood_an_inbox(world):
    world.teacher_a1.email = "an.nguyen@example.edu.vn"
    world.teacher_a1.save()
    flooder = Client(REMOTE_ADDR="203.0.113.70")
    answers = [
        flooder.post(reverse("password_reset"), {"email": "an.nguyen@example.edu.vn"})
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429, 429]
    assert len(mail.outbox) == 3


def test_a_password_set_in_the_admin_site_revokes_tokens_and_is_audited(world):
    admin = make_user("root", superuser=True)
    key = Token.objects.create(user=world.teacher_a1).key
    client = world.client_for(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[world.teacher_a1.pk]),
        {"password1": "Hoa-sen-2026!", "password2": "Hoa-sen-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert not Token.objects.filter(key=key).exists()
    assert "accounts.password_set_admin" in actions(world.teacher_a1)


def test_migration_renames_existing_case_duplicates_keeping_the_last_used(world):
    """Migration 0005: of accounts differing only by case, the one that signed in last keeps
    its name; the others get ``-<id>``, and then the constraint of 0006 can be created."""
    import importlib

    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    migration = importlib.import_module(
        "opentemis.accounts.migrations.0005_rename_username_case_duplicates"
    )
    with connection.cursor() as cursor:  # as before 0006 (the test's transaction restores it)
        cursor.execute("DROP INDEX accounts_user_username_ci_unique")
    older = make_user("gv_dup")
    used = make_user("GV_DUP")
    User.objects.filter(pk=used.pk).update(last_login=timezone.now())
    other = make_user("Gv_Dup")
    migration.rename_case_duplicates(apps, None)
    names = dict(
        User.objects.filter(pk__in=[older.pk, used.pk, other.pk]).values_list("pk", "username")
    )
    assert names == {
        used.pk: "GV_DUP",
        older.pk: f"gv_dup-{older.pk}",
        other.pk: f"Gv_Dup-{other.pk}",
    }
    assert User.objects.get(username="officer_a")  # others untouched


def test_natural_key_ignores_case_as_sign_in_does(world):
    assert User.objects.get_by_natural_key("OFFICER_A") == world.officer_a
