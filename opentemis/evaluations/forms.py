"""Reading the evaluation pages' POST data into service arguments (and back for re-display)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opentemis.core.params import parse_positive_int
from opentemis.core.widgets import NativeDateInput
from opentemis.evaluations.models import Evaluation, EvaluatorKind
from opentemis.evaluations.services import TEXT_FIELDS
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit, UnitKind
from opentemis.staff.models import Position


@dataclass
class SelfState:
    """What the BM1 form shows: from the record, or from a POST that could not be saved."""

    levels: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    priority: list[int] = field(default_factory=list)

    @classmethod
    def from_evaluation(cls, evaluation: Evaluation) -> SelfState:
        return cls(
            levels=dict(evaluation.self_levels),
            notes=dict(evaluation.self_notes),
            texts={name: getattr(evaluation, name) for name in TEXT_FIELDS},
            priority=[int(c) for c in evaluation.priority_criteria],
        )

    @classmethod
    def from_post(cls, post: QueryDict, numbers: list[int]) -> SelfState:
        return cls(
            levels=_levels(post, numbers),
            notes={str(n): post.get(f"note_{n}", "") for n in numbers},
            texts={name: post.get(name, "") for name in TEXT_FIELDS},
            priority=[n for c in post.getlist("priority") if (n := parse_positive_int(c))],
        )

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "levels": self.levels,
            "notes": self.notes,
            "texts": self.texts,
            "priority_criteria": self.priority,
        }


@dataclass
class ReviewState:
    levels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @classmethod
    def from_evaluation(cls, evaluation: Evaluation) -> ReviewState:
        # The reviewer starts from the person's own levels until they set their own.
        levels = dict(evaluation.review_levels) or dict(evaluation.self_levels)
        return cls(
            levels=levels, comments=dict(evaluation.review_comments), note=evaluation.review_note
        )

    @classmethod
    def from_post(cls, post: QueryDict, numbers: list[int]) -> ReviewState:
        return cls(
            levels=_levels(post, numbers),
            comments={str(n): post.get(f"comment_{n}", "") for n in numbers},
            note=post.get("review_note", ""),
        )

    def as_kwargs(self) -> dict[str, Any]:
        return {"levels": self.levels, "comments": self.comments, "note": self.note}


def _levels(post: QueryDict, numbers: list[int]) -> dict[str, str]:
    """The level chosen for each criterion (``level_<n>``); criteria left unchosen are absent."""
    return {str(n): level for n in numbers if (level := post.get(f"level_{n}"))}


def version_of(post: QueryDict) -> int:
    return parse_positive_int(post.get("version")) or 0


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    self_due = forms.DateField(label=_("Self-evaluation due"), widget=NativeDateInput)
    opinions_due = forms.DateField(label=_("Colleagues' opinions due"), widget=NativeDateInput)
    review_due = forms.DateField(label=_("Review due"), widget=NativeDateInput)

    @classmethod
    def initial_for(cls, school_year: SchoolYear, unit: Unit) -> dict[str, Any]:
        end = school_year.end_date
        year_end = dt.date(end.year, 5, 31)
        return {
            "name": f"Đánh giá chuẩn nghề nghiệp {school_year.code} - {unit.name}",
            "self_due": year_end - dt.timedelta(days=14),
            "opinions_due": year_end - dt.timedelta(days=7),
            "review_due": year_end,
        }


class EvaluatorRuleForm(forms.Form):
    """Who evaluates holders of a management position, at one school level or any."""

    position = forms.ChoiceField(label=_("Position"))
    level = forms.ChoiceField(label=_("School level"), required=False)
    evaluator = forms.ChoiceField(label=_("Evaluated by"))
    superior_kind = forms.ChoiceField(label=_("Kind of superior unit"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choose(
            "position",
            [(p.code, f"{p.name} ({p.code})") for p in Position.objects.filter(is_manager=True)],
        )
        self._choose(
            "level",
            [("", _("Any level"))]
            + [(lvl.code, f"{lvl.name} ({lvl.code})") for lvl in SchoolLevel.objects.all()],
        )
        self._choose("evaluator", EvaluatorKind.choices)
        self._choose("superior_kind", [("", _("Any superior unit")), *UnitKind.choices])

    def _choose(self, name: str, choices: Sequence[tuple[str, str | Promise]]) -> None:
        """Give the choice field ``name`` its options, read when the form is made."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):  # the fields declared above
            raise TypeError(f"{name} is not a choice field")
        field.choices = choices
