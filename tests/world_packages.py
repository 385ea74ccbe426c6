"""The packages app's things for the route matrix (tests/test_route_matrix.py): a SCORM 1.2
activity and an H5P activity of the shared course (tests/learning_world.py), each with the
project's own demo package, teacher A1 enrolled."""

from __future__ import annotations

from typing import Any

from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = (
    "packages.activity",
    "packages.activity.h5p",
    "packages.activity.manage",
    "packages.file",
)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "packages_play": {"pk": "packages.activity"},
    "packages_manage": {"pk": "packages.activity.manage"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "packages_commit": {"pk": "packages.activity"},
    "packages_xapi": {"pk": "packages.activity.h5p"},
    "packages_file": {"pk": "packages.activity", "path": "packages.file"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {}


def things(lw: LearningWorld) -> dict[str, tuple[Any, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    from opentemis.packages.demo import demo_h5p, demo_scorm

    scorm = lw.activity("scorm", "Gói SCORM: kiểm tra nhanh")
    h5p = lw.activity("h5p", "Nội dung H5P: kiểm tra nhanh")
    demo_scorm(activity=scorm)
    demo_h5p(activity=h5p)
    return {
        "packages.activity": (scorm.pk, lw.w.teacher_a1),
        "packages.activity.h5p": (h5p.pk, lw.w.teacher_a1),
        "packages.activity.manage": (scorm.pk, lw.w.officer_a),
        "packages.file": ("imsmanifest.xml", lw.w.teacher_a1),
    }
