"""Summary tables: hand-computed figures on the fixture tree, incremental refresh equal to a full
recount after every kind of change, small-cell protection and scoping."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.http import Http404

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import LOCKED_STATUSES, Evaluation
from opentemis.orgs.models import Unit
from opentemis.reports import refresh
from opentemis.reports.models import EvalCell, ReportState
from opentemis.reports.selectors import report_for, report_for_system
from opentemis.staff.models import EmploymentStatus, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_suppression(settings: Any) -> None:
    settings.REPORT_MIN_CELL = 1  # hand-computed figures first; protection has its own tests


def finalise(ev: Any, user: Any, levels: dict[str, str]) -> Evaluation:
    evaluation = ev.submitted(user=user, levels=levels)
    reviewer = ev.w.principal_a1 if user.person.unit_id == ev.w.school_a1.pk else None
    with system_scope():
        if reviewer is None:
            from tests.factories import make_user

            reviewer = make_user(f"head_{user.pk}", role="principal", unit=user.person.unit)
        return services.evaluation_finalise(
            actor=reviewer, evaluation=evaluation, version=evaluation.version, levels=levels
        )


def population(manager: bool, level: str) -> str:
    """Written out here, independently of reports.refresh: preschool people apart."""
    if level == "MN":
        return "CBMN" if manager else "GVMN"
    return "CBQL" if manager else "GV"


def finalise_principal(ev: Any, user: Any) -> Evaluation:
    """A principal's evaluation, all Tốt: reviewed by the superior unit (evaluator rule: Sở)."""
    evaluation = ev.submitted(user=user, levels=ev.levels("Tot", n=18))
    with system_scope():
        return services.evaluation_finalise(
            actor=ev.w.officer_a,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot", n=18),
        )


def recount(school_year: Any) -> dict[int, dict[tuple[Any, ...], tuple[int, ...]]]:
    """The reference: every unit's subtree figures counted straight from the raw rows."""
    evaluated = ("GV", "TTCM", "TPCM", "TPT", "HT", "PHT")
    result: dict[int, dict[tuple[Any, ...], list[int]]] = {}
    with system_scope():
        units = list(Unit.objects.all())
        info = {}
        for unit in units:
            levels = sorted(unit.levels.all(), key=lambda lvl: lvl.order)
            info[unit.pk] = (unit.path, levels[0].code if levels else "", unit.disadvantaged_area)
        people = [
            p
            for p in Person.objects.filter(employment_status=EmploymentStatus.WORKING)
            if any(pos.code in evaluated for pos in p.positions.all())
        ]
        evaluations = {
            e.person_id: e
            for e in Evaluation.objects.filter(cycle__school_year=school_year)
            .select_related("person")
            .order_by("id")
        }
    for unit in units:
        figures: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * 8)
        for p in people:
            if not p.unit_path.startswith(unit.path):
                continue
            _path, level, dis = info[p.unit_id]
            manager = any(pos.is_manager and pos.code in evaluated for pos in p.positions.all())
            key = (population(manager, level), level, p.gender == "F", p.is_dtts, dis)
            figures[key][0] += 1
        for e in evaluations.values():
            if not e.unit_path.startswith(unit.path):
                continue
            _path, level, dis = info[e.unit_id]
            pop = population(e.kind == "manager", level)
            key = (pop, level, e.person.gender == "F", e.person.is_dtts, dis)
            figures[key][1] += 1
            figures[key][2] += e.submitted_at is not None
            if e.status in LOCKED_STATUSES:
                figures[key][3] += 1
                index = ["ChuaDat", "Dat", "Kha", "Tot"].index(e.final_rating)
                figures[key][4 + index] += 1
        if figures:
            result[unit.pk] = {k: tuple(v) for k, v in figures.items()}
    return result


def staff_recount() -> dict[int, int]:
    """Working staff in evaluated positions per unit subtree, straight from the raw rows."""
    evaluated = ("GV", "TTCM", "TPCM", "TPT", "HT", "PHT")
    with system_scope():
        paths = [
            p.unit_path
            for p in Person.objects.filter(employment_status=EmploymentStatus.WORKING)
            if any(pos.code in evaluated for pos in p.positions.all())
        ]
        units = list(Unit.objects.all())
    counts = {u.pk: sum(path.startswith(u.path) for path in paths) for u in units}
    return {pk: n for pk, n in counts.items() if n}


def staff_stored(school_year: Any) -> dict[int, int]:
    from opentemis.reports.models import StaffCell

    result: dict[int, int] = defaultdict(int)
    with system_scope():
        for unit_id, count in StaffCell.objects.filter(
            school_year=school_year, dimension="level"
        ).values_list("unit_id", "count"):
            result[unit_id] += count
    return dict(result)


