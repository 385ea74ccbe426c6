"""What the plans API reads and writes (``plans/api.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from opentemis.core.params import MAX_ID
from opentemis.plans.api_reads import PlanDetail
from opentemis.plans.models import (
    Plan,
    PlanChangeRequest,
    PlanItem,
    PlanStatus,
    StudyForm,
)
from opentemis.plans.rules import HoursLine
from opentemis.staff.models import Person
from opentemis.training.models import Module, ProgrammeContent


class PlanPersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = ["id", "staff_code", "full_name"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer[Plan]):
    """A plan as lists show it."""

    person = PlanPersonSerializer(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    school_year = serializers.CharField(source="school_year.code", read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "person",
            "unit",
            "unit_name",
            "school_year",
            "title",
            "status",
            "version",
            "submitted_at",
            "late",
            "approved_at",
            "returned_reason",
            "updated_at",
        ]
        read_only_fields = fields


class PlanFullSerializer(PlanSerializer):
    catalogue = serializers.SerializerMethodField(
        help_text=_("The programme-03 catalogue version the modules come from.")
    )

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "objectives",
            "outputs",
            "catalogue",
            "evaluation",
            "regulation_version",
        ]
        read_only_fields = fields

    def get_catalogue(self, plan: Plan) -> str | None:
        catalogue = plan.catalogue
        return f"{catalogue.code} v{catalogue.version}" if catalogue is not None else None


class PlanModuleSerializer(serializers.ModelSerializer[Module]):
    class Meta:
        model = Module
        fields = ["id", "code", "title"]
        read_only_fields = fields


class PlanContentSerializer(serializers.ModelSerializer[ProgrammeContent]):
    class Meta:
        model = ProgrammeContent
        fields = ["id", "code", "title"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer[PlanItem]):
    module = PlanModuleSerializer(read_only=True, allow_null=True)
    content = PlanContentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "programme",
            "position",
            "module",
            "content",
            "hours",
            "form",
            "starts",
            "ends",
            "objectives",
            "outputs",
            "suggested",
            "reason",
        ]
        read_only_fields = fields


class HoursSerializer(serializers.Serializer[HoursLine]):
    programme = serializers.CharField()
    # The body's key is "required"; DRF's Field has a ``required`` attribute too.
    required = serializers.IntegerField(  # type: ignore[assignment]
        help_text=_("Periods the year requires.")
    )
    planned = serializers.IntegerField(source="counted", help_text=_("Periods the plan holds."))
    met = serializers.BooleanField()


class ChangeRequestSerializer(serializers.ModelSerializer[PlanChangeRequest]):
    class Meta:
        model = PlanChangeRequest
        fields = [
            "id",
            "plan",
            "reason",
            "status",
            "requested_at",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class PlanDetailSerializer(serializers.Serializer[PlanDetail]):
    plan = PlanFullSerializer()
    items = ItemSerializer(many=True)
    hours = HoursSerializer(many=True, help_text=_("Each programme: planned against required."))
    submit_problems = serializers.ListField(
        child=serializers.CharField(), help_text=_("Why the plan cannot be submitted yet.")
    )
    due = serializers.DateField(allow_null=True, help_text=_("The personal-plan deadline."))
    change_requests = ChangeRequestSerializer(many=True)


# --- writes -------------------------------------------------------------------------------


class OpenSerializer(serializers.Serializer[dict[str, Any]]):
    year = serializers.CharField(
        required=False, allow_blank=True, help_text=_("School year code; default: the current.")
    )


class PlanWriteSerializer(serializers.Serializer[dict[str, Any]]):
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text=_("The version you read.")
    )
    objectives = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    outputs = serializers.CharField(allow_blank=True, required=False, max_length=4000)


class ItemFieldsSerializer(serializers.Serializer[dict[str, Any]]):
    hours = serializers.IntegerField(required=False, min_value=1, max_value=200)
    form = serializers.ChoiceField(choices=StudyForm.choices, required=False)
    starts = serializers.DateField(required=False, allow_null=True)
    ends = serializers.DateField(required=False, allow_null=True)
    objectives = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    outputs = serializers.CharField(allow_blank=True, required=False, max_length=4000)

    def fields_sent(self) -> dict[str, Any]:
        names = ("hours", "form", "starts", "ends", "objectives", "outputs")
        return {k: v for k, v in self.validated_data.items() if k in names}


class ItemAddSerializer(ItemFieldsSerializer):
    module = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("A programme-03 module of the plan's catalogue (id)."),
    )
    content = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("A programme-01 or -02 content (id)."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("module" in attrs) == ("content" in attrs):
            raise serializers.ValidationError(_("Choose one module or one content."))
        return attrs


class PlanReasonSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=4000)


class SubmitSerializer(serializers.Serializer[dict[str, Any]]):
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text=_("The version you read.")
    )


class ApproveSerializer(serializers.Serializer[dict[str, Any]]):
    plans = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=1000
    )


class DecideSerializer(serializers.Serializer[dict[str, Any]]):
    accept = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True, required=False, max_length=4000, default="")


class DeadlineSerializer(serializers.Serializer[dict[str, Any]]):
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The unit whose subtree the deadline is for.")
    )
    year = serializers.CharField(
        required=False, allow_blank=True, help_text=_("School year code; default: the current.")
    )
    due = serializers.DateField()


class DeadlineOutSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(source="unit_id")
    school_year = serializers.CharField(source="school_year.code")
    due = serializers.DateField()


STATUSES = PlanStatus.values
