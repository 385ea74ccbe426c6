from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from opentemis.evidence import validation
from opentemis.orgs.models import SchoolYear
from opentemis.orgs.selectors import current_school_year


class _EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    school_year = forms.ModelChoiceField(
        label=_("School year"), queryset=SchoolYear.objects.all(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("school_year", current_school_year())


SIZE_PLACEHOLDER = "{size}"


def upload_input_attrs() -> dict[str, str]:
    """Attributes of a file input for evidence: the server's limits and refusal messages, for
    the browser to check a file before sending it (``static/js/evidence-upload.js``). The
    server still checks everything (``validation``); these only spare a long wait."""
    return {
        "accept": validation.ACCEPT,
        "data-max-bytes": str(validation.max_bytes()),
        "data-too-large": validation.too_large_message(SIZE_PLACEHOLDER),
        "data-unsupported": validation.unsupported_message(),
    }


def upload_limits_text() -> str:
    return str(
        _(
            "PDF, images (JPG, PNG), Word, Excel, PowerPoint or OpenDocument files up to "
            "%(max)s. Files are checked by their content, not by their name."
        )
        % {"max": filesizeformat(validation.max_bytes())}
    )


class EvidenceUploadForm(_EvidenceForm):
    """A file for the library; its content is checked by the service, not here."""

    file = forms.FileField(label=_("File"), widget=forms.FileInput())
    field_order = ["file", "title", "school_year"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form: the limit is a setting (tests and deployments change it).
        self.fields["file"].widget.attrs.update(upload_input_attrs())


class EvidenceLinkForm(_EvidenceForm):
    """A web address (e.g. a shared folder or a published digital material)."""

    url = forms.CharField(
        label=_("Link"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    field_order = ["url", "title", "school_year"]
