"""Forms of the cascade's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.cascade.models import SupportForm, SupportPlanStatus
from opentemis.core.widgets import NativeDateInput
from opentemis.orgs.models import SchoolLevel
from opentemis.staff.models import CoreKind, Subject


class DesignateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Core staff kind"), choices=CoreKind.choices)
    subject = forms.ModelChoiceField(
        label=_("Subject"), queryset=Subject.objects.all(), required=False
    )
    level = forms.ModelChoiceField(
        label=_("School level"),
        queryset=SchoolLevel.objects.all(),
        required=False,
        to_field_name="code",
    )
    override_reason = forms.CharField(
        label=_("Reason for designating although a condition is not met"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, levels: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels:
            field = self.fields["level"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = SchoolLevel.objects.filter(code__in=levels)


class ReassignForm(forms.Form):
    core = forms.CharField(label=_("Staff code of the core teacher"), max_length=32)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class SupportPlanForm(forms.Form):
    text = forms.CharField(
        label=_("Plan"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=SupportPlanStatus.choices)


class SupportActivityForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=NativeDateInput)
    form = forms.ChoiceField(label=_("Form"), choices=SupportForm.choices)
    colleagues = forms.TypedMultipleChoiceField(
        label=_("Colleagues concerned"), coerce=int, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )

    def __init__(self, *args: Any, colleagues: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["colleagues"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = colleagues
        field.widget = forms.CheckboxSelectMultiple(choices=colleagues)
