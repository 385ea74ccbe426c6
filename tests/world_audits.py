"""The audits app's things for the route matrix (tests/test_route_matrix.py), built on the
shared course (tests/learning_world.py).

* ``audits.completion``: a completed enrolment of a second learner of school A1 in the shared
  course, with a final product handed in and graded Đạt by the course's officer (what the
  auditor reads). Teacher A1's own enrolment stays as the other apps need it.

The auditor (``Actor.AUDITOR``) is the matrix's: an auditor of province A whose grant ends in
30 days (tests/test_route_matrix.py); the product file route takes the products app's
``product.submission``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from opentemis.learning.models import ActivityKind, Enrolment, EnrolmentStatus
from opentemis.products import services as products
from tests.factories import PersonFactory, make_user
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("audits.completion",)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {"audits_completion": {"pk": "audits.completion"}}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "audits_file": {"pk": "product.submission"},
    "audits_sample_export": {},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it)."""
    w = lw.w
    person = PersonFactory(unit=w.school_a1, full_name="Lý Thị Kiểm", staff_code="GVA1KD")
    learner = make_user("learner_audited", role="teacher", unit=w.school_a1, person=person)
    enrolment = lw.enrol(person)
    product = lw.course.activities.filter(kind=ActivityKind.PRODUCT).first()
    if product is not None:
        submission = products.submission_submit(
            actor=learner, activity=product, enrolment=enrolment, text="Kế hoạch bài dạy."
        )
        products.submission_grade(actor=w.officer_a, submission=submission, passed=True, score="8")
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.COMPLETED, completed_at=timezone.now()
    )
    return {"audits.completion": (enrolment.pk, learner)}
