"""The products app's things for the route matrix (tests/test_route_matrix.py): each kind a
route of the app takes, built on the shared course (tests/learning_world.py).

* ``product``: a final-product activity of the course (teacher A1, enrolled, is its OWNER;
  the course's officer ``officer_a`` builds it and grades every learner);
* ``product.submission``: teacher A1's submission, waiting for a grade (with a PDF file);
* ``product.appealed``: teacher A1's submission of a second product, graded Chưa đạt by the
  course's officer and appealed (a lecturer second-marks it).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from opentemis.evidence.tests import files
from opentemis.products import services
from opentemis.products.demo import demo_grade, demo_product, demo_submit
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("product", "product.submission", "product.appealed")
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "products_activity": {"pk": "product"},
    "products_manage": {"pk": "product"},
    "products_queue": {"pk": "product"},
    "products_grade": {"pk": "product.submission"},
    "products_second_mark": {"pk": "product.appealed"},
    "products_workload": {"pk": "course"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "products_submit": {"pk": "product"},
    "products_file": {"pk": "product.submission"},
    "products_release": {"pk": "product.submission"},
    "products_appeal": {"pk": "product.submission"},
    "products_workload_export": {"pk": "course"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {
    "/api/v1/learn/products/": "product",
    "/api/v1/learn/products/submissions/": "product.submission",
    "/api/v1/learn/products/courses/": "course",
}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    activity = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
    demo_product(activity=activity)
    submission = services.submission_submit(
        actor=lw.w.teacher_a1,
        activity=activity,
        enrolment=lw.enrolment,
        text="Kế hoạch kiểm tra, đánh giá chủ đề Phân số.",
        uploaded_file=SimpleUploadedFile("ke-hoach.pdf", files.pdf(), "application/pdf"),
    )
    second = lw.activity("product", "Sản phẩm: kế hoạch bài dạy")
    demo_product(activity=second)
    failed = demo_grade(
        grader=lw.w.officer_a,
        submission=demo_submit(activity=second, learner=lw.w.teacher_a1),
        passed=False,
    )
    services.appeal_lodge(
        actor=lw.w.teacher_a1, submission=failed, reason="Bài đã có đủ bảng đặc tả ở trang 3."
    )
    return {
        "product": (activity.pk, lw.w.teacher_a1),
        "product.submission": (submission.pk, lw.w.teacher_a1),
        "product.appealed": (failed.pk, lw.w.teacher_a1),
    }