def stored(school_year: Any) -> dict[int, dict[tuple[Any, ...], tuple[int, ...]]]:
    result: dict[int, dict[tuple[Any, ...], tuple[int, ...]]] = defaultdict(dict)
    with system_scope():
        for c in EvalCell.objects.filter(school_year=school_year):
            key = (c.population, c.level, c.woman, c.dtts, c.disadvantaged)
            result[c.unit_id][key] = (
                c.to_evaluate,
                c.started,
                c.self_evaluated,
                c.finalised,
                c.rating_chuadat,
                c.rating_dat,
                c.rating_kha,
                c.rating_tot,
            )
    return dict(result)


def test_province_figures_are_the_hand_counted_ones(ev):
    final = finalise(ev, ev.w.teacher_a1, ev.levels("Kha", c3="Dat")).final_rating
    refresh.rebuild(ev.w.year)
    data = report_for(actor=ev.w.officer_a, unit=ev.w.province_a, school_year=ev.w.year)
    # Province A: school A1 (TH) has GV person_a1, colleague, leader (men) and the principal
    # (a woman, CBQL); school A2 (THCS, disadvantaged area) has person_a2, a DTTS woman.
    all_levels = data.teachers.completion[0]
    assert all_levels.label
    assert all_levels.to_evaluate.values() == [4, 1, 1, 1, 1]
    assert all_levels.self_evaluated.values() == [1, 0, 0, 0, 0]
    assert all_levels.finalised.values() == [1, 0, 0, 0, 0]
    assert [r.level for r in data.teachers.completion] == ["", "TH", "THCS"]
    assert data.teachers.completion[2].to_evaluate.values() == [1, 1, 1, 1, 1]
    assert data.managers.completion[0].to_evaluate.values() == [1, 1, 0, 0, 0]
    ratings = data.teachers.ratings[0]
    assert {code: b.total for code, b in ratings.by_rating.items()} == {
        code: int(code == final) for code in ("ChuaDat", "Dat", "Kha", "Tot")
    }
    criterion3 = next(c for c in data.teachers.criteria if c.number == 3)
    assert criterion3.counts == {"ChuaDat": 0, "Dat": 1, "Kha": 0, "Tot": 0}
    assert criterion3.name  # named from TT 20/2018
    # training needs: criterion 3 below Khá, and 15 chosen first by the teacher (ev fixture)
    assert {n.key: n.count for n in data.teachers.needs_by_criterion} == {"3": 1, "15": 1}
    assert data.teachers.needs_by_module
    levels = {r.key: r.counts.total for r in data.staff[0].rows}
    assert levels == {"TH": 4, "THCS": 1}
    ages = {r.key: r.counts.total for r in data.staff[2].rows}
    assert sum(ages.values()) == 5
    commune = data.children[0]
    assert (commune.code, commune.to_evaluate, commune.finalised) == ("SA-X1", 5, 1)
    assert commune.rate == 20.0 and commune.rank == 1 and commune.group == "C"
    assert data.years[-1].school_year == ev.w.year.code
    assert data.as_of is not None


def preschool_school(ev: Any) -> Any:
    """School MN1 (preschool, commune A): principal (a woman), a teacher (a DTTS woman), and a
    teacher who has not started."""
    from types import SimpleNamespace

    from tests.factories import make_unit, make_user

    school = make_unit(
        "Trường Mầm non Hòa An", parent=ev.w.commune_a, kind="school", code="SA-MN1", levels=("MN",)
    )
    head = PersonFactory(unit=school, staff_code="HTMN1", gender="F", positions=["HT"])
    teacher = PersonFactory(unit=school, staff_code="GVMN1", gender="F", ethnicity="02")
    PersonFactory(unit=school, staff_code="GVMN2", gender="F")
    return SimpleNamespace(
        school=school,
        principal=make_user("ht_mn1", role="principal", unit=school, person=head),
        teacher=make_user("gv_mn1", role="teacher", unit=school, person=teacher),
    )


