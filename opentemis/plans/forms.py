"""The forms of the plan pages. They read what a person typed and keep it on a refusal; the
rules (periods from 1 to 200, dates in order, what applies to a plan) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.core.widgets import NativeDateInput
from opentemis.plans.models import PlanItem, StudyForm


class PlanTextForm(forms.Form):
    """The plan's objectives and expected outputs (TT 19/2019 Đ.8), with the version read."""

    objectives = forms.CharField(
        label=_("Objectives of the plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outputs = forms.CharField(
        label=_("Expected outputs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ItemForm(forms.Form):
    """One item's periods, form, timing, objectives and outputs (prefixed by the item)."""

    hours = forms.IntegerField(label=_("Periods"), widget=forms.NumberInput(attrs={"min": 1}))
    form = forms.ChoiceField(label=_("Form of study"), choices=StudyForm.choices)
    starts = forms.DateField(label=_("From"), required=False, widget=NativeDateInput)
    ends = forms.DateField(label=_("To"), required=False, widget=NativeDateInput)
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outputs = forms.CharField(
        label=_("Expected outputs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def for_item(cls, item: PlanItem, data: Any = None) -> ItemForm:
        initial = {name: getattr(item, name) for name in cls.base_fields}
        return cls(data, initial=initial, prefix=f"i{item.pk}")


class ReasonForm(forms.Form):
    """A reason a person writes: returning a plan, asking for a change, refusing one."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    """A decision on a change request: accept, or refuse with a reason (the service checks)."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("refuse", _("Refuse"))], required=False
    )
    note = forms.CharField(
        label=_("Reason (required to refuse)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeadlineForm(forms.Form):
    due = forms.DateField(
        label=_("Deadline for personal plans"),
        widget=NativeDateInput,
    )
