"""Groups and rankings equal a recount; small cells withheld on the page, the API and the
export alike; another province's unit is a 404."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from opentemis.core.scoping import system_scope
from opentemis.jobs.models import Job, JobStatus
from opentemis.learning.models import Enrolment, EnrolmentStatus
from opentemis.reports.data import Breakdown
from opentemis.tracking import snapshot
from opentemis.tracking.export import EXPORT_COLUMNS, SHEET
from opentemis.tracking.groups import groups, parse
from opentemis.tracking.selectors import Figures, rank, unit_week
from opentemis.tracking.tests.helpers import learner, new_course
from tests.factories import make_unit, make_user

DOCUMENTED_HEADER = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Xếp hạng",
    "Nhóm",
    "Tỷ lệ hoàn thành (%)",
    "Tỷ lệ đã bắt đầu (%)",
    "Tỷ lệ đạt (%)",
    *(
        f"{m} - {c}"
        for m in ("Đăng ký", "Đã bắt đầu", "Hoàn thành", "Đạt")
        for c in ("tổng", "nữ", "DTTS", "nữ DTTS", "vùng khó khăn")
    ),
]


def test_group_a_is_80_percent_from_the_data() -> None:
    found = groups()
    assert found.first == "A" and found.groups[0].min_rate == 80
    assert not found.groups[0].to_verify and all(g.to_verify for g in found.groups[1:])
    assert found.of(80.0) == "A" and found.of(79.9) != "A" and found.of(0.0) == found.last
    assert found.of(None) == ""


def test_thresholds_must_run_downwards() -> None:
    with pytest.raises(ValueError):
        parse("groups: [{name: A, min_rate: 50}, {name: B, min_rate: 80}, {name: C, min_rate: 0}]")
    with pytest.raises(ValueError):
        parse("groups: [{name: A, min_rate: 80}, {name: B, min_rate: 10}]")


@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(0, 40)), min_size=1, max_size=12),
)
def test_ranking_equals_a_recount(units: list[tuple[int, int]]) -> None:
    rows = []
    for i, (enrolled, completed) in enumerate(units):
        completed = min(completed, enrolled)
        rows.append(
            Figures(
                unit_id=i,
                name=f"U{i:02d}",
                enrolled=Breakdown(enrolled),
                completed=Breakdown(completed),
            )
        )
    found = groups()
    ranked = rank(rows, found)
    rates = {r.unit_id: round(100.0 * r.completed.total / r.enrolled.total, 1) for r in rows}  # type: ignore[operator]
    for row in ranked:
        # A unit's rank: one more than the number of units with a strictly higher rate.
        assert row.rank == 1 + sum(1 for r in rates.values() if r > rates[row.unit_id])
        expected = next(g.name for g in found.groups if rates[row.unit_id] >= g.min_rate)
        assert row.group == expected
    assert [rates[r.unit_id] for r in ranked] == sorted(rates.values(), reverse=True)


@pytest.fixture
def taken(world: Any) -> Any:
    """Province A's course: school A1 with 6 learners, 2 of them DTTS women (a small cell),
    1 completed; school A2 (another commune) with 5, all completed."""
    lw = new_course(world)
    lw.activity("page")
    for i in range(6):
        learner(
            lw.course,
            world.school_a1,
            status=EnrolmentStatus.COMPLETED if i == 0 else EnrolmentStatus.ACTIVE,
            gender="F" if i < 2 else "M",
            ethnicity="02" if i < 2 else "01",
        )
    commune = make_unit("Xã Hai", parent=world.province_a, kind="commune", code="SA-X2")
    school = make_unit("Trường Hai", parent=commune, kind="school", code="SA-X2-T")
    for _ in range(5):
        learner(lw.course, school, status=EnrolmentStatus.COMPLETED, ethnicity="02")
    snapshot.take(timezone.localdate())
    return lw


@pytest.mark.django_db
def test_the_province_page_ranks_its_communes_and_withholds_small_cells(
    world: Any, taken: Any
) -> None:
    client = world.client_for(world.officer_a)
    answer = client.get(reverse("tracking_unit", args=[world.province_a.pk]))
    assert answer.status_code == 200
    view = answer.context["view"]
    assert [c.code for c in view.children] == ["SA-X2", "SA-X1"]
    assert [c.group for c in view.children] == ["A", "C"]
    assert [c.rank for c in view.children] == [1, 2]
    assert [c.code for c in view.praise] == ["SA-X2"]
    assert [c.code for c in view.lagging] == ["SA-X1"]
    commune_a = view.children[1]
    assert commune_a.enrolled.total == 6 and commune_a.enrolled.women == 2
    assert commune_a.enrolled.dtts is None  # 2 DTTS: fewer than 5
    # The other commune's 5 DTTS would give the 2 away by subtraction from the total.
    assert view.children[0].enrolled.dtts is None or view.own.enrolled.dtts is None
    assert "&lt;5" in answer.content.decode()


@pytest.mark.django_db
def test_the_api_and_the_export_say_what_the_page_says(world: Any, taken: Any) -> None:
    client = world.client_for(world.officer_a)
    ranking = client.get(f"/api/v1/tracking/units/{world.province_a.pk}/ranking/").json()
    assert [c["code"] for c in ranking["children"]] == ["SA-X2", "SA-X1"]
    assert ranking["children"][1]["enrolled"]["dtts"] is None
    unit = client.get(f"/api/v1/tracking/units/{world.province_a.pk}/").json()
    assert unit["figures"]["enrolled"]["total"] == 11
    answer = client.get(reverse("tracking_export", args=[world.province_a.pk]))
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content))[SHEET]
    header = [c.value for c in sheet[1]]
    assert header == DOCUMENTED_HEADER == [label for _key, label in EXPORT_COLUMNS]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["SA-X2", "SA-X1", "SA"]  # ranked, then the unit itself
    dtts = header.index("Đăng ký - DTTS")
    assert rows[1][dtts] == "<5"


@pytest.mark.django_db
def test_another_province_is_a_404(world: Any, taken: Any) -> None:
    officer_b = world.client_for(make_user("officer_b", role="unit_officer", unit=world.province_b))
    for url in (
        reverse("tracking_unit", args=[world.province_a.pk]),
        reverse("tracking_remind", args=[world.province_a.pk]),
        reverse("tracking_export", args=[world.province_a.pk]),
        f"/api/v1/tracking/units/{world.province_a.pk}/ranking/",
        f"/api/v1/tracking/units/{world.province_a.pk}/",
    ):
        assert officer_b.get(url).status_code == 404, url
    # A principal reads their own school, not the province above it.
    principal = world.client_for(world.principal_a1)
    assert principal.get(reverse("tracking_unit", args=[world.school_a1.pk])).status_code == 200
    assert principal.get(reverse("tracking_unit", args=[world.province_a.pk])).status_code == 404
    # Nor a course of another unit named in the query.
    other = world.client_for(world.officer_a)
    url = reverse("tracking_unit", args=[world.province_a.pk])
    assert other.get(f"{url}?course=999999").status_code == 404
    assert other.get(f"{url}?course=abc").status_code == 404


@pytest.mark.django_db
def test_the_ranking_reads_a_fixed_number_of_queries(world: Any, taken: Any) -> None:
    def queries() -> int:
        with system_scope(), CaptureQueriesContext(connection) as captured:
            view = unit_week(
                actor=world.officer_a,
                unit=world.province_a,
                school_year=world.year,
                week=timezone.localdate(),
            )
        assert view.children
        return len(captured.captured_queries)

    queries()  # the first read caches the grants
    before = queries()
    for i in range(4):
        commune = make_unit(f"Xã {i}", parent=world.province_a, kind="commune", code=f"SA-Q{i}")
        learner(taken.course, make_unit(f"Trường {i}", parent=commune, code=f"SA-Q{i}-T"))
    snapshot.take(timezone.localdate())
    assert queries() == before


@pytest.mark.django_db
def test_an_officer_takes_the_week_again_as_a_job(
    world: Any, taken: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client_for(world.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("tracking_snapshot", args=[world.province_a.pk]))
    job = Job.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.DONE and job.kind == "tracking.snapshot"
    # A principal reads their school but does not take the country's snapshot.
    principal = world.client_for(world.principal_a1)
    assert (
        principal.post(reverse("tracking_snapshot", args=[world.school_a1.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_the_trend_shows_the_weeks_taken(world: Any, taken: Any) -> None:
    with system_scope():
        Enrolment.objects.update(enrolled_at=timezone.now() - dt.timedelta(days=14))
    snapshot.take(timezone.localdate() - dt.timedelta(days=7))
    snapshot.take(timezone.localdate())
    answer = world.client_for(world.officer_a).get(
        reverse("tracking_unit", args=[world.province_a.pk])
    )
    trend = answer.context["view"].trend
    assert len(trend) == 2 and trend[0].week < trend[1].week
    assert trend[0].completed == 0  # completed this week, not by last Sunday
    assert trend[1].completed == 6
    assert "<polyline" in answer.content.decode()
