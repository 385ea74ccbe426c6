"""What waits for whom (issue 9 item 3): the review queue agrees with ``access.can_review``,
the Sở officer's list of principals waiting (scoped, paginated, filtered, bounded queries, also
in the API), and the home page's counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations import access, services
from opentemis.evaluations.models import Evaluation
from opentemis.evaluations.tests.conftest import PLAN
from opentemis.evaluations.waiting import review_queue
from tests.factories import PersonFactory, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(ev: Any) -> Any:
    """Submitted: teacher_a1, principal_a1, a deputy of A1 (reviewed by the head), and in
    province B (its own cycle) principal_b1."""
    w = ev.w
    ev.officer_b = make_user("officer_b", role="unit_officer", unit=w.province_b)
    with system_scope():
        deputy_person = PersonFactory(
            unit=w.school_a1, full_name="Phó Văn Hai", staff_code="PHTA1", positions=["PHT"]
        )
        ev.cycle_b = services.cycle_open(
            actor=ev.officer_b,
            unit=w.province_b,
            school_year=w.year,
            name="Đánh giá B",
            self_due=dt.date(2026, 5, 15),
            opinions_due=dt.date(2026, 5, 25),
            review_due=dt.date(2026, 6, 5),
        )
    ev.deputy = make_user("deputy_a1", role="teacher", unit=w.school_a1, person=deputy_person)
    ev.teacher = ev.submitted()
    ev.principal = ev.submitted(w.principal_a1, levels=ev.levels("Tot", n=18))
    ev.deputy_eval = ev.submitted(ev.deputy, levels=ev.levels("Kha", n=18))
    with system_scope():
        evaluation = services.evaluation_start(
            actor=w.principal_b1, cycle=ev.cycle_b, person=w.principal_b1.person
        )
        ev.principal_b = services.evaluation_submit(
            actor=w.principal_b1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Kha", n=18),
            texts=PLAN,
        )
    return ev


def queued(user: Any, **kwargs: Any) -> set[int]:
    with actor_scope(user):
        return set(review_queue(actor=user, **kwargs).values_list("pk", flat=True))


def test_the_queue_is_exactly_what_can_review_allows(queue):
    w = queue.w
    actors = [w.officer_a, queue.officer_b, w.principal_a1, w.principal_b1, w.teacher_a1]
    with system_scope():
        everything = list(Evaluation.objects.select_related("person", "unit"))
    assert len(everything) == 4
    for actor in actors:
        expected = {e.pk for e in everything if access.can_review(actor, e)}
        assert queued(actor, status="") == expected, actor.username
    assert queued(w.officer_a) == {queue.principal.pk}
    assert queued(w.principal_a1) == {queue.teacher.pk, queue.deputy_eval.pk}
    assert queued(queue.officer_b) == {queue.principal_b.pk}
    assert queued(w.teacher_a1) == set()


def test_the_officers_page_lists_the_principals_waiting_and_not_another_provinces(queue):
    w = queue.w
    url = reverse("review_queue")
    page = w.client_for(w.officer_a).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trần Thị Hiệu" in html and "Lê Văn Bình" not in html
    assert reverse("evaluation_review", args=[queue.principal.pk]) in html
    other = w.client_for(queue.officer_b).get(url).content.decode()
    assert "Lê Văn Bình" in other and "Trần Thị Hiệu" not in other
    # A unit of province A as a filter: 404 for province B's officer.
    assert w.client_for(queue.officer_b).get(f"{url}?unit={w.commune_a.pk}").status_code == 404
    assert w.client_for(w.teacher_a1).get(url).status_code == 404


def test_the_page_filters_by_status_unit_and_kind(queue):
    w = queue.w
    client = w.client_for(w.principal_a1)
    url = reverse("review_queue")
    waiting = client.get(url).context["page"]
    assert {e.pk for e in waiting} == {queue.teacher.pk, queue.deputy_eval.pk}
    teachers = client.get(f"{url}?kind=teacher").context["page"]
    assert [e.pk for e in teachers] == [queue.teacher.pk]
    with system_scope():
        services.evaluation_finalise(
            actor=w.principal_a1,
            evaluation=queue.teacher,
            version=queue.teacher.version,
            levels=queue.levels("Kha"),
        )
    finalised = client.get(f"{url}?status=finalised").context["page"]
    assert [e.pk for e in finalised] == [queue.teacher.pk]
    tabs = dict((s, n) for s, _label, n in client.get(url).context["tabs"])
    assert tabs["submitted"] == 1 and tabs["finalised"] == 1
    elsewhere = client.get(f"{url}?unit={w.school_a1.pk}&status=").context["page"]
    assert len(elsewhere.object_list) == 2
    assert client.get(f"{url}?unit={w.school_b1.pk}").status_code == 404


def _principals(n: int, parent: Any, start: int, ev: Any) -> None:
    for i in range(start, start + n):
        with system_scope():
            school = make_unit(f"Trường {i}", parent=parent, kind="school", levels=("THCS",))
            person = PersonFactory(unit=school, staff_code=f"HTX{i}", positions=["HT"])
        user = make_user(f"ht_x{i}", role="principal", unit=school, person=person)
        ev.submitted(user, levels=ev.levels("Kha", n=18))


def test_the_list_and_the_api_cost_the_same_queries_for_more_principals(queue):
    w = queue.w
    client = w.client_for(w.officer_a)
    url = reverse("review_queue")
    api = "/api/v1/evaluations/queue/"
    _principals(2, w.commune_a, 0, queue)
    client.get(url), client.get(api)  # warm the session and the grants cache
    with CaptureQueriesContext(connection) as page_few:
        assert len(client.get(url).context["page"].object_list) == 3
    with CaptureQueriesContext(connection) as api_few:
        assert client.get(api).json()["count"] == 3
    _principals(6, w.commune_a, 10, queue)
    with CaptureQueriesContext(connection) as page_more:
        assert len(client.get(url).context["page"].object_list) == 9
    with CaptureQueriesContext(connection) as api_more:
        assert client.get(api).json()["count"] == 9
    assert len(page_more) == len(page_few)
    assert len(api_more) == len(api_few)


def test_the_api_is_scoped_and_filtered(queue):
    w = queue.w
    api = "/api/v1/evaluations/queue/"
    data = w.client_for(w.officer_a).get(api).json()
    assert [r["person"]["full_name"] for r in data["results"]] == ["Trần Thị Hiệu"]
    assert data["results"][0]["kind"] == "manager"
    b = w.client_for(queue.officer_b)
    assert [r["id"] for r in b.get(api).json()["results"]] == [queue.principal_b.pk]
    assert b.get(f"{api}?unit={w.province_a.pk}").status_code == 404
    mine = w.client_for(w.principal_a1).get(f"{api}?kind=teacher").json()
    assert [r["id"] for r in mine["results"]] == [queue.teacher.pk]
    assert w.client_for(w.principal_a1).get(f"{api}?status=bogus").status_code == 400


def test_the_schema_documents_the_queue(queue):
    schema = queue.w.client_for(queue.w.officer_a).get("/api/v1/openapi.json").content.decode()
    assert "/api/v1/evaluations/queue/" in schema


def test_home_pages_show_what_is_waiting(queue):
    w = queue.w
    html = w.client_for(w.principal_a1).get(reverse("home")).content.decode()
    assert "<b>1</b> phiếu tự đánh giá chờ bạn đánh giá" in html
    assert "<b>1</b> hiệu trưởng, phó hiệu trưởng chờ bạn đánh giá" in html
    assert f"{reverse('review_queue')}?status=submitted&amp;kind=teacher" in html
    officer = w.client_for(w.officer_a).get(reverse("home")).content.decode()
    assert "<b>1</b> hiệu trưởng, phó hiệu trưởng chờ bạn đánh giá" in officer
    assert "phiếu tự đánh giá chờ" not in officer
    colleague = w.client_for(queue.colleague).get(reverse("home")).content.decode()
    assert "<b>1</b> đồng nghiệp chờ ý kiến của bạn" in colleague
    # The principal and the deputy submitted: teacher_a1 has two polls to answer.
    teacher = w.client_for(w.teacher_a1).get(reverse("home")).content.decode()
    assert "<b>2</b> phiếu lấy ý kiến về cán bộ quản lý chờ bạn trả lời" in teacher
    # Province B: its own principal waits for officer_b; principal_b1 has nothing to review.
    other = w.client_for(queue.officer_b).get(reverse("home")).content.decode()
    assert "<b>1</b> hiệu trưởng, phó hiệu trưởng chờ bạn đánh giá" in other
    assert "Chờ bạn xử lý" not in w.client_for(w.principal_b1).get(reverse("home")).content.decode()


def test_the_home_counts_cost_the_same_queries_for_more_waiting(queue):
    w = queue.w
    client = w.client_for(w.officer_a)
    client.get(reverse("home"))  # warm the session and the grants cache
    with CaptureQueriesContext(connection) as few:
        assert "<b>1</b> hiệu trưởng" in client.get(reverse("home")).content.decode()
    _principals(4, w.commune_a, 20, queue)
    with CaptureQueriesContext(connection) as more:
        assert "<b>5</b> hiệu trưởng" in client.get(reverse("home")).content.decode()
    assert len(more) == len(few)
