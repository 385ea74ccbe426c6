"""Import page, template download, export download and the import_staff command."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from opentemis.core.http import XLSX
from opentemis.core.scoping import system_scope
from opentemis.staff.models import Person
from opentemis.staff.tests.test_excel import book, mai


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("danh-sach.xlsx", data, content_type=XLSX)


def test_import_page_shows_the_upload_form(world):
    response = world.client_for(world.principal_a1).get(reverse("staff_import"))
    assert response.status_code == 200
    assert response.context["unit"] == world.school_a1
    assert b'enctype="multipart/form-data"' in response.content


def test_import_page_for_a_unit_outside_reach_is_404(world):
    client = world.client_for(world.principal_b1)
    url = reverse("staff_import")
    assert client.get(url, {"unit": world.school_a1.pk}).status_code == 404
    data = {"unit": world.school_a1.pk, "file": upload(book([mai()]))}
    assert client.post(url, data).status_code == 404
    with system_scope():
        assert not Person.objects.filter(staff_code="N001").exists()


def test_people_without_import_rights_get_404(world):
    assert world.client_for(world.teacher_a1).get(reverse("staff_import")).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get(reverse("staff_import")).status_code == 302
    assert client.get(reverse("staff_export")).status_code == 302


def test_upload_shows_a_summary(world):
    client = world.client_for(world.officer_a)
    data = {"unit": world.province_a.pk, "file": upload(book([mai()]))}
    response = client.post(reverse("staff_import"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.created == 1
    assert b"alert-success" in response.content


def test_upload_with_errors_shows_the_table_and_saves_nothing(world):
    client = world.client_for(world.principal_a1)
    data = {"file": upload(book([mai(), mai(staff_code="N002", date_of_birth="31/02/1990")]))}
    response = client.post(reverse("staff_import"), data)
    assert response.status_code == 422
    assert b"alert-error" in response.content and "31/02/1990" in response.content.decode()
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "Ngày sinh")]
    with system_scope():
        assert not Person.objects.filter(staff_code__in=["N001", "N002"]).exists()


def test_hostile_upload_gets_a_message(world):
    client = world.client_for(world.principal_a1)
    response = client.post(reverse("staff_import"), {"file": upload(b"%PDF-1.4 not a sheet")})
    assert response.status_code == 422
    assert response.context["result"].file_errors


def test_dry_run_from_the_page(world):
    client = world.client_for(world.principal_a1)
    data = {"file": upload(book([mai()])), "dry_run": "on"}
    response = client.post(reverse("staff_import"), data)
    assert response.context["result"].dry_run and response.context["result"].created == 1
    with system_scope():
        assert not Person.objects.filter(staff_code="N001").exists()


def test_template_download(world):
    client = world.client_for(world.principal_a1)
    response = client.get(reverse("staff_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    assert "Mã cán bộ" in [c.value for c in wb.worksheets[0][1]]
    other = client.get(reverse("staff_template"), {"unit": world.school_b1.pk})
    assert other.status_code == 404


def test_export_download_is_scoped(world):
    client = world.client_for(world.principal_b1)
    response = client.get(reverse("staff_export"), {"gender": "M"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)) == [
        "GVB1",
        "HTB1",
    ]
    foreign = client.get(reverse("staff_export"), {"unit": world.school_a1.pk})
    assert foreign.status_code == 404


def test_command_imports_as_the_given_user(world, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(book([mai(unit_code=None)]))
    out = io.StringIO()
    call_command("import_staff", str(path), unit="SA-TH1", username="principal_a1", stdout=out)
    assert "created=1" in out.getvalue()
    with system_scope():
        assert Person.objects.get(staff_code="N001").unit == world.school_a1


def test_command_dry_run_and_errors(world, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(book([mai(unit_code=None)]))
    out = io.StringIO()
    call_command(
        "import_staff", str(path), "--dry-run", unit="SA-TH1", username="principal_a1", stdout=out
    )
    assert "dry run" in out.getvalue()
    path.write_bytes(book([mai(unit_code=None, gender="?")]))
    with pytest.raises(CommandError, match="nothing written"):
        call_command(
            "import_staff", str(path), unit="SA-TH1", username="principal_a1", stderr=io.StringIO()
        )
    with pytest.raises(CommandError, match="No unit"):
        call_command("import_staff", str(path), unit="SA-TH1", username="principal_b1")


def test_a_checked_file_is_saved_by_confirming_it(world, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    client = world.client_for(world.officer_a)
    province = world.province_a.pk
    data = {"unit": province, "file": upload(book([mai()])), "dry_run": "on"}
    checked = client.post(reverse("staff_import"), data)
    token = checked.context["token"]
    assert token and 'name="token"' in checked.content.decode()
    with system_scope():
        assert not Person.objects.filter(staff_code="N001").exists()

    # Confirming into another unit, or with another token, saves nothing.
    other_unit = {"unit": world.school_a1.pk, "token": token}
    assert client.post(reverse("staff_import"), other_unit).status_code == 409
    forged = {"unit": province, "token": "0" * 64}
    assert client.post(reverse("staff_import"), forged).status_code == 409
    with system_scope():
        assert not Person.objects.filter(staff_code="N001").exists()

    done = client.post(reverse("staff_import"), {"unit": province, "token": token})
    assert done.status_code == 200 and done.context["result"].created == 1
    with system_scope():
        assert Person.objects.filter(staff_code="N001").exists()
    again = client.post(reverse("staff_import"), {"unit": province, "token": token})
    assert again.status_code == 409 and again.context["result"].file_errors


def test_a_check_with_nothing_to_change_offers_no_confirmation(world):
    client = world.client_for(world.principal_a1)
    client.post(reverse("staff_import"), {"file": upload(book([mai()]))})
    response = client.post(
        reverse("staff_import"), {"file": upload(book([mai()])), "dry_run": "on"}
    )
    assert response.context["result"].unchanged == 1 and not response.context["token"]
