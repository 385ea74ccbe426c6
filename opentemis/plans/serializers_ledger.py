"""What the BDTX ledger, results and roll-up API reads and writes (``plans/api_ledger.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opentemis.core.params import MAX_ID
from opentemis.plans.ledger import DESCRIPTION_MAX, PERSON_SOURCES, REASON_MAX, SCHOOL_SOURCES
from opentemis.plans.models import LedgerEntry, YearResult
from opentemis.plans.rollup import Counts, NeedRow, UnitFigures
from opentemis.plans.schoolplan import PlannedRow
from opentemis.plans.serializers import HoursSerializer, PlanPersonSerializer
from opentemis.training.models import Programme

YEAR_HELP = _("School year code; default: the current.")


def _year_field() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=YEAR_HELP
    )


# --- the ledger -----------------------------------------------------------------------------


class EntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    person = serializers.IntegerField(source="person_id", read_only=True)
    school_year = serializers.CharField(source="school_year.code", read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True, allow_null=True)
    evidence = serializers.IntegerField(source="evidence_id", read_only=True, allow_null=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True, allow_null=True)
    confirmed_by = serializers.IntegerField(
        source="confirmed_by_id", read_only=True, allow_null=True
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "person",
            "school_year",
            "programme",
            "item",
            "source",
            "hours",
            "date",
            "description",
            "evidence",
            "external_ref",
            "status",
            "note",
            "recorded_by",
            "recorded_at",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields


class LedgerPlanSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


class TotalsSerializer(serializers.Serializer[Any]):
    lines = HoursSerializer(
        many=True, help_text=_("Each programme: confirmed periods against the requirement.")
    )
    pending = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=1),
        help_text=_("Periods awaiting confirmation or disputed, per programme (not counted)."),
    )
    confirmed_total = serializers.DecimalField(max_digits=8, decimal_places=1)
    pending_total = serializers.DecimalField(max_digits=8, decimal_places=1)
    required_total = serializers.IntegerField()
    met = serializers.BooleanField()


class PersonLedgerSerializer(serializers.Serializer[Any]):
    person = PlanPersonSerializer()
    school_year = serializers.CharField(source="school_year.code")
    plan = LedgerPlanSerializer(allow_null=True)
    entries = EntrySerializer(many=True)
    totals = TotalsSerializer()
    can_add = serializers.BooleanField(help_text=_("You may add your own entries here."))
    can_manage = serializers.BooleanField(help_text=_("You may confirm or reject these hours."))


class EntryAddSerializer(serializers.Serializer[dict[str, Any]]):
    """The person's own entry; a file (multipart ``file``) or, for self-study, a link."""

    year = _year_field()
    # The body's key is "source"; DRF's Field has a ``source`` attribute too.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[s.value for s in PERSON_SOURCES]
    )
    programme = serializers.ChoiceField(choices=Programme.choices)
    hours = serializers.CharField(max_length=8, help_text=_("Periods, e.g. 2.5."))
    date = serializers.DateField()
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    item = serializers.IntegerField(
        required=False,
        help_text=_("An item of your plan of the year (id)."),
        min_value=1,
        max_value=MAX_ID,
    )
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000, default="")
    file = serializers.FileField(required=False, help_text=_("Evidence or certificate (file)"))


class EntryRecordSerializer(serializers.Serializer[dict[str, Any]]):
    year = _year_field()
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=1000
    )
    # The body's key is "source"; DRF's Field has a ``source`` attribute too.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[s.value for s in SCHOOL_SOURCES]
    )
    programme = serializers.ChoiceField(choices=Programme.choices)
    hours = serializers.CharField(max_length=8, help_text=_("Periods, e.g. 2.5."))
    date = serializers.DateField()
    description = serializers.CharField(max_length=DESCRIPTION_MAX)


class EntryPostSerializer(serializers.Serializer[dict[str, Any]]):
    year = _year_field()
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    programme = serializers.ChoiceField(choices=Programme.choices)
    hours = serializers.CharField(max_length=8, help_text=_("Periods, e.g. 2.5."))
    date = serializers.DateField()
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    external_ref = serializers.CharField(
        max_length=100, help_text=_("The learning system's own key of the completion.")
    )
    item = serializers.IntegerField(
        required=False,
        help_text=_("An item of the person's plan of the year (id)."),
        min_value=1,
        max_value=MAX_ID,
    )


class EntriesSerializer(serializers.Serializer[dict[str, Any]]):
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=1000
    )


class EntryReasonSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=REASON_MAX)


# --- results --------------------------------------------------------------------------------


class ResultSerializer(serializers.ModelSerializer[YearResult]):
    person = PlanPersonSerializer(read_only=True)
    school_year = serializers.CharField(source="school_year.code", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True, allow_null=True)
    confirmed_by = serializers.IntegerField(
        source="confirmed_by_id", read_only=True, allow_null=True
    )
    evidence = serializers.IntegerField(source="evidence_id", read_only=True, allow_null=True)

    class Meta:
        model = YearResult
        fields = [
            "id",
            "person",
            "school_year",
            "unit",
            "plan",
            "outcome",
            "hours",
            "required",
            "reasons",
            "rule",
            "regulation_version",
            "computed_at",
            "confirmed_by",
            "confirmed_at",
            "evidence",
        ]
        read_only_fields = fields


