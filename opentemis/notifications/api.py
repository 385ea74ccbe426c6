"""REST API: the caller's own notices (``GET /api/v1/notices/``, ``?unread=1`` for unread only)
and "mark all read" (``POST /api/v1/notices/read-all/``). Same selectors and services as the
pages; notices are personal, so nobody else's is ever listed."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, query_params, schema_queryset
from opentemis.notifications import selectors, services
from opentemis.notifications.models import Notice
from opentemis.orgs.models import Unit


class NoticeSerializer(serializers.ModelSerializer[Notice]):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    unit_name = serializers.CharField(source="unit.name", default="")

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "unit",
            "unit_name",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


@extend_schema(
    parameters=[
        OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread notices (1).")
    ]
)
class NoticeListView(generics.ListAPIView[Notice]):
    serializer_class = NoticeSerializer
    permission_classes = API_PERMISSIONS

    def get_queryset(self) -> QuerySet[Notice]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Notice)
        unread = query_params(self.request).get("unread", "") in {"1", "true"}
        return selectors.notices_for(actor=request_actor(self.request), unread_only=unread)


class NoticeReadAllView(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(
        request=None,
        responses=inline_serializer("NoticesRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        marked = services.notices_mark_all_read(actor=request_actor(request))
        return Response({"marked": marked})
