"""One summary of the colleagues' opinions (selectors.opinion_summaries) for the pages, the API
and the BM3 group summary: counts per level and the comments in an order that names nobody."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.evaluations import selectors, services
from opentemis.evaluations.tests.test_api import api

pytestmark = pytest.mark.django_db


def test_pages_api_and_bm3_count_alike_and_sort_the_comments(ev):
    evaluation = ev.submitted()
    with system_scope():
        # Given in this order: an order kept would tell the reviewer who wrote what.
        services.opinion_give(actor=ev.leader, evaluation=evaluation, level="Tot", comment="Zê")
        services.opinion_give(actor=ev.colleague, evaluation=evaluation, level="Kha", comment="A")
        summary = selectors.opinion_summary(evaluation)
        bm3 = selectors.group_summary(actor=ev.leader, group=ev.group, cycle=ev.cycle)
    assert summary.total == 2
    assert summary.counts == {"ChuaDat": 0, "Dat": 0, "Kha": 1, "Tot": 1}
    assert summary.comments == ["A", "Zê"]
    row = next(r for r in bm3 if r.evaluation == evaluation)
    assert (row.counts, row.comments) == (summary.counts, summary.comments)
    body = api(ev.w.principal_a1).get(f"/api/v1/evaluations/{evaluation.pk}/opinions/").json()
    assert body == {"total": 2, "counts": summary.counts, "comments": ["A", "Zê"]}
    page = ev.w.client_for(ev.w.principal_a1).get(
        reverse("evaluation_review", args=[evaluation.pk])
    )
    html = page.content.decode()
    assert page.context["opinions"] == summary
    assert html.index("<li>A</li>") < html.index("<li>Zê</li>")
