"""REST API of tests, under ``/api/v1/learn/`` (issue 13 item 3): the same selectors and
services as the pages.

* ``POST learn/quizzes/<activity>/attempts/``: start or resume the learner's attempt
  (idempotent: the attempt in progress is returned, 200; a new one 201);
* ``GET learn/quiz-attempts/<attempt>/``: the attempt with its questions (never the answers
  while it is in progress) and the seconds left;
* ``PUT learn/quiz-attempts/<attempt>/answers/``: save one answer ``{position, response}``
  (idempotent, the last write wins; 409 once submitted or past the deadline);
* ``POST learn/quiz-attempts/<attempt>/submit/``: submit (idempotent).

Only the learner's own attempts: anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.admission import completes_work
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.quizzes import selectors, services
from opentemis.quizzes.models import Attempt, AttemptState

R400 = OpenApiResponse(description=gettext_lazy("Invalid request, or a step not allowed now."))
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))
R409 = OpenApiResponse(description=gettext_lazy("The attempt is submitted or its time ran out."))


class QuestionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    options = serializers.ListField(
        child=serializers.DictField(), help_text=gettext_lazy("[{index, text}] in shown order.")
    )
    response = serializers.JSONField(allow_null=True)
    grade = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class AttemptSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    activity = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    questions = QuestionSerializer(many=True)


class AnswerSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(min_value=1, max_value=1000)
    response = serializers.JSONField(
        allow_null=True,
        help_text=gettext_lazy(
            "single: the option's index; multiple: a list of indexes; truefalse: true/false; "
            "numeric and short: text. null clears the answer."
        ),
    )


class SavedSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    saved = serializers.BooleanField()
    seconds_left = serializers.IntegerField(allow_null=True)


def _left(attempt: Attempt) -> int | None:
    if attempt.deadline is None or attempt.state != AttemptState.IN_PROGRESS:
        return None
    return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


def attempt_body(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "activity": attempt.quiz.activity_id,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": _left(attempt),
        "score": attempt.score,
        "questions": [
            {
                "position": q.slot.position,
                "kind": q.kind,
                "text": q.text,
                "options": [{"index": i, "text": t} for i, t in q.options],
                "response": q.response,
                "grade": q.fraction,
            }
            for q in selectors.attempt_questions(attempt)
        ],
    }


class QuizView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


class AttemptStartView(QuizView):
    @extend_schema(
        request=None,
        responses={200: AttemptSerializer, 201: AttemptSerializer, 400: R400, 404: R404},
        description=gettext_lazy(
            "Start the test, or get the attempt in progress (idempotent: a retry or two requests "
            "at once give the same attempt)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        _activity, enrolment, quiz = selectors.learner_quiz(request_actor(request), pk)
        if quiz is None:
            raise serializers.ValidationError(gettext_lazy("This test is not ready yet."))
        before = services.in_progress(quiz, enrolment)
        attempt = services.attempt_start(enrolment=enrolment, quiz=quiz)
        fresh = before is None or before.pk != attempt.pk
        attempt.quiz = quiz
        return Response(
            AttemptSerializer(attempt_body(attempt)).data,
            status=status.HTTP_201_CREATED if fresh else status.HTTP_200_OK,
        )


class AttemptDetailView(QuizView):
    @extend_schema(
        responses={200: AttemptSerializer, 404: R404},
        description=gettext_lazy(
            "Your attempt and its questions, without the answers; an attempt whose time ran out "
            "is submitted first."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        attempt = services.close_if_overdue(selectors.own_attempt(request_actor(request), pk))
        return Response(AttemptSerializer(attempt_body(attempt)).data)


@completes_work
class AnswerView(QuizView):
    @extend_schema(
        request=AnswerSerializer,
        responses={200: SavedSerializer, 400: R400, 404: R404, 409: R409},
        description=gettext_lazy("Save one answer (the last write wins)."),
    )
    def put(self, request: Request, pk: int) -> Response:
        attempt = selectors.own_attempt(request_actor(request), pk)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closed = attempt.state != AttemptState.IN_PROGRESS or services.is_overdue(attempt)
        if closed:
            services.close_if_overdue(attempt)
            return Response(
                {"detail": gettext_lazy("This attempt is already submitted.")},
                status=status.HTTP_409_CONFLICT,
            )
        slot = services.answer_save(
            attempt=attempt,
            position=body.validated_data["position"],
            response=body.validated_data["response"],
        )
        return Response({"position": slot.position, "saved": True, "seconds_left": _left(attempt)})


@completes_work
class SubmitView(QuizView):
    @extend_schema(
        request=None,
        responses={200: AttemptSerializer, 404: R404},
        description=gettext_lazy("Submit the attempt and grade it (idempotent)."),
    )
    def post(self, request: Request, pk: int) -> Response:
        attempt = selectors.own_attempt(request_actor(request), pk)
        done = services.attempt_submit(attempt=attempt, auto=services.is_overdue(attempt))
        done.quiz = attempt.quiz
        return Response(AttemptSerializer(attempt_body(done)).data)
