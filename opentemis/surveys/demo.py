"""Demo data: some demo learners answer a course's satisfaction survey (varied, mostly
satisfied scores, a few comments), so the anonymous results have groups to show and to hide."""

from __future__ import annotations

import random
from collections.abc import Iterable

from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, Enrolment
from opentemis.surveys import items, services

COMMENTS = (
    "Nội dung thiết thực, mong có thêm ví dụ minh họa.",
    "Lịch học tập trung nên bố trí vào cuối tuần.",
    "Giảng viên nhiệt tình, tài liệu dễ hiểu.",
    "",
    "",
)


def demo_survey(
    *,
    activity: Activity,
    enrolments: Iterable[Enrolment] | None = None,
    share: float = 0.7,
    seed: int = 13,
) -> int:
    """Answer the survey of ``activity`` for about ``share`` of its learners (or those given);
    returns how many answered now. Idempotent: a learner who answered is skipped (an answer is
    final)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    with system_scope():
        survey = services.survey_for(activity)
        item_set = items.get(survey.item_set)
        pool = (
            list(enrolments)
            if enrolments is not None
            else list(Enrolment.objects.filter(course_id=activity.course_id).order_by("pk"))
        )
        count = 0
        for enrolment in pool:
            if rng.random() > share or services.has_answered(survey, enrolment):
                continue
            base = rng.choice((6, 7, 8, 8, 9, 9, 10))
            answers = {
                item.code: max(
                    item_set.scale_min, min(item_set.scale_max, base + rng.choice((-1, 0, 0, 1)))
                )
                for item in item_set.items
            }
            services.answer_submit(
                actor=None,
                survey=survey,
                enrolment=enrolment,
                answers=answers,
                comment=rng.choice(COMMENTS),
            )
            count += 1
    return count
