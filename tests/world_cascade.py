"""The cascade app's things for the route matrix (tests/test_route_matrix.py), built on the
shared course (tests/learning_world.py).

* ``cascade.unit``: province A, whose officer (``officer_a``, ``cascade.manage``) designates
  core staff and assigns caseloads;
* ``cascade.school``: school A1, whose principal reads its tổ cốt cán;
* ``cascade.core``: a core teacher of school A1 (with an account, its OWNER), designated with
  the conditions checked, supporting ``cascade.learner``;
* ``cascade.learner``: a mass teacher of school A1 enrolled in the course, in that caseload.

Teacher A1 is left out of every caseload: their products keep going to the course's graders.
"""

from __future__ import annotations

from typing import Any

from opentemis.cascade import services
from opentemis.staff.models import Subject
from tests.factories import PersonFactory, make_user
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("cascade.unit", "cascade.school", "cascade.core", "cascade.learner")
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "cascade_core": {"unit": "cascade.unit"},
    "cascade_person": {"pk": "cascade.core"},
    "cascade_school": {"unit": "cascade.school"},
    "cascade_caseloads": {"unit": "cascade.unit"},
    "cascade_upload": {"unit": "cascade.unit"},
    "cascade_core_caseload": {"pk": "cascade.core"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "cascade_revoke": {"pk": "cascade.core"},
    "cascade_assign": {"pk": "cascade.learner"},
    "cascade_balance": {"unit": "cascade.unit"},
    "cascade_template": {"unit": "cascade.unit"},
    "cascade_move": {"pk": "cascade.core"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {"/api/v1/cascade/units/": "cascade.unit"}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it)."""
    w = lw.w
    core = PersonFactory(
        unit=w.school_a1, full_name="Đặng Văn Cốt", staff_code="CCWA1", subjects=["TH"]
    )
    learner = PersonFactory(
        unit=w.school_a1, full_name="Phan Thị Học", staff_code="DTWA1", subjects=["TH"]
    )
    core_user = make_user("core_world_a1", role="teacher", unit=w.school_a1, person=core)
    services.core_designate(
        actor=w.officer_a,
        person=core,
        school_year=w.year,
        kind="teacher",
        subject=Subject.objects.get(code="TH"),
        level=None,
        override_reason="Giáo viên dạy giỏi cấp tỉnh (hồ sơ chưa nhập).",
    )
    services.caseload_assign(actor=w.officer_a, learner=learner, core=core, school_year=w.year)
    lw.enrol(learner)
    return {
        "cascade.unit": (w.province_a.pk, w.officer_a),
        "cascade.school": (w.school_a1.pk, w.principal_a1),
        "cascade.core": (core.pk, core_user),
        "cascade.learner": (learner.pk, core_user),
    }
