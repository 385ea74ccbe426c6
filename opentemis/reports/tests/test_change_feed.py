"""The change feed of a school year (reports.refresh._changed_units) holds that year's changes
only: a finalisation of the current year never makes last year's refresh recount its school
(issue 15), while last year's own changes still do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation
from opentemis.evaluations.tests.conftest import PLAN
from opentemis.reports import refresh
from opentemis.reports.models import EvalCell, ReportState
from opentemis.reports.tests.test_refresh import finalise
from tests.factories import make_school_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(ev: Any) -> Any:
    """2024-2025 with its own cycle over province A and the colleague's evaluation, started."""
    with system_scope():
        year = make_school_year("2024-2025", current=False)
        cycle = services.cycle_open(
            actor=ev.w.officer_a,
            unit=ev.w.province_a,
            school_year=year,
            name="Đánh giá chuẩn 2024-2025",
            self_due=dt.date(2025, 5, 15),
            opinions_due=dt.date(2025, 5, 25),
            review_due=dt.date(2025, 6, 5),
        )
        evaluation = services.evaluation_start(
            actor=ev.colleague, cycle=cycle, person=ev.colleague.person
        )
    year.cycle = cycle
    year.evaluation = evaluation
    return year


def _from_now(year: Any) -> dt.datetime:
    """Rebuild ``year`` and move its watermark so that its next refresh sees what comes after
    this call only (the fixtures' own writes are older)."""
    refresh.rebuild(year)
    since = timezone.now()
    with system_scope():
        ReportState.objects.filter(school_year=year).update(watermark=since + refresh.OVERLAP)
    return since


def feed(year: Any, since: dt.datetime) -> refresh.Changes:
    with system_scope():
        return refresh._changed_units(year, since)


def _row_ids(year: Any) -> set[int]:
    with system_scope():
        return set(EvalCell.objects.filter(school_year=year).values_list("pk", flat=True))


def test_a_current_year_finalisation_leaves_last_years_summaries_alone(ev, last_year):
    current = ev.w.year
    since = _from_now(last_year)
    before = _row_ids(last_year)
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha"))  # the current year, school A1

    last = feed(last_year, since)
    assert last.evaluations == set() and last.staff == set()
    # The current year's feed has it (the evaluation and its audit events).
    assert feed(current, since).evaluations == {ev.w.school_a1.pk}
    # Last year's refresh touches no school: not one of its rows is rewritten.
    assert refresh.refresh(last_year) == 0
    assert _row_ids(last_year) == before


def test_an_audit_event_counts_for_the_year_of_the_record_it_names(ev, last_year):
    """Events are filtered through the evaluation or cycle they name: an event that changes no
    ``updated_at`` (an evidence link, say) still reaches its own year, and only that one."""
    since = timezone.now()
    with system_scope():
        audit(
            actor=ev.colleague,
            action="evaluation.evidence_attach",
            unit_id=ev.w.school_a1.pk,
            obj=last_year.evaluation,
        )
        audit(
            actor=ev.w.officer_a,
            action="cycle.finish",
            unit_id=ev.w.province_a.pk,
            obj=last_year.cycle,
        )
    assert feed(last_year, since).evaluations == {
        ev.w.school_a1.pk,
        ev.w.province_a.pk,
    }
    assert feed(ev.w.year, since).evaluations == set()


def test_last_years_own_changes_are_still_refreshed(ev, last_year):
    since = _from_now(last_year)
    _from_now(ev.w.year)
    current_rows = _row_ids(ev.w.year)
    with system_scope():
        evaluation = Evaluation.objects.get(pk=last_year.evaluation.pk)
        services.evaluation_submit(
            actor=ev.colleague,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Kha"),
            texts=PLAN,
            priority_criteria=[15],
        )
    assert feed(last_year, since).evaluations == {ev.w.school_a1.pk}
    assert feed(ev.w.year, since).evaluations == set()
    assert refresh.refresh(last_year) > 0
    with system_scope():
        cells = EvalCell.objects.filter(school_year=last_year, unit=ev.w.school_a1)
        assert sum(c.self_evaluated for c in cells) == 1
    assert refresh.refresh(ev.w.year) == 0  # the current year is left alone in turn
    assert _row_ids(ev.w.year) == current_rows


def test_an_event_naming_no_record_counts_for_every_year(ev, last_year):
    """Conservative: an evaluation event that names nothing (or a deleted record) is not
    dropped from any year's feed."""
    since = timezone.now()
    with system_scope():
        audit(actor=ev.w.officer_a, action="evaluation.paper_import", unit_id=ev.w.school_b1.pk)
    for year in (last_year, ev.w.year):
        assert feed(year, since).evaluations == {ev.w.school_b1.pk}
