"""The fields a person types in an evaluation: BM1's comments and plan, and what a conflict
lists (not the bookkeeping the steps add, such as the reviewer or the time of finalisation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

TEXT_FIELDS = (
    "strengths",
    "improvements",
    "plan_goals",
    "plan_content",
    "plan_timing",
    "plan_conditions",
)
#: The BM1 comments and plan (labels as the form shows them).
TEXT_FIELD_LABELS = {
    "strengths": gettext_lazy("Strengths"),
    "improvements": gettext_lazy("Points to improve"),
    "plan_goals": gettext_lazy("Development plan: goals"),
    "plan_content": gettext_lazy("Content to study (competencies to improve first)"),
    "plan_timing": gettext_lazy("Timing"),
    "plan_conditions": gettext_lazy("Conditions"),
}
#: Needed to submit BM1: the comments and the plan's goals and content are where training needs
#: come from (TT 20 Điều 10; form BM1). Timing and conditions are the plan's logistics and may
#: stay empty.
REQUIRED_TEXT_FIELDS = ("strengths", "improvements", "plan_goals", "plan_content")

#: Fields a person types; a conflict lists differences in these only.
INPUT_FIELDS = frozenset(
    {
        "self_levels",
        "self_notes",
        *TEXT_FIELDS,
        "priority_criteria",
        "review_levels",
        "review_comments",
        "review_note",
    }
)
