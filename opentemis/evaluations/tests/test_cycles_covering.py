"""The one answer to "which cycle covers this unit" (evaluations.selectors.cycles_covering) that
the pages, the API, the printed forms, the paper import and the reminders all ask."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations import selectors
from opentemis.evaluations.models import Cycle, CycleStatus
from opentemis.orgs.models import SchoolYear
from tests.factories import make_school_year, make_user

pytestmark = pytest.mark.django_db


def _cycle(unit, year, status=CycleStatus.OPEN):
    return Cycle.objects.create(
        school_year=year,
        unit=unit,
        unit_path=unit.path,
        name=f"{unit.code} {year.code}",
        self_due=dt.date(2026, 5, 1),
        opinions_due=dt.date(2026, 5, 10),
        review_due=dt.date(2026, 5, 20),
        status=status,
    )


@pytest.fixture
def finished_at_school(ev):
    """Besides the open cycle over province A, a finished one over school A1 (same year)."""
    with system_scope():
        return _cycle(ev.w.school_a1, ev.w.year, CycleStatus.FINISHED)


def test_the_nearest_cycle_above_a_unit_covers_it(ev, finished_at_school):
    w = ev.w
    with system_scope():
        assert selectors.cycle_covering(w.school_a1.path) == finished_at_school
        assert selectors.cycle_covering(w.school_a2.path) == ev.cycle
        assert selectors.cycle_covering(w.province_a.path) == ev.cycle
        assert selectors.cycle_covering(w.school_b1.path) is None
        assert selectors.cycle_covering(w.nation.path) is None


def test_open_only_skips_a_finished_cycle_for_the_open_one_above(ev, finished_at_school):
    with system_scope():
        assert selectors.cycle_covering(ev.w.school_a1.path, open_only=True) == ev.cycle
        ev.cycle.status = CycleStatus.FINISHED
        ev.cycle.save()  # now nothing open covers province A
        assert selectors.cycle_covering(ev.w.school_a2.path, open_only=True) is None
        assert selectors.cycle_covering(ev.w.school_a2.path) == ev.cycle


def test_the_year_is_the_current_one_unless_named(ev):
    w = ev.w
    last_year = make_school_year("2024-2025", current=False)
    with system_scope():
        last = _cycle(w.province_a, last_year, CycleStatus.FINISHED)
        assert selectors.cycle_covering(w.school_a1.path) == ev.cycle
        assert selectors.cycle_covering(w.school_a1.path, school_year=last_year) == last
        SchoolYear.objects.update(is_current=False)  # no year marked: the latest one
        assert selectors.cycle_covering(w.school_a1.path) == ev.cycle


def test_many_units_at_once_in_one_query(ev, finished_at_school, django_assert_num_queries):
    w = ev.w
    paths = [w.school_a1.path, w.school_a2.path, w.school_b1.path]
    with system_scope(), django_assert_num_queries(1):
        found = selectors.cycles_covering(paths)
    assert found == {w.school_a1.path: finished_at_school, w.school_a2.path: ev.cycle}


def test_own_cycle_is_the_open_cycle_covering_the_actors_unit(ev, finished_at_school):
    w = ev.w
    with actor_scope(w.teacher_a1):
        assert selectors.own_cycle(actor=w.teacher_a1) == ev.cycle
    with actor_scope(w.officer_a):
        assert selectors.own_cycle(actor=w.officer_a) is None  # no staff record


def test_a_named_cycle_must_be_visible_and_cover_the_unit(ev):
    w = ev.w
    with actor_scope(w.principal_a1):
        assert selectors.cycle_for_unit(actor=w.principal_a1, unit_path=w.school_a1.path) == (
            ev.cycle
        )
        named = selectors.cycle_for_unit(
            actor=w.principal_a1, unit_path=w.school_a1.path, cycle_id=ev.cycle.pk
        )
        assert named == ev.cycle
    with system_scope():
        other = _cycle(w.school_a2, make_school_year("2024-2025", current=False))
    with actor_scope(w.officer_a), pytest.raises(Http404):
        # Visible to the officer, but it does not cover school A1.
        selectors.cycle_for_unit(actor=w.officer_a, unit_path=w.school_a1.path, cycle_id=other.pk)
    outsider = make_user("officer_b", role="unit_officer", unit=w.province_b)
    with actor_scope(outsider), pytest.raises(Http404):
        selectors.cycle_for_unit(actor=outsider, unit_path=w.school_b1.path, cycle_id=ev.cycle.pk)
