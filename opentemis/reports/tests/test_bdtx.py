"""The BDTX part of the TEMIS report (issue 12 item 7): its figures, the small-cell protection of
the needs' sub-columns, and who sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.plans.models import Outcome, Plan, PlanItem, PlanStatus, YearResult
from opentemis.reports import refresh
from opentemis.reports.bdtx import bdtx_part
from opentemis.training.models import Module, Programme
from opentemis.training.services import load_builtin_catalogues
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _plans(w: Any, forms: list[tuple[str, str, str]]) -> Module:
    """One approved plan per (gender, ethnicity, form) in school A1, all taking one module."""
    load_builtin_catalogues(school_year=w.year)
    module = Module.objects.filter(audience="GV").order_by("code").first()
    assert module is not None
    for gender, ethnicity, form in forms:
        person = PersonFactory(unit=w.school_a1, gender=gender, ethnicity=ethnicity)
        plan = Plan.objects.create(
            person=person,
            school_year=w.year,
            unit=w.school_a1,
            unit_path=w.school_a1.path,
            title="gv_th",
            status=PlanStatus.APPROVED,
        )
        PlanItem.objects.create(
            plan=plan, programme=Programme.P03, module=module, hours=10, form=form
        )
        YearResult.objects.create(
            person=person,
            school_year=w.year,
            unit=w.school_a1,
            unit_path=w.school_a1.path,
            plan=plan,
            outcome=Outcome.COMPLETED,
        )
    return module


def test_the_needs_sub_columns_are_protected_and_the_rest_exact(world: Any, settings: Any) -> None:
    settings.REPORT_MIN_CELL = 3
    w = world
    with system_scope():
        # 6 people: 3 DTTS (2 of them at a distance, 1 face-to-face), 3 Kinh, blended.
        module = _plans(
            w,
            [
                ("F", "02", "tu_xa"),
                ("M", "02", "tu_xa"),
                ("F", "04", "tap_trung"),
                ("M", "01", "ket_hop"),
                ("F", "01", "ket_hop"),
                ("M", "01", "ket_hop"),
            ],
        )
        part = bdtx_part(actor=w.officer_a, unit=w.province_a, school_year=w.year)
    assert part is not None
    (line,) = part.needs
    assert line.code == module.code
    assert (line.people.total, line.people.women, line.people.dtts) == (6, 3, 3)
    assert line.people.disadvantaged == 0
    # DTTS 2 at a distance and 1 face-to-face are under 3: hidden; the DTTS total (3) shown,
    # but with both its parts hidden, nothing can be worked out. Women DTTS (2): hidden.
    assert line.by_form["tu_xa"].dtts is None and line.by_form["tap_trung"].dtts is None
    assert line.people.women_dtts is None
    assert line.by_form["ket_hop"].total == 3 and line.by_form["ket_hop"].dtts == 0
    assert part.suppressed
    assert (part.total.approved, part.total.completed) == (6, 6)
    ranked = {c.name: c.completion_rank for c in part.by_completion}
    assert ranked[w.commune_a.name] == 1


def test_one_hidden_form_makes_a_second_one_hidden(world: Any, settings: Any) -> None:
    settings.REPORT_MIN_CELL = 3
    w = world
    dtts = [("M", "02", "tu_xa")] + [("M", "02", "ket_hop")] * 4
    with system_scope():
        _plans(w, dtts)
        part = bdtx_part(actor=w.principal_a1, unit=w.school_a1, school_year=w.year)
    assert part is not None
    (line,) = part.needs
    # tu_xa (1) hidden by rule 1; the total (5) is shown, so ket_hop (4) is hidden by rule 2.
    assert line.by_form["tu_xa"].dtts is None
    assert line.by_form["ket_hop"].dtts is None
    assert line.people.dtts == 5


def test_the_report_page_shows_the_bdtx_part(world: Any, settings: Any) -> None:
    settings.REPORT_MIN_CELL = 1
    w = world
    with system_scope():
        module = _plans(w, [("F", "01", "tu_xa")])
        refresh.rebuild(w.year)
    client = w.client_for(w.officer_a)
    url = reverse("report_unit", args=[w.province_a.pk])
    # First without it (the plans are read after, on demand)...
    html = client.get(url).content.decode()
    assert 'id="bdtx"' in html and "bdtx=1" in html and module.code not in html
    # ... then the part alone (HTMX), or the whole page with it (no script).
    part = client.get(url, {"bdtx": "1"}, headers={"hx-request": "true"}).content.decode()
    assert part.lstrip().startswith("<section") and module.code in part
    assert "<html" not in part
    html = client.get(url, {"bdtx": "1"}).content.decode()
    assert 'id="bdtx"' in html and module.code in html and "<html" in html
    assert reverse("plans_rollup", args=[w.province_a.pk]) in html
    with system_scope():
        assert bdtx_part(actor=w.teacher_a1, unit=w.school_a1, school_year=w.year) is None
