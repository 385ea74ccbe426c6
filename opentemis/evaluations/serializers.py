"""Serializers of the evaluation API: request bodies, query filters and response shapes.

Responses are built from plain dicts by :mod:`opentemis.evaluations.api` (what a caller may see
depends on who they are, e.g. the reviewer's draft levels are hidden from the person until the
record is finalised); the classes here declare the shapes, so the OpenAPI schema documents them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from opentemis.evaluations.models import Cycle, EvaluationKind, Status
from opentemis.orgs.models import SchoolYear
from opentemis.standards.rules import Level

LEVEL_CHOICES = [(level.code, level.label) for level in Level]
_LEVELS_HELP = _('Criterion number -> level code (ChuaDat, Dat, Kha, Tot), e.g. {"1": "Tot"}.')
_VERSION_HELP = _("The version the client read. Required: a stale one answers 409.")


# --- shared pieces --------------------------------------------------------------------------


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    staff_code = serializers.CharField()


class RatingSerializer(serializers.Serializer):
    """The overall rating the levels give, and why it is not higher (null while incomplete)."""

    level = serializers.ChoiceField(choices=LEVEL_CHOICES)
    label = serializers.CharField()
    explanation = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("For each level above the result: the conditions not met."),
    )
    citation = serializers.CharField(help_text=_("The regulation the rules come from."))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- cycles ---------------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    school_year = serializers.SlugRelatedField(slug_field="code", read_only=True)
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


class CycleCreateSerializer(serializers.Serializer):
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


class CompletionQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        required=False,
        help_text=_("Count this unit's children (default: the cycle's unit, or your own)."),
    )


class CompletionRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    to_evaluate = serializers.IntegerField(help_text=_("Working staff in evaluated positions."))
    started = serializers.IntegerField()
    self_evaluated = serializers.IntegerField()
    opinions = serializers.IntegerField(help_text=_("With colleagues' opinions or poll answers."))
    finalised = serializers.IntegerField()
    started_rate = serializers.FloatField(help_text=_("Percent of those to evaluate."))
    self_rate = serializers.FloatField()
    opinions_rate = serializers.FloatField()
    finalised_rate = serializers.FloatField()


class CompletionSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    total = CompletionRowSerializer()
    rows = CompletionRowSerializer(many=True, help_text=_("One row per child unit."))


# --- evaluations: lists and detail -----------------------------------------------------------


class EvaluationQuerySerializer(serializers.Serializer):
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

    def get_fields(self) -> dict[str, serializers.Field]:
        # "for" is a Python keyword: declared as for_, named "for" in the API.
        fields = super().get_fields()
        fields["for"] = fields.pop("for_")
        return fields


class MeQuerySerializer(serializers.Serializer):
    cycle = serializers.IntegerField(
        required=False, help_text=_("Cycle id (default: the open cycle covering your unit).")
    )


class EvaluationListSerializer(serializers.Serializer):
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


class CriterionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    is_key = serializers.BooleanField()


class EvidenceLinkSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    evidence = serializers.IntegerField(help_text=_("Id of the evidence item."))
    title = serializers.CharField()
    kind = serializers.CharField()


class SelfEvaluationSerializer(serializers.Serializer):
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


class ReviewSerializer(serializers.Serializer):
    levels = serializers.DictField(child=serializers.CharField(), help_text=_LEVELS_HELP)
    comments = serializers.DictField(child=serializers.CharField())
    note = serializers.CharField()
    final_rating = serializers.CharField()
    rating = RatingSerializer(allow_null=True, help_text=_("Computed from the levels now."))
    reviewer = serializers.IntegerField(allow_null=True, help_text=_("User id."))
    finalised_at = serializers.DateTimeField(allow_null=True)


class TrainingNeedSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    reason = serializers.CharField()
    modules = serializers.ListField(child=serializers.CharField())


class ActionsSerializer(serializers.Serializer):
    """What the caller may do with the record now."""

    can_edit_self = serializers.BooleanField()
    can_review = serializers.BooleanField()
    can_reopen = serializers.BooleanField()
    can_give_opinion = serializers.BooleanField()
    can_answer_poll = serializers.BooleanField()
    can_acknowledge = serializers.BooleanField()


class FrameworkRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()


class EvaluationDetailSerializer(serializers.Serializer):
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


class VersionSerializer(serializers.Serializer):
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

    TEXTS = (
        "strengths",
        "improvements",
        "plan_goals",
        "plan_content",
        "plan_timing",
        "plan_conditions",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        texts = {name: data[name] for name in self.TEXTS if name in data}
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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=_("Recorded in the audit log."))


class OpinionWriteSerializer(serializers.Serializer):
    level = serializers.CharField(help_text=_("Level code: ChuaDat, Dat, Kha or Tot."))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionSerializer(serializers.Serializer):
    level = serializers.CharField()
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class OpinionSummarySerializer(serializers.Serializer):
    """Counts of the colleagues' opinions (BM3), without their authors."""

    total = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Level code -> number of opinions.")
    )
    comments = serializers.ListField(child=serializers.CharField())


class PollWriteSerializer(serializers.Serializer):
    levels = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text=_LEVELS_HELP
    )
    overall = serializers.CharField(help_text=_("Overall level code."))


class PollResultsSerializer(serializers.Serializer):
    """Aggregated answers only; nothing at all below three answers."""

    class CriterionCountsSerializer(serializers.Serializer):
        criterion = serializers.IntegerField()
        counts = serializers.DictField(child=serializers.IntegerField())

    answers = serializers.IntegerField()
    shown = serializers.BooleanField(help_text=_("False below three answers: no counts given."))
    overall = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Level code -> number of answers.")
    )
    criteria = CriterionCountsSerializer(many=True)


class EvidenceWriteSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1)
    evidence = serializers.IntegerField(help_text=_("Id of an item of the person's library."))
