"""The quiz in a module package (``learning.kinds`` exporter / importer): the ministry
prepares a module once and every province loads it.

The export carries the quiz's settings and, for each category it draws from, that category's
questions at their current version (not archived); draws name categories by name. The import
puts the questions in the importing course's bank (by the same stable keys: importing a
package twice adds nothing, and a changed question becomes a new version) and sets the quiz up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from opentemis.learning.models import Activity
from opentemis.quizzes import services
from opentemis.quizzes.models import Question, Quiz

FORMAT = "opentemis.quiz/1"


def quiz_export(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    quiz = Quiz.objects.filter(activity=activity).select_related("bank").first()
    if quiz is None:
        return {"format": FORMAT, "quiz": None, "categories": []}, {}
    names = dict(quiz.bank.categories.values_list("pk", "name"))
    categories = []
    for draw in quiz.draws:
        questions = (
            Question.objects.filter(
                category_id=draw["category"], archived=False, current__isnull=False
            )
            .select_related("current")
            .order_by("pk")
        )
        categories.append(
            {
                "name": names.get(draw["category"], ""),
                "count": draw["count"],
                "questions": [
                    {
                        "key": q.key,
                        "kind": q.current.kind,
                        "text": q.current.text,
                        "data": q.current.data,
                        "points": str(q.current.points),
                        "feedback": q.current.feedback,
                    }
                    for q in questions
                    if q.current is not None
                ],
            }
        )
    settings = {
        "time_limit": quiz.time_limit,
        "attempts": quiz.attempts_allowed,
        "grading": quiz.grading,
        "pass_mark": str(quiz.pass_mark),
        "shuffle": quiz.shuffle,
    }
    return {"format": FORMAT, "quiz": settings, "categories": categories}, {}


@transaction.atomic
def quiz_import(activity: Activity, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    """Rebuild the quiz on ``activity`` (a quiz of the importing course) from an export."""
    settings = data.get("quiz")
    if data.get("format") != FORMAT or not isinstance(settings, dict):
        return
    bank = services.bank_for(activity.course)
    draws = []
    for entry in data.get("categories") or []:
        category = services.category_get_or_add(bank=bank, name=entry.get("name") or "Chung")
        for item in entry.get("questions") or []:
            draft = services.Draft(
                kind=str(item.get("kind") or ""),
                text=str(item.get("text") or ""),
                data=item.get("data") or {},
                points=services.parse_points(item.get("points")),
                feedback=str(item.get("feedback") or ""),
            )
            services.question_put(
                actor=None,
                bank=bank,
                category=category,
                draft=draft,
                key=str(item.get("key") or ""),
            )
        draws.append({"category": category.pk, "count": int(entry.get("count") or 0)})
    services.quiz_setup(
        actor=None,
        activity=activity,
        draws=draws,
        time_limit=settings.get("time_limit"),
        attempts=settings.get("attempts") or 0,
        grading=settings.get("grading") or "highest",
        pass_mark=settings.get("pass_mark"),
        shuffle=bool(settings.get("shuffle", True)),
    )
