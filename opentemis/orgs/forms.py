from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.core.params import parse_positive_int
from opentemis.orgs.models import SchoolLevel, UnitKind, UnitStatus


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    levels = forms.ModelMultipleChoiceField(
        label=_("School levels"),
        queryset=SchoolLevel.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    disadvantaged_area = forms.BooleanField(label=_("Disadvantaged area"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=UnitStatus.choices)


class UnitMoveForm(forms.Form):
    target = forms.IntegerField(label=_("New parent unit"), widget=forms.HiddenInput)
    units = forms.CharField(widget=forms.HiddenInput)  # comma-separated ids of selected units
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def unit_ids(self) -> list[int]:
        raw = self.cleaned_data.get("units", "")
        return [i for x in raw.split(",") if (i := parse_positive_int(x))]
