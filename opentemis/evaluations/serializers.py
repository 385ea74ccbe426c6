"""Serializers of the evaluation API: request bodies, query filters and response shapes.

Each answer's shape is declared here once, and the OpenAPI schema documents it. The views of
:mod:`opentemis.evaluations.api` hand these serializers the objects their fields read (a cycle,
a completion row, a person, an opinion summary, poll results), and where what a caller may see
depends on who they are (the reviewer's draft levels are hidden from the person until the record
is finalised, the actions allowed), the values computed for that caller; never JSON shaped
beside them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opentemis.evaluations.models import Cycle, EvaluationKind, Status
from opentemis.evaluations.selectors import CompletionRow
from opentemis.evaluations.services.fields import TEXT_FIELDS
from opentemis.orgs.models import SchoolYear
from opentemis.standards.models import Framework
from opentemis.standards.rules import Level

LEVEL_CHOICES = [(level.code, level.label) for level in Level]
_LEVELS_HELP = _('Criterion number -> level code (ChuaDat, Dat, Kha, Tot), e.g. {"1": "Tot"}.')
_VERSION_HELP = _("The version the client read. Required: a stale one answers 409.")


# --- shared pieces --------------------------------------------------------------------------

# A field serializer whose API name Python or DRF keeps for itself ("for" is a keyword; a
# serializer has its own ``errors``, ``data`` and a field its ``label``) is declared with a
# trailing underscore and named without it in the API: the schema, the input and the output.
AnySerializer = serializers.Serializer[Any]
AnyField = serializers.Field[Any, Any, Any, Any]


class ApiNamesMixin(AnySerializer):
    def get_fields(self) -> dict[str, AnyField]:
        return {name.removesuffix("_"): field for name, field in super().get_fields().items()}


class UnitRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    staff_code = serializers.CharField()


class RatingSerializer(ApiNamesMixin):
    """The overall rating the levels give, and why it is not higher (null while incomplete)."""

    level = serializers.ChoiceField(choices=LEVEL_CHOICES)
    label_ = serializers.CharField()
    explanation = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("For each level above the result: the conditions not met."),
    )
    citation = serializers.CharField(help_text=_("The regulation the rules come from."))


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


# --- cycles ---------------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer[Cycle]):
    school_year = serializers.SlugRelatedField[SchoolYear](slug_field="code", read_only=True)
    unit = UnitRefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "school_year",
            "unit",
            "self_due",
            "opinions_due",
            "review_due",
            "status",
            "is_open",
            "opened_at",
            "finished_at",
        ]
        read_only_fields = fields


class CycleCreateSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(
        help_text=_("Id of the unit whose subtree the cycle covers (you manage cycles there).")
    )
    school_year = serializers.SlugRelatedField(
        slug_field="code",
        queryset=SchoolYear.objects.all(),
        help_text=_("School year code, e.g. 2025-2026."),
    )
    name = serializers.CharField(max_length=200)
    self_due = serializers.DateField(help_text=_("Self-evaluation due."))
    opinions_due = serializers.DateField(help_text=_("Colleagues' opinions due."))
    review_due = serializers.DateField(help_text=_("Review due."))


class CompletionQuerySerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(
        required=False,
        help_text=_("Count this unit's children (default: the cycle's unit, or your own)."),
    )


@extend_schema_field(OpenApiTypes.DOUBLE)
class RateField(serializers.Field[CompletionRow, Any, float, CompletionRow]):
    """A count of a completion row as a percentage of those to evaluate
    (``CompletionRow.rate``); a number in the schema, as a ``FloatField``."""

    def __init__(self, count: str, **kwargs: Any) -> None:
        self.count = count
        super().__init__(source="*", **kwargs)

    def to_representation(self, value: CompletionRow) -> float:
        return value.rate(getattr(value, self.count))


class CompletionRowSerializer(serializers.Serializer[CompletionRow]):
    unit = UnitRefSerializer()
    to_evaluate = serializers.IntegerField(help_text=_("Working staff in evaluated positions."))
    started = serializers.IntegerField()
    self_evaluated = serializers.IntegerField()
    opinions = serializers.IntegerField(help_text=_("With colleagues' opinions or poll answers."))
    finalised = serializers.IntegerField()
    started_rate = RateField("started", help_text=_("Percent of those to evaluate."))
    self_rate = RateField("self_evaluated")
    opinions_rate = RateField("opinions")
    finalised_rate = RateField("finalised")


class CompletionSerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField()
    total = CompletionRowSerializer()
    rows = CompletionRowSerializer(many=True, help_text=_("One row per child unit."))


# --- evaluations: lists and detail -----------------------------------------------------------


class EvaluationQuerySerializer(ApiNamesMixin):
    cycle = serializers.IntegerField(required=False, help_text=_("Cycle id."))
    unit = serializers.IntegerField(
        required=False, help_text=_("Only evaluations in this unit and its sub-units.")
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=EvaluationKind.choices, required=False, allow_blank=True)
    for_ = serializers.ChoiceField(
        choices=[("opinion", "opinion"), ("poll", "poll")],
        required=False,
        allow_blank=True,
        help_text=_(
            "opinion: your subject-group colleagues' submitted self-evaluations, to give your "
            "opinion on (BM2); poll: the managers of your school whose anonymous poll you have "
            "not answered yet. Instead of the records you may view."
        ),
    )


class MeQuerySerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField(
        required=False, help_text=_("Cycle id (default: the open cycle covering your unit).")
    )


class EvaluationListSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField(source="cycle_id")
    person = PersonRefSerializer()
    unit = UnitRefSerializer()
    kind = serializers.ChoiceField(choices=EvaluationKind.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    version = serializers.IntegerField()
    self_rating = serializers.CharField()
    final_rating = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    finalised_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class CriterionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    name = serializers.CharField()
    is_key = serializers.BooleanField()


# An EvidenceLink and its item. (No docstring: a serializer's docstring is its schema's text.)
class EvidenceLinkSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField()
    evidence = serializers.IntegerField(
        source="evidence_id", help_text=_("Id of the evidence item.")
    )
    title = serializers.CharField(source="evidence.title")
    kind = serializers.CharField(source="evidence.kind")


class SelfEvaluationSerializer(serializers.Serializer[Any]):
    levels = serializers.DictField(child=serializers.CharField(), help_text=_LEVELS_HELP)
    notes = serializers.DictField(child=serializers.CharField())
    strengths = serializers.CharField()
    improvements = serializers.CharField()
    plan_goals = serializers.CharField()
    plan_content = serializers.CharField()
    plan_timing = serializers.CharField()
    plan_conditions = serializers.CharField()
    priority_criteria = serializers.ListField(child=serializers.IntegerField())
    self_rating = serializers.CharField(help_text=_("Stored at submission."))
    rating = RatingSerializer(allow_null=True, help_text=_("Computed from the levels now."))
    submitted_at = serializers.DateTimeField(allow_null=True)


class ReviewSerializer(serializers.Serializer[Any]):
    levels = serializers.DictField(child=serializers.CharField(), help_text=_LEVELS_HELP)
    comments = serializers.DictField(child=serializers.CharField())
    note = serializers.CharField()
    final_rating = serializers.CharField()
    rating = RatingSerializer(allow_null=True, help_text=_("Computed from the levels now."))
    reviewer = serializers.IntegerField(allow_null=True, help_text=_("User id."))
    finalised_at = serializers.DateTimeField(allow_null=True)


class TrainingNeedSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField()
    reason = serializers.CharField()
    modules = serializers.ListField(child=serializers.CharField())


class ActionsSerializer(serializers.Serializer[Any]):
    """What the caller may do with the record now."""

    can_edit_self = serializers.BooleanField()
    can_review = serializers.BooleanField()
    can_reopen = serializers.BooleanField()
    can_give_opinion = serializers.BooleanField()
    can_answer_poll = serializers.BooleanField()
    can_acknowledge = serializers.BooleanField()


@extend_schema_field(OpenApiTypes.STR)
class FrameworkTitleField(serializers.Field[Framework, Any, str, Framework]):
    """A framework's title in the answer's language: English where the framework has an
    English title, else Vietnamese (a string in the schema, as a ``CharField``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", **kwargs)

    def to_representation(self, value: Framework) -> str:
        if get_language() == "en" and value.title_en:
            return value.title_en
        return value.title_vi


class FrameworkRefSerializer(serializers.Serializer[Framework]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    title = FrameworkTitleField()


class EvaluationDetailSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField()
    person = PersonRefSerializer()
    unit = UnitRefSerializer()
    framework = FrameworkRefSerializer()
    kind = serializers.ChoiceField(choices=EvaluationKind.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    status_display = serializers.CharField()
    version = serializers.IntegerField(help_text=_("Send it back with every change."))
    criteria = CriterionSerializer(many=True)
    self_evaluation = SelfEvaluationSerializer()
    review = ReviewSerializer(
        allow_null=True,
        help_text=_("Null for the person evaluated until the record is finalised."),
    )
    returned_reason = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    evidence = EvidenceLinkSerializer(many=True)
    training_needs = TrainingNeedSerializer(many=True)
    actions = ActionsSerializer()


# --- evaluations: request bodies -------------------------------------------------------------


class VersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, help_text=_VERSION_HELP)


class SelfWriteSerializer(VersionSerializer):
    """Fields of the self-evaluation (BM1); those not sent stay as they are."""

    levels = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=_LEVELS_HELP
    )
    notes = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("Criterion number -> note."),
    )
    strengths = serializers.CharField(required=False, allow_blank=True)
    improvements = serializers.CharField(required=False, allow_blank=True)
    plan_goals = serializers.CharField(required=False, allow_blank=True)
    plan_content = serializers.CharField(required=False, allow_blank=True)
    plan_timing = serializers.CharField(required=False, allow_blank=True)
    plan_conditions = serializers.CharField(required=False, allow_blank=True)
    priority_criteria = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text=_("Criteria you choose to improve first."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        texts = {name: data[name] for name in TEXT_FIELDS if name in data}
        return {
            "version": data["version"],
            "levels": data.get("levels"),
            "notes": data.get("notes"),
            "texts": texts or None,
            "priority_criteria": data.get("priority_criteria"),
        }


class ReviewWriteSerializer(VersionSerializer):
    """The reviewer's levels and comments; those not sent stay as they are."""

    levels = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=_LEVELS_HELP
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("Criterion number -> comment."),
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The reviewer's overall comment.")
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "version": data["version"],
            "levels": data.get("levels"),
            "comments": data.get("comments"),
            "note": data.get("note"),
        }


