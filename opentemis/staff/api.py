"""REST API for staff records: list with the pages' filters, detail, create, partial update.

Reads go through :mod:`opentemis.staff.selectors`, writes through :mod:`opentemis.staff.services`
(scoping, NFC normalisation, derived DTTS flag, audit). Updates need the ``version`` the client
read: a stale one answers the one 409 of every versioned record (``core/conflicts.py``: the
current version and the other person's changes); nothing is overwritten.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.api import (
    API_PERMISSIONS,
    CONFLICT_RESPONSE,
    ServiceErrorsMixin,
    query_params,
    resolve_or_invalid,
    schema_queryset,
)
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import get_unit_for_user
from opentemis.staff import reads, selectors, services
from opentemis.staff.ethnicities import ETHNICITIES
from opentemis.staff.models import (
    EmploymentStatus,
    Gender,
    Person,
    Position,
    Qualification,
    Subject,
    SubjectGroup,
)
from opentemis.staff.sensitive import (
    SENSITIVE_FIELDS,
    SensitiveDataDenied,
    may_see_sensitive,
    sees_sensitive_throughout,
    sensitive_checker,
)

_ETHNICITY_WRITE_DENIED = gettext_lazy(
    "Ethnicity is sensitive personal data (Decree 13/2023/NĐ-CP): only those who manage this "
    "person's staff records may set it."
)


class PersonSerializer(serializers.ModelSerializer[Person]):
    """A staff record as the API shows it; related things by code (positions) or id (unit)."""

    positions = serializers.SlugRelatedField[Position](slug_field="code", many=True, read_only=True)
    subjects = serializers.SlugRelatedField[Subject](slug_field="code", many=True, read_only=True)
    unit = serializers.PrimaryKeyRelatedField[Unit](read_only=True)
    subject_group = serializers.PrimaryKeyRelatedField[SubjectGroup](
        read_only=True, allow_null=True
    )
    version = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Send it back with an update (optimistic locking).")
    )
    is_core = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy("Core teacher or manager in the current school year."),
    )
    ethnicity = serializers.ChoiceField(
        choices=ETHNICITIES,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Ethnicity code. Sensitive personal data (Decree 13/2023/NĐ-CP): null unless you "
            "manage this person's staff records (permission staff.sensitive) or it is your own."
        ),
    )
    is_dtts = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Ethnic minority (derived from the ethnicity); null under the same rule."
        ),
    )

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        # Fail closed: without the caller's check in the context, sensitive fields are masked.
        may_see = self.context.get("may_see_sensitive")
        if may_see is None or not may_see(instance):
            for name in SENSITIVE_FIELDS:
                data[name] = None
        return data

    class Meta:
        model = Person
        fields = [
            "id",
            "staff_code",
            "full_name",
            "gender",
            "date_of_birth",
            "ethnicity",
            "is_dtts",
            "phone",
            "email",
            "qualification",
            "positions",
            "subjects",
            "unit",
            "subject_group",
            "employment_status",
            "version",
            "is_core",
        ]
        read_only_fields = fields


class PersonWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """Fields shared by create and update. Positions and subjects by code, e.g. ``["GV"]``."""

    full_name = serializers.CharField(max_length=150)
    gender = serializers.ChoiceField(choices=Gender.choices)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    ethnicity = serializers.ChoiceField(
        choices=ETHNICITIES,
        required=False,
        help_text=gettext_lazy("Ethnicity code, e.g. 01 (Kinh)."),
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    qualification = serializers.ChoiceField(
        choices=Qualification.choices, required=False, allow_blank=True
    )
    positions = serializers.SlugRelatedField[Position](
        slug_field="code", many=True, queryset=Position.objects.all(), required=False
    )
    subjects = serializers.SlugRelatedField[Subject](
        slug_field="code", many=True, queryset=Subject.objects.all(), required=False
    )
    subject_group = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Id of a subject group of the unit."),
    )
    employment_status = serializers.ChoiceField(choices=EmploymentStatus.choices, required=False)

    def _resolve_group(self, attrs: dict[str, Any], unit: Unit) -> None:
        """Replace the subject group id by the group, which must belong to ``unit``."""
        if attrs.get("subject_group") is None:
            return
        group = SubjectGroup.objects.filter(pk=attrs["subject_group"], unit=unit).first()
        if group is None:
            raise serializers.ValidationError(
                {"subject_group": _("No subject group with this id in the person's unit.")}
            )
        attrs["subject_group"] = group


class PersonCreateSerializer(PersonWriteSerializer):
    # Declared, not taken from the model: the model's uniqueness check would run through the
    # scoped manager and so miss staff codes used in other provinces.
    staff_code = serializers.CharField(max_length=32)
    unit = serializers.IntegerField(help_text=gettext_lazy("Id of the unit the person works in."))

    def validate_unit(self, value: int) -> Unit:
        actor = request_actor(self.context["request"])
        return resolve_or_invalid(
            lambda: get_unit_for_user(actor=actor, pk=value, perm=Perm.CHANGE_STAFF),
            _("No unit with this id among the units where you may add staff."),
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "ethnicity" in attrs and not sees_sensitive_throughout(
            request_actor(self.context["request"]), attrs["unit"]
        ):
            raise SensitiveDataDenied(_ETHNICITY_WRITE_DENIED)
        self._resolve_group(attrs, attrs["unit"])
        return attrs


class PersonUpdateSerializer(PersonWriteSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("The version the client read. Required.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        person: Person = self.context["person"]
        errors: dict[str, str] = {}
        if "version" not in attrs:
            # Partial updates skip "required"; the version is required all the same.
            errors["version"] = _("This field is required.")
        # Read-only here, but refused rather than silently dropped if a client tries to change
        # them: a transfer keeps the assignment history and has its own service.
        sent = self.initial_data
        if "staff_code" in sent and str(sent["staff_code"]).strip().upper() != person.staff_code:
            errors["staff_code"] = _("The staff code cannot be changed.")
        if "unit" in sent and str(sent["unit"]) != str(person.unit_id):
            errors["unit"] = _("The unit cannot be changed here: transfer the person instead.")
        if errors:
            raise serializers.ValidationError(errors)
        actor = request_actor(self.context["request"])
        if "ethnicity" in attrs and not may_see_sensitive(actor, person):
            raise SensitiveDataDenied(_ETHNICITY_WRITE_DENIED)
        self._resolve_group(attrs, person.unit)
        return attrs


class StaffQuerySerializer(serializers.Serializer[dict[str, Any]]):
    """Filters of the staff list: the same as on the staff page."""

    unit = serializers.IntegerField(
        required=False, help_text=gettext_lazy("Only staff of this unit and its sub-units.")
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Name or staff code; diacritics ignored."),
    )
    position = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Position code, e.g. GV.")
    )
    subject = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Subject code, e.g. TOAN.")
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    dtts = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "Ethnic minority. Sensitive personal data: answers 403 unless you may see it for "
            "every person the list can hold (permission staff.sensitive)."
        ),
    )
    core = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Core teacher or manager in the current school year."),
    )
    status = serializers.ChoiceField(
        choices=EmploymentStatus.choices, required=False, allow_blank=True
    )


def with_api_relations(qs: QuerySet[Person]) -> QuerySet[Person]:
    """What the serializer reads, fetched per page rather than per person."""
    return qs.prefetch_related("positions", "subjects").annotate(is_core=selectors.is_core_now())


class StaffViewSet(ServiceErrorsMixin, viewsets.GenericViewSet[Person]):
    """Staff records of the caller's subtrees."""

    serializer_class = PersonSerializer
    permission_classes = API_PERMISSIONS
    filter_backends = ()  # filters are parsed by StaffQuerySerializer and applied by the selector

    def get_queryset(self) -> QuerySet[Person]:
        if getattr(self, "swagger_fake_view", False):
            return schema_queryset(Person)
        params = StaffQuerySerializer(data=query_params(self.request))
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        actor = request_actor(self.request)
        unit = None
        if data.get("unit") is not None:
            # 404 for a unit that is missing or not the caller's, as on the staff page.
            unit = get_unit_for_user(actor=actor, pk=data["unit"], perm=Perm.VIEW_STAFF)
        filters = selectors.StaffFilter(
            unit=unit,
            q=data.get("q", ""),
            position=data.get("position", "").strip().upper(),
            subject=data.get("subject", "").strip().upper(),
            gender=data.get("gender", ""),
            dtts=data.get("dtts"),
            core=data.get("core"),
            status=data.get("status", ""),
        )
        self._filters = filters  # for the audit of the read
        return with_api_relations(selectors.staff_list(actor=actor, filters=filters))

    def _context(self) -> dict[str, Any]:
        return {"may_see_sensitive": sensitive_checker(request_actor(self.request))}

    def _respond(self, person: Person, code: int = status.HTTP_200_OK) -> Response:
        # The list's queryset annotates ``is_core`` (with_api_relations); one record says it here.
        is_core = selectors.current_core_designation(person=person) is not None
        person.is_core = is_core  # type: ignore[attr-defined]
        return Response(PersonSerializer(person, context=self._context()).data, status=code)

    @extend_schema(
        parameters=[StaffQuerySerializer],
        responses={
            200: PersonSerializer(many=True),
            403: OpenApiResponse(
                description=gettext_lazy(
                    "A filter on sensitive personal data (dtts) you may not see (Decree "
                    "13/2023/NĐ-CP); the detail says why."
                )
            ),
        },
        description=gettext_lazy(
            "Staff of your subtrees, by name, with the staff page's filters. A unit filter "
            "outside your units answers 404. Ethnicity and the DTTS flag are null where you may "
            "not see them. Each call is recorded in the audit log (who, which records)."
        ),
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a default pagination class is configured
        actor = request_actor(request)
        reads.list_read(
            actor=actor,
            people=page,
            filters=self._filters,
            page=request.query_params.get("page"),
            via="api",
            unit=self._filters.unit or selectors.staff_home_unit(actor=actor),
        )
        data = PersonSerializer(page, many=True, context=self._context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        description=gettext_lazy(
            "One staff record; 404 if it is missing or outside your units. Ethnicity and the "
            "DTTS flag are null unless you may see them. A read of somebody else's record is "
            "recorded in the audit log."
        )
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        person = selectors.get_person_for_user(actor=actor, pk=pk)
        reads.record_read(actor=actor, person=person, via="api")
        return self._respond(person)

    @extend_schema(
        request=PersonCreateSerializer,
        responses={201: PersonSerializer},
        description=gettext_lazy("Add a person to a unit where you may change staff."),
    )
    def create(self, request: Request) -> Response:
        serializer = PersonCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        unit: Unit = data.pop("unit")
        positions: list[Position] = data.pop("positions", [])
        subjects: list[Subject] = data.pop("subjects", [])
        try:
            person = services.person_create(
                actor=request_actor(request),
                unit=unit,
                fields=data,
                positions=positions,
                subjects=subjects,
            )
        except IntegrityError:
            # The only unique column is the staff code. The model's own uniqueness check runs
            # through the scoped manager and misses codes used in other provinces, so the
            # database is what catches those.
            raise serializers.ValidationError(
                {"staff_code": _("A person with this staff code already exists.")}
            ) from None
        return self._respond(person, status.HTTP_201_CREATED)

    @extend_schema(
        request=PersonUpdateSerializer,
        responses={
            200: PersonSerializer,
            409: CONFLICT_RESPONSE,
        },
        description=gettext_lazy(
            "Change the fields sent. Send the version you read: if somebody saved the record "
            "since, the answer is 409 and nothing is changed. The staff code and the unit are "
            "not changed here."
        ),
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        person = selectors.get_person_for_user(actor=actor, pk=pk)
        if not has_perm_on(actor, Perm.CHANGE_STAFF, person.unit.path):
            # The caller can see this record (e.g. their own), so "not allowed" reveals nothing.
            raise PermissionDenied
        serializer = PersonUpdateSerializer(
            data=request.data, partial=True, context={"request": request, "person": person}
        )
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        version: int = data.pop("version")
        positions: list[Position] | None = data.pop("positions", None)
        subjects: list[Subject] | None = data.pop("subjects", None)
        person = services.person_update(
            actor=actor,
            person=person,
            version=version,
            fields=data,
            positions=positions,
            subjects=subjects,
        )
        return self._respond(person)
