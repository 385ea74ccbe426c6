"""REST API for the unit tree: list, detail, create, partial update.

Reads go through :mod:`opentemis.orgs.selectors`, writes through :mod:`opentemis.orgs.services`,
so the API has the pages' scoping and audit. A unit outside the caller's units answers 404
(detail, update) or is absent (list); a parent outside them is a 400 field error that does not
say whether the unit exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.api import (
    API_PERMISSIONS,
    ServiceErrorsMixin,
    query_params,
    resolve_or_invalid,
    schema_queryset,
)
from opentemis.orgs import selectors, services
from opentemis.orgs.models import SchoolLevel, Unit, UnitKind, UnitStatus

_PARENT_HELP = _(
    "Id of the parent unit; null for a top-level unit or when the parent is outside your units."
)


class UnitSerializer(serializers.ModelSerializer[Unit]):
    """A unit as the API shows it. The materialised path is an internal detail, not exposed."""

    levels = serializers.SlugRelatedField[SchoolLevel](slug_field="code", many=True, read_only=True)
    # The API's key is "parent"; DRF's Field has a ``parent`` attribute (the enclosing
    # serializer) too. Likewise in the write and query serializers below.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_pk", read_only=True, allow_null=True, help_text=_PARENT_HELP
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "levels",
            "disadvantaged_area",
            "status",
            "parent",
            "depth",
        ]
        read_only_fields = fields


class UnitWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """Fields shared by create and update; codes of school levels, e.g. ``["TH", "THCS"]``."""

    name = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    levels = serializers.SlugRelatedField[SchoolLevel](
        slug_field="code", many=True, queryset=SchoolLevel.objects.all(), required=False
    )
    disadvantaged_area = serializers.BooleanField(required=False)


class UnitCreateSerializer(UnitWriteSerializer):
    # Declared, not taken from the model: the model's uniqueness check would run through the
    # scoped manager and miss codes in other provinces; the service checks unscoped.
    code = serializers.CharField(max_length=32)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        help_text=_("Id of the parent unit. Required, except for system administrators."),
    )

    def validate_parent(self, value: int | None) -> Unit | None:
        if value is None:
            return None
        actor = request_actor(self.context["request"])
        return resolve_or_invalid(
            lambda: selectors.get_unit_for_user(actor=actor, pk=value, perm=Perm.CHANGE_UNITS),
            _("No unit with this id among the units you may change."),
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        actor = request_actor(self.context["request"])
        if attrs.get("parent") is None and not actor.is_superuser:
            raise serializers.ValidationError({"parent": _("This field is required.")})
        return attrs


class UnitUpdateSerializer(UnitWriteSerializer):
    status = serializers.ChoiceField(choices=UnitStatus.choices, required=False)


def attach_parent_ids(units: Iterable[Unit]) -> None:
    """Set ``parent_pk`` on each unit with one query for the whole page.

    Treebeard's ``get_parent()`` costs a query per unit. The lookup uses the scoped manager,
    so a parent outside the caller's units shows as null rather than leaking its id.
    """
    units = list(units)
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    ids = (
        dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "pk"))
        if parent_paths
        else {}
    )
    for unit in units:
        unit.parent_pk = ids.get(unit.path[: -Unit.steplen])


class UnitQuerySerializer(serializers.Serializer[dict[str, Any]]):
    """Filters of the unit list."""

    q = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Name (diacritics ignored) or exact code.")
    )
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, allow_blank=True)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, help_text=_("Only the children of this unit.")
    )


class UnitViewSet(ServiceErrorsMixin, viewsets.GenericViewSet[Unit]):
    """Units of the caller's subtrees."""

    serializer_class = UnitSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()  # filters are parsed by UnitQuerySerializer and applied by the selector

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Unit)
        params = UnitQuerySerializer(data=query_params(self.request))
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        actor = request_actor(self.request)
        parent = None
        if data.get("parent") is not None:
            # 404 for a parent that is missing or not the caller's, as on the pages.
            parent = selectors.get_unit_for_user(actor=actor, pk=data["parent"])
        return selectors.unit_list(
            actor=actor, q=data.get("q", ""), kind=data.get("kind", ""), parent=parent
        ).prefetch_related("levels")

    def _respond(self, unit: Unit, code: int = status.HTTP_200_OK) -> Response:
        attach_parent_ids([unit])
        return Response(UnitSerializer(unit).data, status=code)

    @extend_schema(
        parameters=[UnitQuerySerializer],
        description=_("Units in your subtrees, by name. A unit filter outside them answers 404."),
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a default pagination class is configured
        attach_parent_ids(page)
        return self.get_paginated_response(UnitSerializer(page, many=True).data)

    @extend_schema(description=_("One unit; 404 if it is missing or outside your units."))
    def retrieve(self, request: Request, pk: int) -> Response:
        return self._respond(selectors.get_unit_for_user(actor=request_actor(request), pk=pk))

    @extend_schema(
        request=UnitCreateSerializer,
        responses={201: UnitSerializer},
        description=_("Create a unit under a parent where you may change units."),
    )
    def create(self, request: Request) -> Response:
        serializer = UnitCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        unit = services.unit_create(
            actor=request_actor(request),
            parent=data.get("parent"),
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            levels=[level.code for level in data.get("levels", [])],
            disadvantaged_area=data.get("disadvantaged_area", False),
        )
        return self._respond(unit, status.HTTP_201_CREATED)

    @extend_schema(
        request=UnitUpdateSerializer,
        responses=UnitSerializer,
        description=_("Change the fields sent. The code and the place in the tree stay."),
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = selectors.get_unit_for_user(actor=actor, pk=pk)
        if not has_perm_on(actor, Perm.CHANGE_UNITS, unit.path):
            # The caller can see this unit, so saying "not allowed" reveals nothing.
            raise PermissionDenied
        serializer = UnitUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        levels = data.get("levels")
        unit = services.unit_update(
            actor=actor,
            unit=unit,
            name=data.get("name", unit.name),
            kind=data.get("kind", unit.kind),
            levels=(
                [level.code for level in levels]
                if levels is not None
                else list(unit.levels.values_list("code", flat=True))
            ),
            disadvantaged_area=data.get("disadvantaged_area", unit.disadvantaged_area),
            status=data.get("status", unit.status),
        )
        return self._respond(unit)
