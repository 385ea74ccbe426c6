"""REST API of the forum, under ``/api/v1/learn/forums/`` (issue 13 item 5): the same access
rule and services as the pages.

* ``<activity>/threads/``: GET the questions the caller sees (paginated; ``group`` filters);
  POST asks one (``title``, ``body``, ``group`` for a grader or an officer, ``client_token``);
* ``threads/<pk>/posts/``: GET its posts (paginated); POST replies (``body``, ``reply_to``:
  a post's id, ``client_token``: the same token twice is the same post);
* ``posts/<pk>/answer/``: POST marks (or unmarks) the answer;
* ``posts/<pk>/hide/``: POST hides (``hidden``: true) or shows a post: graders and officers;
* ``threads/<pk>/moderate/``: POST ``action`` lock, unlock, hide or show: graders and officers.

Out of reach: 404; a refused step: 400 with the service's message.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, CappedPageNumberPagination, ServiceErrorsMixin
from opentemis.forums import access, selectors, services
from opentemis.forums.models import Post, Thread

R400 = OpenApiResponse(description=gettext_lazy("Invalid request, or a step not allowed now."))
R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


class ThreadSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    group = serializers.CharField()
    author = serializers.CharField(source="author.username", default="")
    created_at = serializers.DateTimeField()
    last_post_at = serializers.DateTimeField()
    post_count = serializers.IntegerField()
    locked = serializers.BooleanField()
    hidden = serializers.BooleanField()
    answer = serializers.IntegerField(source="answer_id", allow_null=True)


class PostSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    author = serializers.CharField(source="author.username", default="")
    reply_to = serializers.IntegerField(source="parent_id", allow_null=True)
    body = serializers.SerializerMethodField(
        help_text=gettext_lazy("Plain text; empty when hidden (for those who do not moderate).")
    )
    created_at = serializers.DateTimeField()
    hidden = serializers.SerializerMethodField()

    def get_body(self, obj: Post) -> str:
        return "" if obj.hidden_at and not self.context.get("moderator") else obj.body

    def get_hidden(self, obj: Post) -> bool:
        return obj.hidden_at is not None


class ThreadCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    body = serializers.CharField(max_length=services.BODY_MAX)
    group = serializers.CharField(required=False, allow_blank=True, max_length=255)
    client_token = serializers.CharField(
        required=False, allow_blank=True, max_length=services.TOKEN_MAX
    )


class PostCreateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=services.BODY_MAX)
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    client_token = serializers.CharField(
        required=False, allow_blank=True, max_length=services.TOKEN_MAX
    )


class HideSerializer(serializers.Serializer[Any]):
    hidden = serializers.BooleanField(default=True)


class ModerateSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=services.THREAD_ACTIONS)


class ForumView(ServiceErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS


def _valid(serializer: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    body = serializer(data=data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class ThreadsView(ForumView):
    @extend_schema(
        operation_id="learn_forum_threads",
        parameters=[
            OpenApiParameter("group", OpenApiTypes.STR, description="One group's questions."),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: ThreadSerializer(many=True), 404: R404},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = access.forum_viewer(request_actor(request), pk)
        wanted = request.query_params.get("group")
        group = wanted if wanted is not None and viewer.sees(wanted) else None
        paginator = CappedPageNumberPagination()
        rows = paginator.paginate_queryset(selectors.threads(viewer, group), request, view=self)
        return paginator.get_paginated_response(ThreadSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="learn_forum_thread_create",
        request=ThreadCreateSerializer,
        responses={201: ThreadSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = access.forum_viewer(request_actor(request), pk)
        data = _valid(ThreadCreateSerializer, request.data)
        group = data.get("group")
        thread = services.thread_create(
            viewer=viewer,
            title=data["title"],
            body=data["body"],
            group=group if group is not None and viewer.is_staff else None,
            token=data.get("client_token", ""),
        )
        return Response(ThreadSerializer(thread).data, status=status.HTTP_201_CREATED)


class PostsView(ForumView):
    @extend_schema(
        operation_id="learn_forum_posts",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT)],
        responses={200: PostSerializer(many=True), 404: R404},
    )
    def get(self, request: Request, pk: int) -> Response:
        thread, viewer = access.thread_viewer(request_actor(request), pk)
        paginator = CappedPageNumberPagination()
        rows = paginator.paginate_queryset(selectors.posts(thread), request, view=self)
        context = {"moderator": viewer.moderates(thread.group)}
        return paginator.get_paginated_response(
            PostSerializer(rows, many=True, context=context).data
        )

    @extend_schema(
        operation_id="learn_forum_post_create",
        request=PostCreateSerializer,
        responses={201: PostSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        thread, viewer = access.thread_viewer(request_actor(request), pk)
        data = _valid(PostCreateSerializer, request.data)
        parent = None
        if data.get("reply_to"):
            parent = Post.objects.filter(pk=data["reply_to"], thread=thread).first()
            if parent is None:
                raise serializers.ValidationError(
                    {"reply_to": [gettext_lazy("No such post here.")]}
                )
        post = services.post_create(
            viewer=viewer,
            thread=thread,
            body=data["body"],
            parent=parent,
            token=data.get("client_token", ""),
        )
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


class AnswerView(ForumView):
    @extend_schema(
        operation_id="learn_forum_answer",
        request=None,
        responses={200: ThreadSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        post, _thread, viewer = access.post_viewer(request_actor(request), pk)
        thread: Thread = services.answer_mark(viewer=viewer, post=post)
        return Response(ThreadSerializer(thread).data)


class HideView(ForumView):
    @extend_schema(
        operation_id="learn_forum_post_hide",
        request=HideSerializer,
        responses={200: PostSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        post, thread, viewer = access.post_viewer(request_actor(request), pk)
        if not viewer.moderates(thread.group):
            raise Http404
        data = _valid(HideSerializer, request.data)
        post = services.post_hide(viewer=viewer, post=post, hidden=data["hidden"])
        return Response(PostSerializer(post, context={"moderator": True}).data)


class ModerateView(ForumView):
    @extend_schema(
        operation_id="learn_forum_thread_moderate",
        request=ModerateSerializer,
        responses={200: ThreadSerializer, 400: R400, 404: R404},
    )
    def post(self, request: Request, pk: int) -> Response:
        thread, viewer = access.thread_viewer(request_actor(request), pk)
        if not viewer.moderates(thread.group):
            raise Http404
        data = _valid(ModerateSerializer, request.data)
        thread = services.thread_moderate(viewer=viewer, thread=thread, action=data["action"])
        return Response(ThreadSerializer(thread).data)
