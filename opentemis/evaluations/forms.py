"""Reading the evaluation pages' POST data into service arguments (and back for re-display)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from opentemis.core.params import parse_positive_int
from opentemis.core.widgets import NativeDateInput
from opentemis.evaluations.models import EvaluatorKind
from opentemis.evaluations.services import TEXT_FIELDS
from opentemis.orgs.models import SchoolLevel, UnitKind
from opentemis.staff.models import Position


@dataclass
class SelfState:
    """What the BM1 form shows: from the record, or from a POST that could not be saved."""

    levels: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    priority: list[int] = field(default_factory=list)

    @classmethod
    def from_evaluation(cls, evaluation: Any) -> SelfState:
        return cls(
            levels=dict(evaluation.self_levels),
            notes=dict(evaluation.self_notes),
            texts={name: getattr(evaluation, name) for name in TEXT_FIELDS},
            priority=[int(c) for c in evaluation.priority_criteria],
        )

    @classmethod
    def from_post(cls, post: QueryDict, numbers: list[int]) -> SelfState:
        return cls(
            levels={str(n): post[f"level_{n}"] for n in numbers if post.get(f"level_{n}")},
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
    def from_evaluation(cls, evaluation: Any) -> ReviewState:
        # The reviewer starts from the person's own levels until they set their own.
        levels = dict(evaluation.review_levels) or dict(evaluation.self_levels)
        return cls(
            levels=levels, comments=dict(evaluation.review_comments), note=evaluation.review_note
        )

    @classmethod
    def from_post(cls, post: QueryDict, numbers: list[int]) -> ReviewState:
        return cls(
            levels={str(n): post[f"level_{n}"] for n in numbers if post.get(f"level_{n}")},
            comments={str(n): post.get(f"comment_{n}", "") for n in numbers},
            note=post.get("review_note", ""),
        )

    def as_kwargs(self) -> dict[str, Any]:
        return {"levels": self.levels, "comments": self.comments, "note": self.note}


def version_of(post: QueryDict) -> int:
    return parse_positive_int(post.get("version")) or 0


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    self_due = forms.DateField(label=_("Self-evaluation due"), widget=NativeDateInput)
    opinions_due = forms.DateField(label=_("Colleagues' opinions due"), widget=NativeDateInput)
    review_due = forms.DateField(label=_("Review due"), widget=NativeDateInput)

    @classmethod
    def initial_for(cls, school_year: Any, unit: Any) -> dict[str, Any]:
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
        self.fields["position"].choices = [  # type: ignore[attr-defined]
            (p.code, f"{p.name} ({p.code})") for p in Position.objects.filter(is_manager=True)
        ]
        self.fields["level"].choices = [("", _("Any level"))] + [  # type: ignore[attr-defined]
            (lvl.code, f"{lvl.name} ({lvl.code})") for lvl in SchoolLevel.objects.all()
        ]
        self.fields["evaluator"].choices = EvaluatorKind.choices  # type: ignore[attr-defined]
        self.fields["superior_kind"].choices = [  # type: ignore[attr-defined]
            ("", _("Any superior unit")),
            *UnitKind.choices,
        ]
