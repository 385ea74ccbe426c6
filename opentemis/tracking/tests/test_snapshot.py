"""The weekly snapshot equals a recount from the enrolments (decision 0022)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress, Enrolment, EnrolmentStatus
from opentemis.orgs.models import Unit, path_prefixes
from opentemis.tracking import snapshot
from opentemis.tracking.models import COLUMNS, FIGURE_FIELDS, MEASURES, SnapshotRun, WeekFigures
from opentemis.tracking.tests.helpers import learner, new_course
from tests.factories import make_unit
from tests.learning_world import make_course

STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED, EnrolmentStatus.LEFT)


def recount(course_id: int, must_pass: set[int]) -> dict[str, list[int]]:
    """Every unit's 20 figures, recounted one enrolment at a time (the definitions of
    services.py, written again plainly)."""
    with system_scope():
        units = {u.path: u for u in Unit.objects.all()}
        passed_by: dict[int, set[int]] = defaultdict(set)
        for e_id, a_id in ActivityProgress.objects.filter(state="passed").values_list(
            "enrolment_id", "activity_id"
        ):
            passed_by[e_id].add(a_id)
        result: dict[str, list[int]] = defaultdict(lambda: [0] * len(FIGURE_FIELDS))
        for e in Enrolment.objects.filter(course_id=course_id).select_related("person"):
            if e.status == EnrolmentStatus.LEFT:
                continue
            completed = e.status == EnrolmentStatus.COMPLETED
            flags = {
                "enrolled": True,
                "started": e.started_at is not None or completed,
                "completed": completed,
                "passed": must_pass <= passed_by[e.pk] if must_pass else completed,
            }
            woman = e.person.gender == "F"
            dtts = e.person.is_dtts
            unit = units.get(e.unit_path)
            poor = bool(unit and unit.disadvantaged_area)
            for prefix in path_prefixes(e.unit_path):
                row = result[prefix]
                for m, measure in enumerate(MEASURES):
                    if not flags[measure]:
                        continue
                    on = {
                        "total": True,
                        "women": woman,
                        "dtts": dtts,
                        "women_dtts": woman and dtts,
                        "disadvantaged": poor,
                    }
                    for c, column in enumerate(COLUMNS):
                        if on[column]:
                            row[m * len(COLUMNS) + c] += 1
    return {p: v for p, v in result.items() if v[0]}


def stored(week: dt.date, course_id: int) -> dict[str, list[int]]:
    with system_scope():
        return {
            row["unit_path"]: [row[f] for f in FIGURE_FIELDS]
            for row in WeekFigures.objects.filter(week=week, course_id=course_id).values(
                "unit_path", *FIGURE_FIELDS
            )
        }


learners = st.lists(
    st.tuples(
        st.integers(0, 3),  # which school
        st.sampled_from(STATUSES),
        st.booleans(),  # started
        st.integers(0, 3),  # passed: bit mask over the two pass-required activities
        st.sampled_from(["M", "F"]),
        st.sampled_from(["01", "02"]),  # Kinh, or a minority
    ),
    max_size=14,
)


@pytest.mark.django_db
@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=learners, two_courses=st.booleans())
def test_snapshot_equals_a_recount(
    world: Any, system: Any, data: list[Any], two_courses: bool
) -> None:
    with system_scope():
        Enrolment.objects.all().delete()
    lw = new_course(world)
    quiz = lw.activity("page", "Bài kiểm tra", pass_required=True)
    product = lw.activity("page", "Sản phẩm", pass_required=True)
    lw.activity("page", "Đọc tài liệu")
    schools = [world.school_a1, world.school_a2]
    extra = Unit.objects.filter(code="SA-X2").first()
    if extra is None:
        commune = make_unit("Xã Hai", parent=world.province_a, kind="commune", code="SA-X2")
        extra = make_unit(
            "Trường Hai", parent=commune, kind="school", code="SA-X2-T", disadvantaged_area=True
        )
        make_unit("Trường Ba", parent=commune, kind="school", code="SA-X2-T3")
    schools += [extra, Unit.objects.get(code="SA-X2-T3")]
    for school, status, started, mask, gender, ethnicity in data:
        passed = [a for bit, a in ((1, quiz), (2, product)) if mask & bit]
        learner(
            lw.course,
            schools[school],
            status=status,
            started=started,
            passed=passed,
            gender=gender,
            ethnicity=ethnicity,
        )
    other = None
    if two_courses:
        other = new_course(world).course  # no pass-required activity: passed = completed
        for school, status, started, _mask, gender, ethnicity in data[:5]:
            learner(
                other,
                schools[school],
                status=status,
                started=started,
                gender=gender,
                ethnicity=ethnicity,
            )
    run = snapshot.take(timezone.localdate())
    assert stored(run.week, lw.course.pk) == recount(lw.course.pk, {quiz.pk, product.pk})
    if other is not None:
        assert stored(run.week, other.pk) == recount(other.pk, set())


@pytest.mark.django_db
def test_running_a_week_again_replaces_it(world: Any) -> None:
    lw = make_course(world)
    lw.activity("page")
    learner(lw.course, world.school_a2, started=True)
    first = snapshot.take(timezone.localdate())
    week = first.week
    before = stored(week, lw.course.pk)
    assert before[world.school_a2.path][0] == 1  # enrolled: teacher A1's school is A1
    learner(lw.course, world.school_a2, status=EnrolmentStatus.COMPLETED)
    second = snapshot.take(timezone.localdate())
    after = stored(week, lw.course.pk)
    assert second.pk == first.pk and SnapshotRun.objects.count() == 1
    assert after[world.school_a2.path][0] == 2
    assert after[world.school_a2.path][FIGURE_FIELDS.index("completed_total")] == 1
    assert after == recount(lw.course.pk, set())
    with system_scope():
        assert WeekFigures.objects.filter(week=week).count() == len(after)


@pytest.mark.django_db
def test_a_past_week_counts_what_happened_before_its_end(world: Any) -> None:
    lw = make_course(world)
    lw.activity("page")
    learner(lw.course, world.school_a1, status=EnrolmentStatus.COMPLETED)
    last_week = timezone.localdate() - dt.timedelta(days=7)
    run = snapshot.take(last_week)
    assert run.week.weekday() == 0
    assert stored(run.week, lw.course.pk) == {}  # everyone enrolled this week


@pytest.mark.django_db
def test_the_command_takes_the_week(world: Any, capsys: Any) -> None:
    lw = make_course(world)
    lw.activity("page")
    call_command("tracking", "snapshot", "--week", timezone.localdate().isoformat())
    assert "rows" in capsys.readouterr().out
    assert stored(SnapshotRun.objects.get().week, lw.course.pk)[world.school_a1.path][0] == 1