class FinaliseWriteSerializer(ReviewWriteSerializer):
    """The review's last changes, and the reviewer's confirmation where one is needed."""

    acknowledge_no_opinions = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Finalise although no colleague's opinion (for a manager, no poll answer) has "
            "arrived while their deadline has not passed. Without it such a finalisation "
            "answers 400 with the warning under this field's name."
        ),
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {
            **super().service_kwargs(),
            "acknowledge_no_opinions": self.validated_data["acknowledge_no_opinions"],
        }


class ReturnSerializer(VersionSerializer):
    reason = serializers.CharField(allow_blank=True, help_text=_("What the person should revise."))


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True, help_text=_("Recorded in the audit log."))


class OpinionWriteSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(help_text=_("Level code: ChuaDat, Dat, Kha or Tot."))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class OpinionSummarySerializer(serializers.Serializer[Any]):
    """Counts of the colleagues' opinions (BM3), without their authors."""

    total = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Level code -> number of opinions.")
    )
    comments = serializers.ListField(child=serializers.CharField())


class PollWriteSerializer(serializers.Serializer[Any]):
    levels = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=_LEVELS_HELP
    )
    overall = serializers.CharField(help_text=_("Overall level code."))


class PollResultsSerializer(serializers.Serializer[Any]):
    """Aggregated answers only; nothing at all below three answers."""

    class CriterionCountsSerializer(serializers.Serializer[Any]):
        criterion = serializers.IntegerField()
        counts = serializers.DictField(child=serializers.IntegerField())

    answers = serializers.IntegerField()
    shown = serializers.BooleanField(help_text=_("False below three answers: no counts given."))
    overall = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Level code -> number of answers.")
    )
    criteria = CriterionCountsSerializer(many=True, source="by_criterion")


class EvidenceWriteSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField(min_value=1)
    evidence = serializers.IntegerField(help_text=_("Id of an item of the person's library."))
