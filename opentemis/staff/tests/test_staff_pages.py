import unicodedata

import pytest
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.staff.models import Assignment, CoreDesignation, Person
from opentemis.staff.selectors import StaffFilter, staff_list
from opentemis.staff.services import StaleEdit, person_transfer, person_update
from tests.factories import PersonFactory


def _names(response):
    return [p.full_name for p in response.context["page"]]


def test_search_ignores_diacritics(world):
    response = world.client_for(world.officer_a).get(reverse("staff_list"), {"q": "nguyen van an"})
    assert _names(response) == ["Nguyễn Văn An"]
    response = world.client_for(world.officer_a).get(reverse("staff_list"), {"q": "DAO"})
    assert _names(response) == ["Hoàng Thị Đào"]


def test_search_by_staff_code(world):
    response = world.client_for(world.officer_a).get(reverse("staff_list"), {"q": "gva2"})
    assert _names(response) == ["Hoàng Thị Đào"]


def test_list_never_shows_other_province(world):
    response = world.client_for(world.principal_b1).get(reverse("staff_list"), {"q": "nguyen"})
    assert _names(response) == []
    response = world.client_for(world.principal_b1).get(reverse("staff_list"))
    assert set(_names(response)) == {"Lê Văn Bình", "Phạm Minh Đức"}


def test_list_with_foreign_unit_param_is_404(world):
    response = world.client_for(world.principal_b1).get(
        reverse("staff_list"), {"unit": world.school_a1.pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"gender": "F"}, {"Trần Thị Hiệu", "Hoàng Thị Đào"}),
        ({"dtts": "1"}, {"Hoàng Thị Đào"}),
        ({"position": "HT"}, {"Trần Thị Hiệu"}),
        ({"subject": "TOAN"}, {"Hoàng Thị Đào"}),
    ],
)
def test_list_filters(world, params, expected):
    response = world.client_for(world.officer_a).get(reverse("staff_list"), params)
    assert set(_names(response)) == expected


def test_core_filter_and_toggle(world):
    client = world.client_for(world.principal_a1)
    assert client.post(reverse("staff_core_toggle", args=[world.person_a1.pk])).status_code == 302
    with system_scope():
        assert CoreDesignation.objects.filter(
            person=world.person_a1, school_year=world.year
        ).exists()
    response = client.get(reverse("staff_list"), {"core": "1"})
    assert _names(response) == ["Nguyễn Văn An"]
    response = client.get(reverse("staff_list"), {"core": "0"})
    assert "Nguyễn Văn An" not in _names(response)


def test_list_is_paginated_with_constant_queries(world, django_assert_max_num_queries):
    for i in range(60):
        PersonFactory(
            unit=world.school_a1, full_name=f"Bùi Văn Số {i:02d}", staff_code=f"PG{i:03d}"
        )
    client = world.client_for(world.officer_a)
    client.get(reverse("staff_list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff_list"))
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 63
    page2 = client.get(reverse("staff_list"), {"page": 2})
    assert len(page2.context["page"]) == 13


