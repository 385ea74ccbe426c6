from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.evidence import validation
from opentemis.orgs.models import SchoolYear


class _EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    school_year = forms.ModelChoiceField(
        label=_("School year"), queryset=SchoolYear.objects.all(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "school_year", SchoolYear.objects.filter(is_current=True).first()
            )


class EvidenceUploadForm(_EvidenceForm):
    """A file for the library; its content is checked by the service, not here."""

    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": validation.ACCEPT}),
    )
    field_order = ["file", "title", "school_year"]


class EvidenceLinkForm(_EvidenceForm):
    """A web address (e.g. a shared folder or a published digital material)."""

    url = forms.CharField(
        label=_("Link"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    field_order = ["url", "title", "school_year"]