class PersonResultSerializer(serializers.Serializer[Any]):
    person = PlanPersonSerializer()
    school_year = serializers.CharField(source="school_year.code")
    result = ResultSerializer(allow_null=True, help_text=_("Null: not computed yet."))


class YearBodySerializer(serializers.Serializer[dict[str, Any]]):
    year = _year_field()


class ResultsConfirmSerializer(serializers.Serializer[dict[str, Any]]):
    year = _year_field()
    results = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=1000,
        help_text=_("The results to confirm (ids); default: every one not confirmed yet."),
    )


class AssessSerializer(serializers.Serializer[dict[str, Any]]):
    score = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=8,
        help_text=_("A score from 0 to 10; empty: none."),
    )
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)


class AssessedItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    programme = serializers.CharField()
    score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    assessed_at = serializers.DateTimeField(allow_null=True)


# --- roll-ups ---------------------------------------------------------------------------------

SENSITIVE = ("dtts", "women_dtts")


class CountsSerializer(serializers.Serializer[Counts]):
    """People with the ministry's sub-columns. ``dtts`` and ``women_dtts`` are null unless you
    may read sensitive staff data (``staff.sensitive``) of the unit."""

    total = serializers.IntegerField()
    women = serializers.IntegerField()
    dtts = serializers.IntegerField(allow_null=True)
    women_dtts = serializers.IntegerField(allow_null=True)
    disadvantaged = serializers.IntegerField()

    def to_representation(self, instance: Counts) -> dict[str, Any]:
        data: dict[str, Any] = dict(super().to_representation(instance))
        if not self.context.get("sensitive", False):
            for name in SENSITIVE:
                data[name] = None
        return data


class NeedRowSerializer(serializers.Serializer[NeedRow]):
    programme = serializers.CharField()
    module = serializers.IntegerField(source="module_id", allow_null=True)
    content = serializers.IntegerField(source="content_id", allow_null=True)
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the body's key
    people = CountsSerializer()
    by_form = serializers.DictField(child=CountsSerializer(), help_text=_("Per study form."))
    by_title = serializers.DictField(child=CountsSerializer(), help_text=_("Per title present."))


class NeedsSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(source="unit_id")
    school_year = serializers.CharField()
    statuses = serializers.ListField(child=serializers.CharField())
    plans = serializers.IntegerField(help_text=_("Plans counted."))
    titles = serializers.ListField(child=serializers.CharField())
    rows = NeedRowSerializer(many=True)


class UnitFiguresSerializer(serializers.Serializer[UnitFigures]):
    unit = serializers.IntegerField(source="unit_id")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    people = serializers.IntegerField(help_text=_("Working staff."))
    plans = serializers.DictField(child=serializers.IntegerField(), help_text=_("Per state."))
    hours = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=1),
        help_text=_("Confirmed periods per programme."),
    )
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    completed = serializers.IntegerField()
    not_completed = serializers.IntegerField()
    submission_rate = serializers.FloatField(allow_null=True)
    completion_rate = serializers.FloatField(allow_null=True)
    submission_rank = serializers.IntegerField(allow_null=True)
    completion_rank = serializers.IntegerField(allow_null=True)


class ChildrenSerializer(serializers.Serializer[Any]):
    total = UnitFiguresSerializer()
    children = UnitFiguresSerializer(many=True, help_text=_("Ranked by submission."))
    by_completion = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("The children's ids, ranked by completion.")
    )


class MonthSerializer(serializers.Serializer[Any]):
    month = serializers.DateField(allow_null=True, help_text=_("Null: no start date."))
    people = serializers.IntegerField()


class PlannedRowSerializer(serializers.Serializer[PlannedRow]):
    programme = serializers.CharField()
    module = serializers.IntegerField(source="module_id", allow_null=True)
    content = serializers.IntegerField(source="content_id", allow_null=True)
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the body's key
    people = serializers.IntegerField()
    by_form = serializers.DictField(child=serializers.IntegerField())
    by_month = serializers.SerializerMethodField()

    @extend_schema_field(MonthSerializer(many=True))
    def get_by_month(self, row: PlannedRow) -> list[dict[str, Any]]:
        months = [{"month": m, "people": n} for m, n in row.by_month.items()]
        return list(MonthSerializer(months, many=True).data)


class ActivitySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    programme = serializers.CharField()
    form = serializers.CharField()
    month = serializers.DateField()
    date = serializers.DateField(allow_null=True)
    hours = serializers.IntegerField()
    description = serializers.CharField()


class SchoolPlanSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(source="unit.pk")
    school_year = serializers.CharField(source="school_year.code")
    status = serializers.CharField()
    reported = serializers.BooleanField()
    late = serializers.BooleanField()
    editable = serializers.BooleanField()
    due = serializers.DateField(allow_null=True)
    note = serializers.CharField(source="plan.note", allow_null=True, default=None)
    reported_at = serializers.DateTimeField(
        source="plan.reported_at", allow_null=True, default=None
    )
    approved_plans = serializers.IntegerField(help_text=_("Approved personal plans added up."))
    rows = PlannedRowSerializer(many=True)
    activities = ActivitySerializer(many=True)
