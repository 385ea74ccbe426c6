from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.orgs.models import SchoolLevel
from opentemis.staff.models import Position
from opentemis.standards.models import Framework


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Framework file (.yaml or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.xlsx"}),
    )


class FrameworkApplyForm(forms.Form):
    """Apply one framework version to positions x school levels of a year."""

    framework = forms.ModelChoiceField(queryset=Framework.objects.none(), label=_("Framework"))
    positions = forms.MultipleChoiceField(label=_("Positions"), widget=forms.CheckboxSelectMultiple)
    levels = forms.MultipleChoiceField(
        label=_("School levels"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["framework"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Framework.objects.order_by("code", "-version")
        field.label_from_instance = _framework_label
        self.fields["positions"].choices = [  # type: ignore[attr-defined]
            (p.code, f"{p.name} ({p.code})") for p in Position.objects.all()
        ]
        self.fields["levels"].choices = [  # type: ignore[attr-defined]
            (lvl.code, f"{lvl.name} ({lvl.code})") for lvl in SchoolLevel.objects.all()
        ]


def _framework_label(framework: Framework) -> str:
    label = f"{framework.code} v{framework.version} · {framework.title_vi}"
    if not framework.is_complete:
        label += " · " + str(_("incomplete"))
    if framework.is_locked:
        label += " · " + str(_("locked"))
    return label
