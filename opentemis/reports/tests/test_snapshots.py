"""Weekly completion snapshots and the refresh command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from opentemis.core.scoping import system_scope
from opentemis.reports.models import CompletionSnapshot, EvalCell, ReportState
from opentemis.reports.snapshots import snapshot_week
from opentemis.reports.tests.test_refresh import finalise

pytestmark = pytest.mark.django_db


def test_snapshot_records_completion_and_ranks_siblings(ev):
    finalise(ev, ev.w.teacher_a1, ev.levels("Kha"))
    count = snapshot_week(ev.w.year, dt.date(2026, 5, 20))  # a Wednesday
    with system_scope():
        rows = {s.unit_id: s for s in CompletionSnapshot.objects.all()}
    assert count == len(rows) > 0
    school = rows[ev.w.school_a1.pk]
    assert school.week == dt.date(2026, 5, 18)  # its Monday
    assert (school.to_evaluate, school.finalised) == (4, 1)
    assert school.rate == 25.0
    assert school.rank == 1  # 25 % beats school A2's 0 %
    assert rows[ev.w.school_a2.pk].rank == 2
    assert rows[ev.w.province_a.pk].rank == 1  # province B: nothing finalised
    assert rows[ev.w.province_b.pk].rank == 2
    snapshot_week(ev.w.year, dt.date(2026, 5, 22))  # same week again: replaced, not added
    with system_scope():
        assert CompletionSnapshot.objects.count() == count


def test_refresh_command_rebuilds_and_snapshots(ev):
    out = StringIO()
    call_command("refresh_reports", "--rebuild", "--snapshot", stdout=out)
    assert "rebuilt" in out.getvalue() and "snapshot" in out.getvalue()
    with system_scope():
        assert ReportState.objects.get(school_year=ev.w.year).rebuilt_at is not None
        assert EvalCell.objects.filter(school_year=ev.w.year).exists()
        assert CompletionSnapshot.objects.exists()


def test_the_refresh_loop_takes_the_weekly_snapshot_by_itself(ev, monkeypatch):
    import time as time_module

    from opentemis.reports.management.commands import refresh_reports

    calls = []

    def stop(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(time_module, "sleep", stop)
    assert refresh_reports.time is time_module
    with pytest.raises(KeyboardInterrupt):
        call_command("refresh_reports", "--loop", "5", stdout=StringIO())
    with system_scope():
        weeks = set(CompletionSnapshot.objects.values_list("week", flat=True))
    assert len(weeks) == 1  # taken once, on the first turn of the loop only
    assert calls == [5.0, 5.0]