def test_htmx_request_gets_partial(world):
    response = world.client_for(world.officer_a).get(
        reverse("staff_list"), {"q": "an"}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content
    assert "Nguyễn Văn An" in response.content.decode()


def test_detail_other_province_is_404(world):
    response = world.client_for(world.principal_b1).get(
        reverse("staff_detail", args=[world.person_a1.pk])
    )
    assert response.status_code == 404
    assert "Nguyễn Văn An" not in response.content.decode()


@pytest.mark.parametrize("name", ["staff_edit", "staff_core_toggle"])
def test_write_pages_other_province_404(world, name):
    client = world.client_for(world.principal_b1)
    response = client.post(reverse(name, args=[world.person_a1.pk]), {"full_name": "Hacked"})
    assert response.status_code == 404
    with system_scope():
        assert Person.objects.get(pk=world.person_a1.pk).full_name == "Nguyễn Văn An"


def test_teacher_sees_own_record_only(world):
    client = world.client_for(world.teacher_a1)
    assert client.get(reverse("staff_detail", args=[world.person_a1.pk])).status_code == 200
    assert (
        client.get(reverse("staff_detail", args=[world.principal_a1.person_id])).status_code == 404
    )
    assert client.get(reverse("staff_list")).status_code == 403


def _edit_payload(person, **overrides):
    data = {
        "full_name": person.full_name,
        "gender": person.gender,
        "date_of_birth": "1985-05-17",
        "ethnicity": person.ethnicity,
        "phone": "",
        "email": "",
        "qualification": "dai_hoc",
        "positions": [p.pk for p in person.positions.all()],
        "subjects": [],
        "subject_group": "",
        "employment_status": "working",
        "version": person.version,
    }
    data.update(overrides)
    return data


def test_edit_normalises_name_and_audits(world):
    client = world.client_for(world.principal_a1)
    with system_scope():
        person = Person.objects.get(pk=world.person_a1.pk)
        payload = _edit_payload(
            person, full_name=unicodedata.normalize("NFD", "Nguyễn  Văn   Ân"), ethnicity="03"
        )
    response = client.post(reverse("staff_edit", args=[person.pk]), payload)
    assert response.status_code == 302
    with system_scope():
        person.refresh_from_db()
        assert person.full_name == unicodedata.normalize("NFC", "Nguyễn Văn Ân")
        assert person.is_dtts
        assert person.search_text.startswith("nguyen van an")
        event = AuditEvent.objects.get(action="staff.update")
        assert event.changes["full_name"] == ["Nguyễn Văn An", person.full_name]


def test_edit_conflict_shows_message_and_keeps_other_save(world):
    client = world.client_for(world.principal_a1)
    with system_scope():
        person = Person.objects.get(pk=world.person_a1.pk)
        stale = _edit_payload(person, phone="0900000001")
    with actor_scope(world.officer_a):
        person_update(
            actor=world.officer_a,
            person=person,
            version=person.version,
            fields={"phone": "0911111111"},
        )
    response = client.post(reverse("staff_edit", args=[person.pk]), stale)
    assert response.status_code == 409
    assert "0911111111" in response.content.decode()
    with system_scope():
        assert Person.objects.get(pk=person.pk).phone == "0911111111"


def test_stale_update_service_raises(world):
    with actor_scope(world.officer_a):
        person = Person.objects.get(pk=world.person_a1.pk)
        person_update(actor=world.officer_a, person=person, version=1, fields={"phone": "1"})
        with pytest.raises(StaleEdit):
            person_update(actor=world.officer_a, person=person, version=1, fields={"phone": "2"})


def test_transfer_keeps_history(world):
    with actor_scope(world.officer_a):
        person_transfer(
            actor=world.officer_a, person=world.person_a1, to_unit=world.school_a2, note="Điều động"
        )
        history = list(Assignment.objects.filter(person=world.person_a1).order_by("id"))
        person = Person.objects.get(pk=world.person_a1.pk)
    assert person.unit_id == world.school_a2.pk
    assert history[-1].unit_id == world.school_a2.pk and history[-1].end_date is None
    assert [h.unit_id for h in history if h.end_date is not None] == []  # factory made no first row
    with actor_scope(world.principal_a1):
        # The old school no longer sees the person; the new one does (via its province officer).
        assert not Person.objects.filter(pk=person.pk).exists()


def test_transfer_to_other_province_needs_reach(world):
    with actor_scope(world.officer_a), pytest.raises(Exception) as exc:
        person_transfer(actor=world.officer_a, person=world.person_a1, to_unit=world.school_b1)
    assert exc.typename == "Http404"


def test_create_person_in_school(world):
    client = world.client_for(world.principal_a1)
    payload = _edit_payload(world.person_a1, full_name="Lý Thị Mới", positions=[], version="")
    payload["staff_code"] = "gvnew1"
    payload["unit"] = world.school_a1.pk
    response = client.post(reverse("staff_create") + f"?unit={world.school_a1.pk}", payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    with system_scope():
        person = Person.objects.get(staff_code="GVNEW1")
        assert Assignment.objects.filter(person=person, unit=world.school_a1).exists()


def test_create_in_other_province_is_404(world):
    response = world.client_for(world.principal_b1).get(
        reverse("staff_create"), {"unit": world.school_a1.pk}
    )
    assert response.status_code == 404


def test_selector_filters_by_actor_even_in_system_scope(world):
    # Defence in depth: inside the system scope, the selector still applies the actor's reach.
    with system_scope():
        names = {p.full_name for p in staff_list(actor=world.principal_b1, filters=StaffFilter())}
    assert names == {"Lê Văn Bình", "Phạm Minh Đức"}


def test_count_is_capped_on_huge_lists(world, monkeypatch):
    from opentemis.core.pagination import CappedPaginator
    from opentemis.staff import selectors

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    monkeypatch.setattr(selectors, "SEARCH_SORT_LIMIT", 2)
    response = world.client_for(world.officer_a).get(reverse("staff_list"), {"q": "a"})
    assert response.context["page"].paginator.is_capped
    assert "Hơn 2 người" in response.content.decode()
    exact = world.client_for(world.officer_a).get(reverse("staff_list"), {"q": "dao"})
    assert not exact.context["page"].paginator.is_capped
    assert exact.context["page"].paginator.count == 1


def test_create_with_code_used_in_other_province_is_refused_without_leak(world):
    from django.core.exceptions import ValidationError

    from opentemis.staff.services import person_create

    with actor_scope(world.principal_a1), pytest.raises(ValidationError) as exc:
        person_create(
            actor=world.principal_a1,
            unit=world.school_a1,
            fields={"staff_code": "GVB1", "full_name": "Trùng Mã", "gender": "M"},
        )
    assert "staff_code" in exc.value.message_dict
    assert "Bình" not in str(exc.value)


def test_core_filter_without_current_year(world):
    from opentemis.orgs.models import SchoolYear

    SchoolYear.objects.update(is_current=False)
    response = world.client_for(world.officer_a).get(reverse("staff_list"), {"core": "1"})
    assert _names(response) == []
    response = world.client_for(world.officer_a).get(reverse("staff_list"), {"core": "0"})
    assert len(_names(response)) == 3


def test_api_list_count_is_capped(world, monkeypatch):
    from opentemis.core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 1)
    response = world.client_for(world.officer_a).get("/api/v1/staff/")
    assert response.status_code == 200
    assert response.json()["count"] == 2  # cap + 1: "more than one"


def test_transfer_page_moves_person_and_keeps_history(world):
    client = world.client_for(world.officer_a)
    response = client.post(
        reverse("staff_transfer", args=[world.person_a1.pk]),
        {"unit_code": "sa-thcs1", "note": "QĐ 12"},
    )
    assert response.status_code == 302
    with system_scope():
        person = Person.objects.get(pk=world.person_a1.pk)
        assert person.unit_id == world.school_a2.pk
        assert person.unit_path == world.school_a2.path
        assert Assignment.objects.filter(person=person, unit=world.school_a2, note="QĐ 12").exists()


def test_transfer_to_unit_outside_reach_is_refused(world):
    client = world.client_for(world.officer_a)
    client.post(reverse("staff_transfer", args=[world.person_a1.pk]), {"unit_code": "SB-THPT1"})
    with system_scope():
        assert Person.objects.get(pk=world.person_a1.pk).unit_id == world.school_a1.pk
    other = world.client_for(world.principal_b1)
    response = other.post(
        reverse("staff_transfer", args=[world.person_a1.pk]), {"unit_code": "SB-THPT1"}
    )
    assert response.status_code == 404
