"""`opentemis synth`: a synthetic nation that is a valid tree, plausible, and reproducible.

On SQLite these tests exercise the ORM loader; with DATABASE_URL on PostgreSQL (CI runs the suite
there too) the very same tests go through the COPY loader, which drops and rebuilds indexes and
constraints inside the test's transaction.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q

from opentemis.accounts.models import RoleAssignment, User
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.site import synth
from opentemis.site.synth import data
from opentemis.staff.models import Assignment, CoreDesignation, Person, SubjectGroup
from opentemis.staff.services import search_text_for
from tests.factories import PersonFactory, make_unit

pytestmark = pytest.mark.django_db

INSTITUTIONS = {UnitKind.SCHOOL, UnitKind.GDTX_CENTRE, UnitKind.TEACHER_TRAINING}


def generate(size: str = "small", seed: int = 11, reset: bool = False) -> str:
    out = io.StringIO()
    call_command("synth", size=size, seed=seed, reset=reset, stdout=out)
    return out.getvalue()


@pytest.fixture
def small() -> Any:
    generate("small")
    with system_scope():
        yield


def fingerprint() -> list[tuple[Any, ...]]:
    with system_scope():
        units = list(Unit.objects.order_by("path").values_list("path", "code", "name", "kind"))
        people = list(
            Person.objects.order_by("staff_code").values_list(
                "staff_code",
                "full_name",
                "gender",
                "date_of_birth",
                "ethnicity",
                "unit__code",
                "subject_group__name",
                "qualification",
            )
        )
    return units + people


def test_path_steps_match_treebeard_encoding() -> None:
    for n in (1, 9, 10, 35, 36, 37, 1295, 1296, 46_655, 36**4 - 1):
        assert synth.path_step(n) == Unit._get_path("", 1, n)
    with pytest.raises(ValueError):
        synth.path_step(36**4)


def test_small_nation_is_a_valid_tree(small: Any) -> None:
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert Unit.objects.filter(depth=1).count() == 1
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 2
    assert 15 <= Unit.objects.filter(kind=UnitKind.COMMUNE).count() <= 25
    assert 100 <= Unit.objects.filter(kind__in=INSTITUTIONS).count() <= 140
    codes = list(Unit.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    for unit in Unit.objects.all():
        assert unit.search_name == fold(unit.name)
    # Schools with levels; preschool to lower secondary under communes, the rest under the Sở.
    for school in Unit.objects.filter(kind=UnitKind.SCHOOL).prefetch_related("levels"):
        assert school.levels.exists()
        parent = Unit.objects.get_parent(school)
        assert parent.kind in {UnitKind.COMMUNE, UnitKind.DEPARTMENT}


def test_small_nation_staff_sit_in_schools_and_groups(small: Any) -> None:
    people = Person.objects.select_related("unit", "subject_group")
    assert 2_500 <= people.count() <= 3_600
    codes = list(people.values_list("staff_code", flat=True))
    assert len(codes) == len(set(codes))
    teachers = people.filter(positions__code__in=["GV", "GVSP"]).distinct()
    assert teachers.filter(subject_group__isnull=True).count() == 0
    for person in people:
        assert person.unit.kind in INSTITUTIONS
        assert person.search_text == search_text_for(person.full_name, person.staff_code)
        if person.subject_group is not None:
            assert person.subject_group.unit_id == person.unit_id
    # Exactly one head per institution: HT in schools, GD (giám đốc) in GDTX centres.
    heads = Unit.objects.filter(kind__in=INSTITUTIONS).annotate(
        n=Count("staff", filter=Q(staff__positions__code__in=["HT", "GD"]))
    )
    assert set(heads.values_list("n", flat=True)) == {1}
    groups = Counter(SubjectGroup.objects.values_list("unit_id", flat=True))
    assert set(groups.values()) <= {3, 4, 5, 6}
    assert len(groups) == Unit.objects.filter(kind__in=INSTITUTIONS).count()
    open_rows = Counter(
        Assignment.objects.filter(end_date__isnull=True).values_list("person_id", flat=True)
    )
    assert len(open_rows) == len(codes) and set(open_rows.values()) == {1}


def test_small_nation_distributions_are_plausible(small: Any) -> None:
    people = Person.objects.all()
    total = people.count()
    women = people.filter(gender="F").count() / total
    dtts = people.filter(is_dtts=True).count() / total
    assert 0.60 <= women <= 0.85
    # Hà Nội (≈1 % DTTS) with Lào Cai (≈40 %): between the two.
    assert 0.08 <= dtts <= 0.40
    mountain = people.filter(staff_code__startswith="15")
    assert mountain.filter(is_dtts=True).count() / mountain.count() > 0.2
    assert set(mountain.filter(is_dtts=True).values_list("ethnicity", flat=True)) <= {
        code for code, _w in next(p for p in data.PROVINCES if p.code == "15").ethnic_mix
    }
    ages = [
        2025 - d.year - ((d.month, d.day) > (9, 1))  # on 1 September 2025
        for d in people.values_list("date_of_birth", flat=True)
    ]
    assert min(ages) >= 22 and max(ages) <= 60
    teachers = people.filter(positions__code="GV").distinct().count()
    year = SchoolYear.objects.get(is_current=True)
    assert year.code == "2025-2026"
    assert SchoolYear.objects.filter(code="2024-2025", is_current=False).exists()
    core = CoreDesignation.objects.filter(school_year=year, kind="teacher").count()
    assert 0.03 <= core / teachers <= 0.09
    schools = Unit.objects.filter(kind__in=[UnitKind.SCHOOL, UnitKind.GDTX_CENTRE])
    assert 0.1 <= schools.filter(disadvantaged_area=True).count() / schools.count() <= 0.7
    surnames = Counter(name.split()[0] for name in people.values_list("full_name", flat=True))
    assert surnames.most_common(1)[0][0] == "Nguyễn"


def test_national_plan_has_the_shape_of_the_nation() -> None:
    plan = synth.plan_nation(synth.SIZES["national"], seed=1)
    kinds = Counter(u.kind for u in plan.units)
    assert kinds[UnitKind.DEPARTMENT] == 34
    assert kinds[UnitKind.COMMUNE] == sum(p.communes for p in data.PROVINCES)
    assert 46_000 <= len(plan.schools) <= 50_000
    assert 1_150_000 <= plan.staff_total <= 1_250_000
    assert sum(p.is_city for p in data.PROVINCES) == 6
    disadvantaged = sum(s.disadvantaged for s in plan.schools) / len(plan.schools)
    assert 0.2 <= disadvantaged <= 0.3
    assert len({u.code for u in plan.units}) == len(plan.units)
    assert len({u.path for u in plan.units}) == len(plan.units)


def test_name_pools_are_safe_for_copy_text_format() -> None:
    pools: list[Any] = [
        data.SURNAMES,
        data.GIVEN_MALE,
        data.GIVEN_FEMALE,
        data.MIDDLE_MALE,
        data.MIDDLE_FEMALE_OLDER,
        data.MIDDLE_FEMALE_YOUNGER,
        data.HMONG_GIVEN_MALE,
        data.HMONG_GIVEN_FEMALE,
        data.HIGHLAND_GIVEN,
        data.KHMER_GIVEN,
        data.COMMUNE_FIRST,
        data.COMMUNE_SECOND,
        data.MOUNTAIN_FIRST,
        data.MOUNTAIN_SECOND,
        data.HIGHLAND_FIRST,
        data.HIGHLAND_SECOND,
        data.PRESCHOOL_NAMES,
        data.FAMOUS,
        data.FAMOUS_YOUNG,
        data.TEACHER_TRAINING,
        list(data.ETHNIC_NAMING.values()),
        data.PROVINCES,
        list(data.GROUP_TEMPLATES.values()),
    ]
    text = repr(pools)
    assert "\\t" not in text and "\\n" not in text and "\\\\" not in text


def test_same_seed_same_nation_other_seed_other_nation() -> None:
    generate("tiny", seed=5)
    first = fingerprint()
    generate("tiny", seed=5, reset=True)
    assert fingerprint() == first
    generate("tiny", seed=6, reset=True)
    assert fingerprint() != first


def test_refuses_a_non_empty_database_without_reset() -> None:
    make_unit("Bộ Giáo dục và Đào tạo", kind="ministry", code="BGD")
    with pytest.raises(CommandError, match="--reset"):
        generate("tiny")
    with system_scope():
        assert Unit.objects.count() == 1


def test_reset_replaces_the_nation_and_keeps_accounts() -> None:
    generate("tiny", seed=1)
    with system_scope():
        person = Person.objects.order_by("pk").first()
        unit = person.unit
    user = User.objects.create_user(username="gv1", password="Mat-khau-2025!", person=person)
    RoleAssignment.objects.create(user=user, role="teacher", unit=unit)
    generate("tiny", seed=2, reset=True)
    user.refresh_from_db()
    assert user.person is None
    assert not RoleAssignment.objects.filter(user=user).exists()
    with system_scope():
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        assert Person.objects.count() == Assignment.objects.count()


def test_treebeard_and_orm_writes_work_after_generation() -> None:
    output = generate("tiny", seed=3)
    assert "staff_person" in output
    with system_scope():
        commune = Unit.objects.filter(kind=UnitKind.COMMUNE).order_by("path").first()
        before = commune.numchild
        child = Unit.objects.add_child(
            commune,
            {
                "code": "NEW-MN-1",
                "name": "Trường Mầm non Mới",
                "search_name": "truong mam non moi",
                "kind": UnitKind.SCHOOL,
            },
        )
        commune.refresh_from_db()
        assert commune.numchild == before + 1
        assert child.path.startswith(commune.path) and child.depth == commune.depth + 1
        root = Unit.objects.get(depth=1)
        Unit.objects.add_child(root, {"code": "SGD99", "name": "Sở mới", "kind": "department"})
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        # Sequences were moved past the generated ids: ORM inserts do not collide.
        person = PersonFactory(unit=child, full_name="Nguyễn Thị Mới", staff_code="NEW0001")
        assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").first().pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY loader needs PostgreSQL")
def test_postgres_load_restores_every_index_and_constraint() -> None:
    def schema() -> set[tuple[str, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            )
            rows = set(cursor.fetchall())
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            )
            return rows | set(cursor.fetchall())

    before = schema()
    report = synth.run(size="tiny", seed=4)
    assert report.backend == "postgresql"
    assert schema() == before
    with system_scope():
        assert Person.objects.count() == report.counts["staff_person"] > 100
