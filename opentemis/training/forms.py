from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TrainingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (.yaml or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.xlsx"}),
    )
