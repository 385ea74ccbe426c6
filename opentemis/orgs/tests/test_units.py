from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from opentemis.accounts.models import AuditEvent, RoleAssignment
from opentemis.accounts.roles import Perm
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.orgs.models import Unit, UnitMove
from opentemis.orgs.selectors import default_unit, unit_by_code, unit_list
from opentemis.orgs.services import unit_create, units_move
from opentemis.staff.models import Person
from opentemis.staff.selectors import children_with_staff_counts
from tests.factories import PersonFactory, make_unit, make_user


def test_subtree_is_one_prefix_query(world, django_assert_num_queries):
    with system_scope(), django_assert_num_queries(1):
        codes = set(
            Unit.objects.filter(path__startswith=world.province_a.path).values_list(
                "code", flat=True
            )
        )
    assert codes == {"SA", "SA-X1", "SA-TH1", "SA-THCS1"}


def test_children_staff_counts_cover_subtrees(world, django_assert_max_num_queries):
    with actor_scope(world.officer_a), django_assert_max_num_queries(3):
        children = children_with_staff_counts(actor=world.officer_a, parent=world.province_a)
    assert [(c.code, c.staff_count) for c in children] == [("SA-X1", 3)]


def test_unit_search_ignores_diacritics(world):
    with actor_scope(world.officer_a):
        found = list(unit_list(actor=world.officer_a, q="hoa an"))
    assert {u.code for u in found} == {"SA-X1", "SA-TH1", "SA-THCS1"}


def test_move_schools_of_abolished_district_to_department(world):
    district = make_unit(
        "Phòng GD&ĐT Huyện Cũ", parent=world.province_a, kind="district_office", code="SA-P1"
    )
    s1 = make_unit("Trường TH Cũ 1", parent=district, code="SA-P1-1")
    s2 = make_unit("Trường TH Cũ 2", parent=district, code="SA-P1-2")
    teacher = PersonFactory(unit=s1, full_name="Đỗ Văn Chuyển", staff_code="GVMOVE")
    with actor_scope(world.officer_a):
        batch = units_move(
            actor=world.officer_a, units=[s1, s2], new_parent=world.province_a, reason="Sáp nhập"
        )
    with system_scope():
        s1.refresh_from_db()
        assert Unit.objects.get_parent(s1).pk == world.province_a.pk
        assert s1.depth == 3
        moves = list(UnitMove.objects.filter(batch=batch))
        assert len(moves) == 2
        assert {m.old_parent_id for m in moves} == {district.pk}
        moved_teacher = Person.objects.get(pk=teacher.pk)
        assert moved_teacher.unit_id == s1.pk
        assert moved_teacher.unit_path == s1.path  # the denormalised path followed the move
        district.refresh_from_db()
        assert district.numchild == 0
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        assert AuditEvent.objects.filter(action="unit.move").count() == 2


def test_move_needs_reach_over_both_ends(world):
    with actor_scope(world.principal_b1), pytest.raises(Exception) as exc:
        units_move(actor=world.principal_b1, units=[world.school_a1], new_parent=world.province_b)
    assert exc.typename == "Http404"


def test_cannot_move_unit_under_itself(world):
    with actor_scope(world.officer_a), pytest.raises(ValidationError):
        units_move(actor=world.officer_a, units=[world.commune_a], new_parent=world.school_a1)


def test_unit_create_under_parent(world):
    with actor_scope(world.officer_a):
        unit = unit_create(
            actor=world.officer_a,
            parent=world.commune_a,
            code="sa-mn1",
            name="Trường Mầm non Hoa Sen",
            kind="school",
            levels=["MN"],
        )
    assert unit.code == "SA-MN1"
    assert unit.path.startswith(world.commune_a.path)
    assert [lvl.code for lvl in unit.levels.all()] == ["MN"]


def test_tree_page_shows_staff_counts(world):
    response = world.client_for(world.officer_a).get(reverse("unit_tree"))
    assert response.status_code == 200
    roots = response.context["roots"]
    assert [(r.code, r.staff_count) for r in roots] == [("SA", 3)]
    children = world.client_for(world.officer_a).get(
        reverse("unit_children", args=[world.commune_a.pk])
    )
    assert "Trường Tiểu học Hòa An" in children.content.decode()


@pytest.mark.parametrize("name", ["unit_detail", "unit_children", "unit_edit", "unit_move"])
def test_unit_pages_other_province_404(world, name):
    response = world.client_for(world.principal_b1).get(reverse(name, args=[world.school_a1.pk]))
    assert response.status_code == 404
    assert "Hòa An" not in response.content.decode()


def test_unit_detail_own(world):
    response = world.client_for(world.principal_a1).get(
        reverse("unit_detail", args=[world.school_a1.pk])
    )
    assert response.status_code == 200
    assert response.context["staff_count"] == 2


def test_move_view(world):
    district = make_unit(
        "Phòng GD Huyện X", parent=world.province_a, kind="district_office", code="SA-PX"
    )
    school = make_unit("Trường THCS X", parent=district, code="SA-PX-1")
    client = world.client_for(world.officer_a)
    assert client.get(reverse("unit_move", args=[district.pk])).status_code == 200
    response = client.post(
        reverse("unit_move_submit", args=[district.pk]),
        {"target": world.province_a.pk, "units": [school.pk], "reason": "Giải thể cấp huyện"},
    )
    assert response.status_code == 302
    with system_scope():
        assert Unit.objects.get_parent(Unit.objects.get(pk=school.pk)).pk == world.province_a.pk


def test_unit_edit_by_principal_is_not_allowed(world):
    response = world.client_for(world.principal_a1).get(
        reverse("unit_edit", args=[world.school_a1.pk])
    )
    assert response.status_code == 404


def _with_roles(username: str, *grants: tuple[str, Unit]) -> Any:
    user = make_user(username)
    for role, unit in grants:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def test_default_unit_is_the_highest_role_unit_granting_the_perm(world):
    user = _with_roles(
        "two_schools", ("principal", world.school_a1), ("principal", world.school_b1)
    )
    with actor_scope(user):
        # School B1 sits one level higher (directly under its province) than school A1.
        assert default_unit(actor=user, perm=Perm.VIEW_EVALUATIONS) == world.school_b1
        # A teacher's role grants no staff.import: no default unit for it.
        assert default_unit(actor=world.teacher_a1, perm=Perm.IMPORT_STAFF) is None


def test_default_unit_breaks_ties_by_name_and_is_the_root_for_a_superuser(world):
    user = _with_roles("siblings", ("principal", world.school_a1), ("principal", world.school_a2))
    with actor_scope(user):
        # The same depth: by name, "Trường THCS…" before "Trường Tiểu học…".
        assert default_unit(actor=user, perm=Perm.VIEW_EVALUATIONS) == world.school_a2
    admin = make_user("root_admin", superuser=True)
    with actor_scope(admin):
        assert default_unit(actor=admin, perm=Perm.MANAGE_ACCOUNTS) == world.nation


def test_unit_by_code_refuses_units_outside_the_perm_alike(world):
    with actor_scope(world.officer_a):
        found = unit_by_code(actor=world.officer_a, code=" sa-th1 ", perm=Perm.MANAGE_ACCOUNTS)
        assert found == world.school_a1
        for code in ("SB-THPT1", "NOPE", ""):
            with pytest.raises(ValidationError):
                unit_by_code(actor=world.officer_a, code=code, perm=Perm.MANAGE_ACCOUNTS)
