"""The surveys app's things for the route matrix (tests/test_route_matrix.py): each kind a
route of the app takes, built on the shared course (tests/learning_world.py)."""

from __future__ import annotations

from typing import Any

from opentemis.surveys import services
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("survey",)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "survey_take": {"pk": "survey"},
    "survey_results": {"pk": "survey"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {}
#: The API's paths with an id: the path before ``{id}`` (e.g. "/api/v1/learn/attempts/") -> kind.
API_IDS: dict[str, str] = {"/api/v1/learn/surveys/": "survey"}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    activity = lw.activity("survey", "Khảo sát mức độ hài lòng")
    survey = services.survey_for(activity)
    services.answer_submit(
        actor=None,
        survey=survey,
        enrolment=lw.enrolment,
        answers={code: 9 for code in ("muc_tieu", "noi_dung", "phuong_phap", "danh_gia")}
        | {code: 8 for code in ("hoc_lieu", "to_chuc", "giang_vien", "tac_dong")},
        comment="Rất bổ ích.",
    )
    return {"survey": (activity.pk, lw.w.teacher_a1)}
