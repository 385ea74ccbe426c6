from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.core.params import ModelMultipleIdField
from opentemis.core.widgets import NativeDateInput
from opentemis.orgs.models import Unit
from opentemis.staff.models import EmploymentStatus, Gender, Person, SubjectGroup
from opentemis.staff.selectors import StaffFilter, reference_choices


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or staff code"), required=False)
    # Plain choices from a cached list: no query to render or validate a filter.
    position = forms.ChoiceField(label=_("Position"), required=False)
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    dtts = forms.ChoiceField(
        label=_("Ethnic minority"),
        choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
        required=False,
    )
    core = forms.ChoiceField(
        label=_("Core teacher"),
        choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Employment status"), choices=[("", "—"), *EmploymentStatus.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = reference_choices()
        for name, key in (("position", "positions"), ("subject", "subjects")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # declared above
            field.choices = [("", "—"), *choices[key]]

    def to_filter(self, unit: Unit | None) -> StaffFilter:
        data = self.cleaned_data if self.is_valid() else {}
        tri = {"1": True, "0": False}
        return StaffFilter(
            unit=unit,
            q=data.get("q", ""),
            position=data.get("position", ""),
            subject=data.get("subject", ""),
            gender=data.get("gender", ""),
            dtts=tri.get(data.get("dtts", "")),
            core=tri.get(data.get("core", "")),
            status=data.get("status", ""),
        )


class PersonForm(forms.ModelForm[Person]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Declared here, not generated from the model: a generated field would query the scoped
    # manager when the module is imported, outside any scope. The queryset is set per request.
    subject_group = forms.ModelChoiceField[SubjectGroup](
        label=_("Subject group"), queryset=None, required=False
    )

    class Meta:
        model = Person
        fields = [
            "staff_code",
            "full_name",
            "gender",
            "date_of_birth",
            "ethnicity",
            "phone",
            "email",
            "qualification",
            "positions",
            "subjects",
            "employment_status",
        ]
        field_classes = {"positions": ModelMultipleIdField, "subjects": ModelMultipleIdField}
        widgets = {
            "date_of_birth": NativeDateInput,
            "positions": forms.CheckboxSelectMultiple,
            "subjects": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(
        self, *args: Any, unit: Unit | None = None, sensitive: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not sensitive:
            # Decision 0012: no ethnicity field for those who may not see it; saving without it
            # leaves the stored value as it is.
            del self.fields["ethnicity"]
        school = unit or (self.instance.unit if self.instance.pk else None)
        group = self.fields["subject_group"]
        assert isinstance(group, forms.ModelChoiceField)  # declared above
        group.queryset = (
            SubjectGroup.objects.filter(unit=school) if school else SubjectGroup.objects.none()
        )
        if self.instance.pk:
            self.fields["staff_code"].disabled = True
            self.fields["version"].initial = self.instance.version
