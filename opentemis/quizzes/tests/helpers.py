"""A small quiz for the tests: three known questions in one category, drawn all, unshuffled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity
from opentemis.quizzes import services
from opentemis.quizzes.models import Category, Quiz
from tests.learning_world import LearningWorld, make_course

QUESTIONS = [
    services.Draft(
        kind="single",
        text="Câu một",
        data={"choices": [{"text": "Sai", "correct": False}, {"text": "Đúng", "correct": True}]},
    ),
    services.Draft(kind="truefalse", text="Câu hai", data={"answer": True}),
    services.Draft(
        kind="numeric", text="Câu ba", data={"answers": [{"value": "10", "tolerance": "0"}]}
    ),
]


@dataclass
class QuizWorld:
    lw: LearningWorld
    activity: Activity
    quiz: Quiz
    category: Category

    @property
    def w(self) -> Any:
        return self.lw.w


def make_quiz(world: Any, **settings: Any) -> QuizWorld:
    lw = make_course(world)
    activity = lw.activity("quiz", "Bài kiểm tra", pass_required=True)
    with system_scope():
        bank = services.bank_for(lw.course)
        category = services.category_get_or_add(bank=bank, name="Chung")
        for number, draft in enumerate(QUESTIONS, start=1):
            services.question_put(
                actor=None, bank=bank, category=category, draft=draft, key=f"t:{number}"
            )
        options = {"time_limit": None, "attempts": 0, "grading": "highest", "shuffle": False}
        options.update(settings)
        quiz = services.quiz_setup(
            actor=None,
            activity=activity,
            draws=[{"category": category.pk, "count": 3}],
            pass_mark="5",
            **options,
        )
    return QuizWorld(lw=lw, activity=activity, quiz=quiz, category=category)
