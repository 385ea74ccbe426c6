import io

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from opentemis.accounts.models import AuditEvent, User
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.staff.accounts_admin import accounts_provision
from tests.factories import PersonFactory


def test_login_with_staff_code(world):
    client = Client()
    response = client.post(reverse("login"), {"username": "hta1", "password": "Mat-khau-2025!"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_login_with_username_records_audit(world):
    client = Client()
    client.post(reverse("login"), {"username": "officer_a", "password": "Mat-khau-2025!"})
    with system_scope():
        event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == world.officer_a
    assert event.unit == world.province_a


def test_wrong_password_is_refused_and_audited(world):
    client = Client()
    response = client.post(reverse("login"), {"username": "HTA1", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    with system_scope():
        failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.unit == world.school_a1


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_is_per_username_and_address(world):
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(3):
        attacker.post(reverse("login"), {"username": "officer_a", "password": "bad"})
    locked = attacker.post(
        reverse("login"), {"username": "officer_a", "password": "Mat-khau-2025!"}
    )
    assert locked.status_code == 429
    # Same address, another account (a school behind one shared address): not locked.
    colleague = Client(REMOTE_ADDR="10.0.0.9")
    ok = colleague.post(
        reverse("login"), {"username": "principal_a1", "password": "Mat-khau-2025!"}
    )
    assert ok.status_code == 302
    # Same account from another address: not locked either.
    elsewhere = Client(REMOTE_ADDR="10.0.0.10")
    ok = elsewhere.post(reverse("login"), {"username": "officer_a", "password": "Mat-khau-2025!"})
    assert ok.status_code == 302


def test_provision_creates_accounts_and_xlsx(world):
    PersonFactory(unit=world.school_a2, full_name="Vũ Thị Mai", staff_code="GVA9")
    client = world.client_for(world.officer_a)
    response = client.post(reverse("accounts_provision"), {"unit": world.province_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True)]
    codes = {r[1] for r in rows}
    # person_a2 and GVA9 had no account; HTA1 and GVA1 already had one.
    assert codes == {"GVA2", "GVA9"}
    password = next(r[5] for r in rows if r[1] == "GVA9")
    # The new user must change the password at first sign-in.
    fresh = Client()
    assert (
        fresh.post(reverse("login"), {"username": "GVA9", "password": password}).status_code == 302
    )
    assert fresh.get(reverse("home")).url == reverse("password_change")
    response = fresh.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Rieng-cua-toi-77",
            "new_password2": "Rieng-cua-toi-77",
        },
    )
    assert response.status_code == 302
    assert fresh.get(reverse("home")).status_code == 200
    user = User.objects.get(username="GVA9")
    assert not user.must_change_password
    assert user.password.startswith("argon2$argon2id$")


def test_provision_is_idempotent(world):
    with actor_scope(world.officer_a):
        first = accounts_provision(actor=world.officer_a, unit=world.province_a)
        second = accounts_provision(actor=world.officer_a, unit=world.province_a)
    assert len(first) == 1
    assert second == []


def test_provision_other_province_is_404(world):
    client = world.client_for(world.principal_b1)
    response = client.post(reverse("accounts_provision"), {"unit": world.province_a.pk})
    assert response.status_code == 404
    assert not User.objects.filter(username="GVA2").exists()


def test_reset_password_within_subtree(world):
    client = world.client_for(world.principal_a1)
    response = client.post(reverse("account_reset_password", args=[world.teacher_a1.pk]))
    assert response.status_code == 200
    world.teacher_a1.refresh_from_db()
    assert world.teacher_a1.must_change_password
    assert b"<code>" in response.content


def test_reset_password_other_province_is_404(world):
    client = world.client_for(world.principal_b1)
    before = User.objects.get(pk=world.teacher_a1.pk).password
    response = client.post(reverse("account_reset_password", args=[world.teacher_a1.pk]))
    assert response.status_code == 404
    assert User.objects.get(pk=world.teacher_a1.pk).password == before


def test_account_list_is_scoped(world):
    response = world.client_for(world.officer_a).get(reverse("account_list"))
    names = {u.username for u in response.context["page"]}
    assert {"principal_a1", "teacher_a1"} <= names
    assert "principal_b1" not in names
    other = world.client_for(world.principal_b1).get(
        reverse("account_list"), {"unit": world.province_a.pk}
    )
    assert other.status_code == 404


def test_teacher_cannot_manage_accounts(world):
    response = world.client_for(world.teacher_a1).get(reverse("account_list"))
    assert response.status_code == 403


def test_audit_list_is_scoped(world):
    Client().post(reverse("login"), {"username": "GVB1", "password": "x"})
    Client().post(reverse("login"), {"username": "HTA1", "password": "x"})
    response = world.client_for(world.officer_a).get(reverse("audit_list"))
    units = {e.unit_id for e in response.context["page"]}
    assert units == {world.school_a1.pk}
    assert (
        world.client_for(world.principal_b1)
        .get(reverse("audit_list"), {"unit": world.province_a.pk})
        .status_code
        == 404
    )


@pytest.mark.parametrize("url_name", ["account_list", "audit_list"])
def test_pages_need_login(db, url_name):
    response = Client().get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_provision_command_writes_xlsx(world, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "acc.xlsx"
    call_command("provision_accounts", unit="SA", actor="officer_a", output=str(out))
    sheet = load_workbook(out).active
    assert [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)] == ["GVA2"]


def test_provision_refuses_too_large_unit_in_web(world, monkeypatch):
    from django.core.exceptions import ValidationError

    with actor_scope(world.officer_a), pytest.raises(ValidationError):
        accounts_provision(actor=world.officer_a, unit=world.province_a, limit=0)


def test_grant_and_revoke_role(world):
    from opentemis.accounts.models import RoleAssignment

    client = world.client_for(world.officer_a)
    url = reverse("account_roles", args=[world.teacher_a1.pk])
    response = client.post(url, {"role": "school_admin", "unit_code": "sa-th1"})
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=world.teacher_a1, role="school_admin")
    assert grant.unit == world.school_a1
    client.post(url, {"revoke": grant.pk})
    grant.refresh_from_db()
    assert not grant.is_active
    with system_scope():
        assert (
            AuditEvent.objects.filter(
                action__in=["accounts.role_grant", "accounts.role_revoke"]
            ).count()
            == 2
        )


def test_cannot_grant_role_outside_reach(world):
    from opentemis.accounts.models import RoleAssignment

    client = world.client_for(world.officer_a)
    client.post(
        reverse("account_roles", args=[world.teacher_a1.pk]), {"role": "viewer", "unit_code": "SB"}
    )
    assert not RoleAssignment.objects.filter(user=world.teacher_a1, role="viewer").exists()
    other = world.client_for(world.principal_b1)
    assert other.get(reverse("account_roles", args=[world.teacher_a1.pk])).status_code == 404


def test_principal_cannot_grant_more_than_own_rights(world):
    from opentemis.accounts.models import RoleAssignment

    client = world.client_for(world.principal_a1)
    url = reverse("account_roles", args=[world.teacher_a1.pk])
    client.post(url, {"role": "unit_officer", "unit_code": "SA-TH1"})
    assert not RoleAssignment.objects.filter(user=world.teacher_a1, role="unit_officer").exists()
    client.post(url, {"role": "viewer", "unit_code": "SA-TH1"})
    assert RoleAssignment.objects.filter(user=world.teacher_a1, role="viewer").exists()
