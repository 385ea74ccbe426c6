from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.training.files import MAX_HOURS, MODULE_FIELDS
from opentemis.training.models import Audience, Module, Title
from opentemis.training.xlsx import note_field, note_label


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


def _criteria(text: str) -> list[int]:
    numbers: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        # ASCII digits only ("²" is a digit to str.isdigit but not to int), and a criterion
        # number is small.
        if not (part.isascii() and part.isdigit() and len(part) <= 3):
            raise forms.ValidationError(
                _("Write the criterion numbers separated by commas (e.g. 5, 6).")
            )
        numbers.append(int(part))
    return numbers


def _field_names() -> str:
    return ", ".join(note_label(field) for field in MODULE_FIELDS)


def _notes(text: str) -> dict[str, str]:
    """«Số tiết: chưa biết» lines as {"hours": "chưa biết"} (a field by its Excel column or key)."""
    notes: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, note = line.partition(":")
        field = note_field(name)
        if not colon or field not in MODULE_FIELDS or not note.strip():
            raise forms.ValidationError(
                _("Write one note per line as «field: note», the field among %(fields)s.")
                % {"fields": _field_names()}
            )
        notes[field] = note.strip()
    return notes


class ModuleForm(forms.Form):
    """A module of a draft catalogue version (services.module_update checks the rest)."""

    title = forms.CharField(label=_("Module title"), max_length=500)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    levels = forms.MultipleChoiceField(
        label=_("School levels"), required=False, widget=forms.CheckboxSelectMultiple
    )
    hours = forms.IntegerField(
        label=_("Periods (empty: unknown)"), min_value=1, max_value=MAX_HOURS, required=False
    )
    framework = forms.CharField(
        label=_("Framework of the criteria (e.g. TT20_2018_GVPT)"), max_length=40, required=False
    )
    criteria = forms.CharField(
        label=_("Criteria developed (numbers, separated by commas)"), required=False
    )
    contents = forms.CharField(
        label=_("Contents"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcomes = forms.CharField(
        label=_("Expected outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    to_verify = forms.CharField(
        label=_("To verify (one line per field: «field: note»)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, levels: list[str], disabled: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        level_field = self.fields["levels"]
        assert isinstance(level_field, forms.MultipleChoiceField)
        level_field.choices = [(code, code) for code in levels]
        self.fields["to_verify"].help_text = _("Fields: %(fields)s.") % {"fields": _field_names()}
        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def clean_criteria(self) -> list[int]:
        return _criteria(self.cleaned_data["criteria"])

    def clean_to_verify(self) -> dict[str, str]:
        return _notes(self.cleaned_data["to_verify"])

    @staticmethod
    def initial_of(module: Module) -> dict[str, Any]:
        return {
            "title": module.title,
            "audience": module.audience,
            "levels": list(module.levels),
            "hours": module.hours,
            "framework": module.framework,
            "criteria": ", ".join(str(c) for c in module.criteria),
            "contents": module.contents,
            "outcomes": module.outcomes,
            "to_verify": "\n".join(f"{note_label(k)}: {v}" for k, v in module.to_verify.items()),
        }
