"""The loop app's things for the route matrix (tests/test_route_matrix.py), built on the
shared course (tests/learning_world.py).

* ``loop.person``: teacher A1's staff record (OWNER: teacher A1), with this year's plan
  holding the shared course's module, so that the page has a plan and a course to show.
"""

from __future__ import annotations

from typing import Any

from opentemis.plans.models import Plan, PlanItem
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("loop.person",)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {"loop_person": {"pk": "loop.person"}}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it)."""
    w = lw.w
    plan = Plan.objects.filter(person=w.person_a1, school_year=w.year).first()
    if plan is not None and lw.module is not None:
        PlanItem.objects.get_or_create(
            plan=plan, module=lw.module, defaults={"programme": "03", "hours": 10}
        )
    return {"loop.person": (w.person_a1.pk, w.teacher_a1)}
