"""The sample form: how many to draw (a number of people or a share of the completions), with
which seed (empty: a new one, shown and kept in the address), of which course."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.audits.sampling import SEED_MAX, SIZE_MAX


class SampleForm(forms.Form):
    size = forms.IntegerField(
        label=_("Number of people"), required=False, min_value=1, max_value=SIZE_MAX
    )
    share = forms.DecimalField(
        label=_("Or a share of the completions (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    seed = forms.IntegerField(
        label=_("Seed (empty: a new one)"), required=False, min_value=1, max_value=SEED_MAX
    )
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, courses: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("All courses")), *courses]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("size") is None and data.get("share") is None:
            raise forms.ValidationError(_("Give a number of people or a share to draw."))
        if data.get("size") is not None and data.get("share") is not None:
            raise forms.ValidationError(_("Give either a number of people or a share, not both."))
        return data
