from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