def test_preschool_people_have_their_own_sections(ev):
    """Preschool teachers (TT 26) and principals (TT 25) are counted in sections A.3 and A.4,
    never under TT 20 / TT 14, with the same breakdowns and criteria named from their own
    standard."""
    preschool = preschool_school(ev)
    final = finalise(ev, preschool.teacher, ev.levels("Kha", c3="Dat")).final_rating
    finalise_principal(ev, preschool.principal)
    refresh.rebuild(ev.w.year)
    data = report_for(actor=ev.w.officer_a, unit=ev.w.province_a, school_year=ev.w.year)
    # General education is as before: the preschool is in none of its rows.
    assert data.teachers.completion[0].to_evaluate.values() == [4, 1, 1, 1, 1]
    assert [r.level for r in data.teachers.completion] == ["", "TH", "THCS"]
    assert data.managers.completion[0].to_evaluate.total == 1
    teachers = data.preschool_teachers
    assert teachers.title == "Giáo viên mầm non (Thông tư 26/2018)"
    assert [r.level for r in teachers.completion] == ["", "MN"]
    assert teachers.completion[0].to_evaluate.values() == [2, 2, 1, 1, 0]
    assert teachers.completion[0].self_evaluated.values() == [1, 1, 1, 1, 0]
    assert teachers.completion[0].finalised.values() == [1, 1, 1, 1, 0]
    assert {code: b.total for code, b in teachers.ratings[0].by_rating.items()} == {
        code: int(code == final) for code in ("ChuaDat", "Dat", "Kha", "Tot")
    }
    criterion3 = next(c for c in teachers.criteria if c.number == 3)
    assert criterion3.counts == {"ChuaDat": 0, "Dat": 1, "Kha": 0, "Tot": 0}
    assert criterion3.name == "Phát triển chuyên môn bản thân"
    assert next(c for c in teachers.criteria if c.number == 5).name == (
        "Nuôi dưỡng và chăm sóc sức khỏe trẻ em"  # TT 26's, not TT 20's criterion 5
    )
    managers = data.preschool_managers
    assert managers.completion[0].to_evaluate.values() == [1, 1, 0, 0, 0]
    assert managers.ratings[0].by_rating["Tot"].total == 1
    assert len(managers.criteria) == 18
    staff_levels = {r.key: r.counts.total for r in data.staff[0].rows}
    assert staff_levels == {"MN": 3, "TH": 4, "THCS": 1}


def test_preschool_small_cells_are_protected_like_the_others(ev, settings):
    settings.REPORT_MIN_CELL = 2
    preschool_school(ev)  # one DTTS woman among its teachers
    refresh.rebuild(ev.w.year)
    school = report_for_system(unit=ev.w.school_a1, school_year=ev.w.year)
    assert school.preschool_teachers.completion[0].to_evaluate.total == 0  # a primary school
    with system_scope():
        mn = Unit.objects.get(code="SA-MN1")
    row = report_for_system(unit=mn, school_year=ev.w.year).preschool_teachers.completion[0]
    assert row.to_evaluate.total == 2 and row.to_evaluate.women == 2
    assert row.to_evaluate.dtts is None and row.to_evaluate.women_dtts is None


def test_refresh_equals_a_full_recount_after_every_kind_of_change(ev):
    year = ev.w.year
    refresh.rebuild(year)
    assert stored(year) == recount(year)
    assert staff_stored(year) == staff_recount()

    finalise(ev, ev.w.teacher_a1, ev.levels("Tot", c6="Dat"))  # a finalisation
    ev.submitted(user=ev.colleague)  # a submission
    assert refresh.refresh(year) > 0
    assert stored(year) == recount(year)
    assert staff_stored(year) == staff_recount()

    preschool = preschool_school(ev)  # a new preschool: its staff, a TT 26 and a TT 25 result
    finalise(ev, preschool.teacher, ev.levels("Kha"))
    finalise_principal(ev, preschool.principal)
    refresh.refresh(year)
    assert stored(year) == recount(year)
    assert staff_stored(year) == staff_recount()
    assert {key[0] for cells in stored(year).values() for key in cells} == {
        "GV",
        "CBQL",
        "GVMN",
        "CBMN",
    }

    with system_scope():  # a new teacher, a DTTS woman, in the other province
        PersonFactory(unit=ev.w.school_b1, gender="F", ethnicity="02", staff_code="GVNEW")
        # and one attached to a commune itself: a unit with both own staff and children
        PersonFactory(unit=ev.w.commune_a, gender="F", staff_code="GVXA")
    refresh.refresh(year)
    assert stored(year) == recount(year)
    assert staff_stored(year) == staff_recount()

    from opentemis.staff.services import person_transfer

    with system_scope():  # a transfer: both schools change
        person = Person.objects.get(pk=ev.w.person_a2.pk)
        person_transfer(actor=ev.w.officer_a, person=person, to_unit=ev.w.school_a1)
    refresh.refresh(year)
    assert stored(year) == recount(year)
    assert staff_stored(year) == staff_recount()

    with system_scope():  # a reopening takes the result back out
        evaluation = Evaluation.objects.get(person=ev.w.person_a1)
        services.evaluation_reopen(actor=ev.w.officer_a, evaluation=evaluation, reason="Nhầm")
    refresh.refresh(year)
    assert stored(year) == recount(year)
    assert staff_stored(year) == staff_recount()
    with system_scope():
        state = ReportState.objects.get(school_year=year)
    assert state.refreshed_at >= state.rebuilt_at


