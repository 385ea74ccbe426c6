from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.training.models import Title


class TrainingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (.yaml or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.xlsx"}),
    )


class LocalContentForm(forms.Form):
    """A programme-02 content of a province (the service checks the rest)."""

    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Content"), max_length=500)
    hours = forms.IntegerField(label=_("Periods"), min_value=0, max_value=200, required=False)
    titles = forms.MultipleChoiceField(
        label=_("For teacher titles (none: everyone)"),
        choices=Title.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
