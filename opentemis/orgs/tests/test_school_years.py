"""The one rule of "the current school year" (orgs.selectors) and of a requested ``?year=``."""

from __future__ import annotations

import pytest
from django.http import Http404

from opentemis.orgs.models import SchoolYear
from opentemis.orgs.selectors import (
    current_school_year,
    current_school_year_ref,
    get_school_year,
    school_year_for,
)
from tests.factories import make_school_year

pytestmark = pytest.mark.django_db


def test_the_year_marked_current_wins_over_a_later_one():
    marked = make_school_year("2025-2026", current=True)
    make_school_year("2026-2027", current=False)  # prepared ahead, not yet in use
    assert current_school_year() == marked


def test_without_a_marked_year_the_latest_one_is_current():
    make_school_year("2024-2025", current=False)
    latest = make_school_year("2025-2026", current=False)
    make_school_year("2023-2024", current=False)
    assert current_school_year() == latest


def test_no_year_at_all_is_none_and_a_404_for_a_request():
    assert current_school_year() is None
    assert school_year_for() is None
    with pytest.raises(Http404):
        get_school_year()


def test_a_requested_code_is_that_year_or_404():
    current = make_school_year("2025-2026", current=True)
    last = make_school_year("2024-2025", current=False)
    assert school_year_for("2024-2025") == last
    assert get_school_year("2024-2025") == last
    assert get_school_year("") == current and get_school_year(None) == current
    assert school_year_for("1999-2000") is None
    with pytest.raises(Http404):
        get_school_year("1999-2000")


@pytest.mark.parametrize(("marked", "expected"), [("2024-2025", "2024-2025"), (None, "2025-2026")])
def test_the_subquery_names_the_same_year(marked, expected):
    for code in ("2023-2024", "2024-2025", "2025-2026"):
        make_school_year(code, current=code == marked)
    inside = SchoolYear.objects.get(pk=current_school_year_ref())
    assert inside.code == expected == current_school_year().code


def test_the_subquery_matches_nothing_without_a_year():
    assert not SchoolYear.objects.filter(pk=current_school_year_ref()).exists()