def test_a_report_older_than_the_limit_is_refreshed_when_read(ev, settings):
    settings.REPORT_MAX_STALENESS = 0
    first = report_for_system(unit=ev.w.province_a, school_year=ev.w.year)
    assert first.teachers.completion[0].finalised.total == 0
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha"))
    again = report_for_system(unit=ev.w.province_a, school_year=ev.w.year)
    assert again.teachers.completion[0].finalised.total == 1
    assert again.as_of >= first.as_of


def test_another_provinces_officer_gets_404(ev):
    refresh.rebuild(ev.w.year)
    with pytest.raises(Http404):
        report_for(actor=ev.w.principal_b1, unit=ev.w.province_a, school_year=ev.w.year)
    with pytest.raises(Http404):
        report_for(actor=ev.w.teacher_a1, unit=ev.w.school_a1, school_year=ev.w.year)
    data = report_for(actor=ev.w.principal_a1, unit=ev.w.school_a1, school_year=ev.w.year)
    assert data.unit_code == ev.w.school_a1.code


def test_small_cells_are_suppressed_and_cannot_be_subtracted(ev, settings):
    settings.REPORT_MIN_CELL = 2
    with system_scope():  # school A2 (THCS) gets a second DTTS teacher: 2 DTTS, shown (k=2)
        PersonFactory(unit=ev.w.school_a2, gender="M", ethnicity="03", staff_code="GVDT2")
        PersonFactory(unit=ev.w.school_a2, gender="M", ethnicity="01", staff_code="GVKINH")
    refresh.rebuild(ev.w.year)
    # School A1: no DTTS teacher (0, shown); school A2: 2 DTTS (1 woman: suppressed).
    a2 = report_for_system(unit=ev.w.school_a2, school_year=ev.w.year)
    row = a2.teachers.completion[0].to_evaluate
    assert row.dtts == 2
    assert row.women_dtts is None  # one DTTS woman
    assert row.total == 3 and row.women == 1  # not sensitive: always shown
    province = report_for_system(unit=ev.w.province_a, school_year=ev.w.year)
    assert province.teachers.completion[0].to_evaluate.women_dtts is None


def test_rule_three_hides_the_sibling_that_would_give_a_suppressed_cell_away(ev, settings):
    settings.REPORT_MIN_CELL = 3
    with system_scope():
        # Province B gets a commune-level sibling structure: school B1 with 3 DTTS teachers
        # (shown), a new school B2 with 1 DTTS teacher (suppressed). Province B's total is 4:
        # without rule 3, 4 - 3 = 1 would give school B2's figure away.
        from tests.factories import make_unit

        b2 = make_unit("Trường THPT Bình An", parent=ev.w.province_b, kind="school", code="SB-2")
        for i in range(3):
            PersonFactory(unit=ev.w.school_b1, ethnicity="02", staff_code=f"GVB1D{i}")
        PersonFactory(unit=b2, ethnicity="02", staff_code="GVB2D")
    refresh.rebuild(ev.w.year)
    b1 = report_for_system(unit=ev.w.school_b1, school_year=ev.w.year)
    b2_report = report_for_system(unit=b2, school_year=ev.w.year)
    province = report_for_system(unit=ev.w.province_b, school_year=ev.w.year)
    assert b2_report.teachers.completion[0].to_evaluate.dtts is None  # primary
    assert province.teachers.completion[0].to_evaluate.dtts == 4
    assert b1.teachers.completion[0].to_evaluate.dtts is None  # rule 3


def test_sibling_figures_match_the_report_addresses(ev):
    """Rule 3 reads siblings' DTTS figures without building their reports: they must be the
    same numbers, at the same addresses, as a built report's."""
    from opentemis.reports.models import StaffCell
    from opentemis.reports.protection import cells
    from opentemis.reports.selectors import _dtts_staff, build, sensitive_figures

    with system_scope():
        PersonFactory(unit=ev.w.school_a1, gender="F", ethnicity="05", staff_code="GVDT9")
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha"))
    refresh.rebuild(ev.w.year)
    with system_scope():
        for unit in (ev.w.province_a, ev.w.school_a1, ev.w.school_a2):
            eval_cells = list(EvalCell.objects.filter(school_year=ev.w.year, unit=unit))
            staff_cells = list(StaffCell.objects.filter(school_year=ev.w.year, unit=unit))
            built = {
                address: (b.dtts, b.women_dtts)
                for address, b in cells(build(unit, ev.w.year, extras=False))
                if b.dtts
            }
            assert built
            staff_rows = [(c.dimension, c.key, c.woman, c.count) for c in staff_cells if c.dtts]
            assert sensitive_figures(eval_cells, staff_rows) == built
            assert (
                sensitive_figures(
                    eval_cells,
                    _dtts_staff(
                        StaffCell.objects.filter(school_year=ev.w.year, unit=unit, dtts=True)
                    )[unit.pk],
                )
                == built
            )
