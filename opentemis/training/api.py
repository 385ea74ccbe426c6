"""REST API (read): the BDTX catalogues of a year, one version with its modules, and the
requirements of a year per title. National reference data: any signed-in caller reads it;
writing is for system administrators, through the pages (upload, lock, new version)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, query_params
from opentemis.orgs.selectors import get_school_year
from opentemis.training import selectors
from opentemis.training.models import Catalogue, CrossWalk, Module, Requirement, Title


class CatalogueSerializer(serializers.ModelSerializer[Catalogue]):
    school_year = serializers.CharField(source="school_year.code")
    module_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Catalogue
        fields = [
            "id",
            "school_year",
            "code",
            "version",
            "kind",
            "title",
            "legal_ref",
            "regulation_version",
            "status",
            "to_verify",
            "module_count",
        ]
        read_only_fields = fields


class CrossWalkSerializer(serializers.ModelSerializer[CrossWalk]):
    class Meta:
        model = CrossWalk
        fields = ["target_catalogue", "target_module", "to_verify"]
        read_only_fields = fields


class ModuleSerializer(serializers.ModelSerializer[Module]):
    levels = serializers.ListField(child=serializers.CharField())
    criteria = serializers.ListField(child=serializers.IntegerField())
    to_verify = serializers.DictField(
        child=serializers.CharField(), help_text="field -> what is not confirmed about it"
    )
    crosswalk = CrossWalkSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = [
            "code",
            "title",
            "audience",
            "levels",
            "hours",
            "framework",
            "criteria",
            "contents",
            "outcomes",
            "to_verify",
            "crosswalk",
        ]
        read_only_fields = fields


class CatalogueDetailSerializer(CatalogueSerializer):
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta(CatalogueSerializer.Meta):
        fields = [*CatalogueSerializer.Meta.fields, "modules"]
        read_only_fields = fields


class RequirementRowSerializer(serializers.ModelSerializer[Requirement]):
    class Meta:
        model = Requirement
        fields = [
            "programme",
            "hours",
            "rebalanceable",
            "source",
            "regulation_version",
            "to_verify",
        ]
        read_only_fields = fields


class RequirementSerializer(serializers.Serializer[Any]):
    title = serializers.ChoiceField(choices=Title.choices)
    total = serializers.IntegerField()
    programmes = RequirementRowSerializer(many=True, source="rows")


YEAR = OpenApiParameter(
    "year", OpenApiTypes.STR, description="School year code (2025-2026); default: the current one."
)


class CatalogueListView(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(parameters=[YEAR], responses=CatalogueSerializer(many=True))
    def get(self, request: Request) -> Response:
        year = get_school_year(query_params(request).get("year") or None)
        rows = selectors.catalogues_for_year(actor=request_actor(request), school_year=year)
        return Response(CatalogueSerializer(rows, many=True).data)


class CatalogueDetailView(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(responses=CatalogueDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        catalogue = selectors.get_catalogue(actor=request_actor(request), pk=pk)
        return Response(CatalogueDetailSerializer(catalogue).data)


class RequirementListView(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(
        parameters=[
            YEAR,
            OpenApiParameter(
                "title", OpenApiTypes.STR, enum=Title.values, description="One teacher title."
            ),
        ],
        responses=RequirementSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = query_params(request)
        year = get_school_year(params.get("year") or None)
        title = params.get("title", "")
        if title and title not in Title.values:
            raise serializers.ValidationError({"title": ["Unknown title."]})
        rows = selectors.requirements_for(
            actor=request_actor(request), school_year=year, title=title
        )
        return Response(RequirementSerializer(rows, many=True).data)
