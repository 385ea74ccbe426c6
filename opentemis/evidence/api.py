"""REST API for the caller's evidence library: list, upload or link, detail, delete, download.

The same selectors and services as the pages: files are checked by content, stored once per
hash, and only the owner or an evaluator of the owner may open an item (others: 404).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, ServiceErrorsMixin, schema_queryset
from opentemis.evidence import selectors, services
from opentemis.evidence.models import Evidence
from opentemis.evidence.views import evidence_file_response
from opentemis.orgs.models import SchoolYear
from opentemis.staff.models import Person


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    """An item of the library. ``content_type`` is the type found in the bytes, not the one
    the client sent."""

    school_year: serializers.SlugRelatedField[SchoolYear] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    content_type = serializers.CharField(source="stored_file.content_type", default="")
    size = serializers.IntegerField(source="stored_file.size", default=None)
    sha256 = serializers.CharField(source="stored_file.sha256", default="")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "title",
            "original_name",
            "url",
            "content_type",
            "size",
            "sha256",
            "school_year",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, item: Evidence) -> str | None:
        if item.stored_file_id is None:
            return None
        return reverse("api:evidence-download", kwargs={"pk": item.pk})


class EvidenceCreateSerializer(serializers.Serializer[dict[str, Any]]):
    """Send either ``file`` (multipart) or ``url`` (input only: it represents what it read)."""

    file = serializers.FileField(
        required=False, help_text=gettext_lazy("PDF, image or office document.")
    )
    url = serializers.CharField(required=False, max_length=500)
    title = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    school_year = serializers.SlugRelatedField(
        slug_field="code",
        queryset=SchoolYear.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("School year code, e.g. 2025-2026."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("file")) == bool(attrs.get("url")):
            raise serializers.ValidationError(_("Send either a file or a link, not both."))
        return attrs


def _own_person(request: Request) -> Person:
    person = request_actor(request).person
    if person is None:
        raise serializers.ValidationError(
            _("Your account is not linked to a staff record, so it has no evidence library.")
        )
    return person


class EvidenceListView(ServiceErrorsMixin, generics.GenericAPIView[Evidence]):
    """The caller's own evidence library."""

    serializer_class = EvidenceSerializer
    permission_classes = API_PERMISSIONS
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Evidence]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Evidence)
        actor = request_actor(self.request)
        if actor.person is None:
            return schema_queryset(Evidence)
        return selectors.evidence_library(actor=actor, owner=actor.person)

    @extend_schema(
        operation_id="evidence_list", description=gettext_lazy("Your evidence items, newest first.")
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a default pagination class is configured
        return self.get_paginated_response(EvidenceSerializer(page, many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": EvidenceCreateSerializer,
            "application/json": EvidenceCreateSerializer,
        },
        responses={201: EvidenceSerializer, 200: EvidenceSerializer},
        description=gettext_lazy(
            "Add a file (multipart field 'file') or a link ('url') to your library. Files are "
            "checked by their content and size. The same bytes or link already in your library "
            "answer 200 with the existing item."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        owner = _own_person(request)
        serializer = EvidenceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        title: str = data.get("title", "")
        school_year: SchoolYear | None = data.get("school_year")
        if data.get("file"):
            try:
                item = services.evidence_upload(
                    actor=actor,
                    owner=owner,
                    uploaded_file=data["file"],
                    title=title,
                    school_year=school_year,
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"file": exc.messages}) from None
        else:
            item = services.evidence_add_link(
                actor=actor, owner=owner, url=data["url"], title=title, school_year=school_year
            )
        code = status.HTTP_200_OK if item.reused else status.HTTP_201_CREATED
        return Response(EvidenceSerializer(item).data, status=code)


class EvidenceDetailView(ServiceErrorsMixin, APIView):
    """One item the caller may open (owner or evaluator)."""

    permission_classes = API_PERMISSIONS

    @extend_schema(responses={200: EvidenceSerializer})
    def get(self, request: Request, pk: int) -> Response:
        item = selectors.get_evidence_for_user(actor=request_actor(request), pk=pk)
        return Response(EvidenceSerializer(item).data)

    @extend_schema(
        responses={204: None},
        description=gettext_lazy("Delete your item; refused (400) while an evaluation cites it."),
    )
    def delete(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        item = selectors.get_evidence_for_user(actor=actor, pk=pk)
        services.evidence_delete(actor=actor, evidence=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EvidenceDownloadView(APIView):
    """The file's bytes, streamed with the type found in them."""

    permission_classes = API_PERMISSIONS

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(response=OpenApiTypes.BINARY),
            404: OpenApiResponse(description=gettext_lazy("Missing, a link, or not yours.")),
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        item = selectors.get_evidence_for_user(actor=request_actor(request), pk=pk)
        # A program saves what it fetches: always an attachment.
        return evidence_file_response(item, download=True)
