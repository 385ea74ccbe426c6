from __future__ import annotations

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


class FrameworkChoiceField(forms.ModelChoiceField[Framework]):
    """A framework version, labelled with its code, version, title and state."""

    def label_from_instance(self, obj: Framework) -> str:
        label = f"{obj.code} v{obj.version} · {obj.title_vi}"
        if not obj.is_complete:
            label += " · " + str(_("incomplete"))
        if obj.is_locked:
            label += " · " + str(_("locked"))
        return label


def _position_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.code})") for p in Position.objects.all()]


def _level_choices() -> list[tuple[str, str]]:
    return [(lvl.code, f"{lvl.name} ({lvl.code})") for lvl in SchoolLevel.objects.all()]


class FrameworkApplyForm(forms.Form):
    """Apply one framework version to positions x school levels of a year.

    The querysets and choice callables are evaluated per form (positions and levels are data,
    not code), never at import.
    """

    framework = FrameworkChoiceField(
        queryset=Framework.objects.order_by("code", "-version"), label=_("Framework")
    )
    positions = forms.MultipleChoiceField(
        label=_("Positions"), choices=_position_choices, widget=forms.CheckboxSelectMultiple
    )
    levels = forms.MultipleChoiceField(
        label=_("School levels"), choices=_level_choices, widget=forms.CheckboxSelectMultiple
    )
