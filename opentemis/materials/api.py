"""The materials API (under ``/api/v1/learn/``): a video's progress, read and reported by a
player of another client (the same service as the page's player, ``services.video_progress``).

Only the learner's own enrolment is reached (``learning.access.learner_activity``): anyone else,
or an activity that is not a video, is a 404; a report outside the video is a 400.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin
from opentemis.learning.access import learner_activity
from opentemis.learning.models import Activity, Enrolment
from opentemis.materials import selectors, services
from opentemis.materials.models import Video


class VideoProgressSerializer(serializers.Serializer[Any]):
    position = serializers.FloatField(help_text=gettext_lazy("Where to resume (seconds)."))
    watched = serializers.FloatField(help_text=gettext_lazy("Share watched, 0 to 1."))
    percent = serializers.IntegerField()
    state = serializers.CharField(help_text=gettext_lazy('"", "started" or "complete".'))
    duration = serializers.FloatField()


class VideoReportSerializer(serializers.Serializer[Any]):
    position = serializers.JSONField(help_text=gettext_lazy("The player's position (seconds)."))
    intervals = serializers.JSONField(
        required=False,
        help_text=gettext_lazy("The parts played, [[start, end], ...] in seconds."),
    )


def _video(request: Request, pk: int) -> tuple[Activity, Enrolment, Video]:
    activity, enrolment = learner_activity(request_actor(request), pk)
    video = selectors.video_of(activity) if activity.kind == "video" else None
    if video is None:
        raise Http404
    selectors.require_unlocked(enrolment, activity)
    return activity, enrolment, video


class VideoProgressView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(
        responses={200: VideoProgressSerializer, 404: OpenApiResponse(description="Not yours.")},
        description=gettext_lazy("Your position and watched share in a video."),
    )
    def get(self, request: Request, pk: int) -> Response:
        activity, enrolment, video = _video(request, pk)
        watched = services.video_watched(enrolment=enrolment, activity=activity, video=video)
        return Response(VideoProgressSerializer(watched.as_dict()).data)

    @extend_schema(
        request=VideoReportSerializer,
        responses={
            200: VideoProgressSerializer,
            400: OpenApiResponse(description="Outside the video, or not numbers."),
            404: OpenApiResponse(description="Not yours."),
        },
        description=gettext_lazy(
            "Report the position and the parts played; repeated reports change nothing. "
            "Done once the watched share reaches the activity's minimum (90 % by default)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        activity, enrolment, video = _video(request, pk)
        body = VideoReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        watched = services.video_progress(
            enrolment=enrolment,
            activity=activity,
            video=video,
            position=body.validated_data["position"],
            intervals=body.validated_data.get("intervals"),
        )
        return Response(VideoProgressSerializer(watched.as_dict()).data)
