"""Concurrent graders claiming from the overflow pool never get the same submission (the
claim's ``FOR UPDATE SKIP LOCKED`` and conditional UPDATE; decision 0021).

PostgreSQL only: SQLite's test database refuses a second writer instead of letting it wait,
so the race is not the one production runs (the rule itself is tested on SQLite in
test_grading.py). Run: ``bash scripts/with-pg-db.sh .venv/bin/python -m pytest
opentemis/products/tests/test_claim_concurrency.py -p no:cacheprovider``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.learning import services as learning
from opentemis.products import policy, services
from opentemis.products.demo import demo_product
from opentemis.products.models import Submission
from tests.factories import PersonFactory, make_user
from tests.learning_world import make_course

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent claims need a server that lets writers wait; runs in the PostgreSQL suite",
)

LEARNERS = 6
GRADERS = 8  # more graders than submissions: two of them must find the pool empty


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_get_the_same_submission(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
    with system_scope():
        demo_product(activity=activity)
        for index in range(LEARNERS):
            person = PersonFactory(unit=world.school_a1, full_name=f"Học viên {index}")
            user = make_user(f"hv{index}", role="teacher", unit=world.school_a1, person=person)
            services.submission_submit(
                actor=user, activity=activity, enrolment=lw.enrol(person), text=f"Bài {index}"
            )
        graders = []
        for index in range(GRADERS):
            grader = make_user(f"grader{index}", role="teacher", unit=world.school_b1)
            learning.grader_set(actor=None, course=lw.course, user=grader, unit=None)
            graders.append(grader)
    later = timezone.now() + policy.grading_policy().overflow_after + policy.grading_policy().lease
    barrier = threading.Barrier(GRADERS)
    results: dict[int, Any] = {}

    def claim(grader: Any) -> None:
        try:
            barrier.wait()
            found = services.submission_claim_next(actor=grader, now=later)
            results[grader.pk] = found.pk if found is not None else None
        except Exception as exc:
            results[grader.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(g,)) for g in graders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    errors = [r for r in results.values() if isinstance(r, Exception)]
    taken = [r for r in results.values() if isinstance(r, int)]
    assert not errors and len(results) == GRADERS, results
    assert len(taken) == LEARNERS and len(set(taken)) == LEARNERS, results
    with system_scope():
        holders = dict(Submission.objects.values_list("pk", "claimed_by_id"))
    assert {holders[pk] for pk in taken} == {g for g, pk in results.items() if pk is not None}
