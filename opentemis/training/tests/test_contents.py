"""A Sở's programme-02 contents: the services' rules, the page, and scoping (another
province's contents are a 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.training import selectors, services
from opentemis.training.models import Programme, ProgrammeContent, Title
from tests.factories import make_user


def _add(world: Any, actor: Any = None, unit: Any = None, **fields: Any) -> ProgrammeContent:
    values = {"code": "SA-01", "title": "Giáo dục địa phương", "hours": 10, **fields}
    with system_scope():
        return services.local_content_add(
            actor=actor or world.officer_a,
            unit=unit or world.province_a,
            school_year=world.year,
            fields=values,
        )


def _national(world: Any) -> ProgrammeContent:
    return ProgrammeContent.objects.create(
        school_year=world.year, programme=Programme.P01, code="CT01-1", title="Nhiệm vụ năm học"
    )


# --- services --------------------------------------------------------------------------------


def test_add_update_delete_are_audited(world: Any, system: Any) -> None:
    content = _add(world, titles=[Title.GV_THCS, Title.GV_TH])
    assert (content.programme, content.unit, content.hours) == ("02", world.province_a, 10)
    assert content.titles == [Title.GV_TH, Title.GV_THCS]  # in the choices' order
    with system_scope():
        services.local_content_update(
            actor=world.officer_a, content=content, fields={"title": "Mới", "hours": 12}
        )
        content.refresh_from_db()
        assert (content.title, content.hours) == ("Mới", 12)
        services.local_content_delete(actor=world.officer_a, content=content)
    assert not ProgrammeContent.objects.filter(pk=content.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"training.content_add", "training.content_update", "training.content_delete"} <= (
        actions
    )


def test_a_code_is_unique_per_province_and_year(world: Any, system: Any) -> None:
    _add(world)
    with pytest.raises(ValidationError, match="SA-01"):
        _add(world)
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    _add(world, actor=officer_b, unit=world.province_b)  # the same code in another province


def test_unknown_fields_and_titles_are_refused(world: Any, system: Any) -> None:
    with pytest.raises(ValidationError):
        _add(world, unit_id=world.province_b.pk)
    with pytest.raises(ValidationError):
        _add(world, titles=["nobody"])
    assert not ProgrammeContent.objects.exists()


def test_only_a_province_within_reach(world: Any, system: Any) -> None:
    with pytest.raises(Http404):
        _add(world, unit=world.province_b)
    with pytest.raises(ValidationError):
        _add(world, unit=world.commune_a)  # not a Sở
    with pytest.raises(Http404):
        _add(world, actor=world.principal_a1)
    content = _add(world)
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    with system_scope(), pytest.raises(Http404):
        services.local_content_update(actor=officer_b, content=content, fields={"hours": 1})
    with system_scope(), pytest.raises(Http404):
        services.local_content_delete(actor=officer_b, content=content)
    assert ProgrammeContent.objects.filter(pk=content.pk, hours=10).exists()


def test_a_national_content_is_not_changed_here(world: Any, system: Any) -> None:
    national = _national(world)
    with system_scope(), pytest.raises(ValidationError):
        services.local_content_update(actor=world.officer_a, content=national, fields={})
    with system_scope(), pytest.raises(ValidationError):
        services.local_content_delete(actor=world.officer_a, content=national)
    with system_scope(), pytest.raises(Http404):
        selectors.get_local_content(actor=world.officer_a, pk=national.pk)


# --- the page --------------------------------------------------------------------------------


def test_officer_lists_adds_edits_and_removes(world: Any) -> None:
    _national(world)
    client = world.client_for(world.officer_a)
    home = client.get(reverse("training_contents_home"))
    url = reverse("training_contents", args=[world.province_a.pk])
    assert home.status_code == 302 and home["Location"] == url
    page = client.get(f"{url}?year={world.year.code}")
    assert page.status_code == 200
    assert "Nhiệm vụ năm học" in page.content.decode()  # programme 01 beside, read-only
    answer = client.post(
        url,
        {
            "year": world.year.code,
            "code": "SA-02",
            "title": "Lịch sử địa phương",
            "hours": "8",
            "titles": [Title.GV_THCS],
            "description": "",
        },
    )
    assert answer.status_code == 302
    content = ProgrammeContent.objects.get(unit=world.province_a, code="SA-02")
    assert (content.hours, content.titles, content.school_year) == (8, ["gv_thcs"], world.year)
    page = client.get(f"{url}?year={world.year.code}")
    assert "Lịch sử địa phương" in page.content.decode()
    edit = reverse("training_content_edit", args=[content.pk])
    assert client.get(edit).status_code == 200
    answer = client.post(edit, {"code": "SA-02", "title": "Địa lý địa phương", "hours": "6"})
    assert answer.status_code == 302
    content.refresh_from_db()
    assert (content.title, content.hours, content.titles) == ("Địa lý địa phương", 6, [])
    assert client.post(edit, {"delete": "1"}).status_code == 302
    assert not ProgrammeContent.objects.filter(pk=content.pk).exists()


def test_a_duplicate_code_is_shown_on_the_form(world: Any) -> None:
    _add(world)
    client = world.client_for(world.officer_a)
    url = reverse("training_contents", args=[world.province_a.pk])
    answer = client.post(url, {"year": world.year.code, "code": "SA-01", "title": "Khác"})
    assert answer.status_code == 200
    assert ProgrammeContent.objects.count() == 1


def test_nav_link_for_officers_only(world: Any) -> None:
    link = reverse("training_contents_home")
    assert link in world.client_for(world.officer_a).get("/").content.decode()
    assert link not in world.client_for(world.teacher_a1).get("/").content.decode()


# --- scoping ---------------------------------------------------------------------------------


def test_another_province_is_a_404(world: Any) -> None:
    content = _add(world)
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    client = world.client_for(officer_b)
    assert client.get(reverse("training_contents", args=[world.province_a.pk])).status_code == 404
    edit = reverse("training_content_edit", args=[content.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"delete": "1"}).status_code == 404
    assert client.post(edit, {"code": "X", "title": "X"}).status_code == 404
    answer = client.post(
        reverse("training_contents", args=[world.province_a.pk]),
        {"year": world.year.code, "code": "SB-9", "title": "X"},
    )
    assert answer.status_code == 404
    assert list(ProgrammeContent.objects.values_list("code", "title")) == [
        ("SA-01", "Giáo dục địa phương")
    ]
    own = client.get(reverse("training_contents", args=[world.province_b.pk]))
    assert own.status_code == 200 and "Giáo dục địa phương" not in own.content.decode()


def test_people_without_the_right_get_404(world: Any) -> None:
    for user in (world.teacher_a1, world.principal_a1):
        client = world.client_for(user)
        assert client.get(reverse("training_contents_home")).status_code == 404
        url = reverse("training_contents", args=[world.province_a.pk])
        assert client.get(url).status_code == 404
