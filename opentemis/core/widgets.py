"""Form widgets shared by every app."""

from __future__ import annotations

from django import forms

# The only value format an <input type="date"> accepts (HTML: a "valid date string"). Anything
# else, e.g. the Vietnamese display format 17/05/2026, is dropped by the browser and the field
# shows empty, losing the default the form meant to offer.
ISO_DATE = "%Y-%m-%d"


class NativeDateInput(forms.DateInput):
    """The browser's date picker, always given an ISO value whatever the active locale.

    A plain ``DateInput`` formats its value with the locale's first DATE_INPUT_FORMATS entry
    ("%d/%m/%Y" in Vietnamese). The browser displays the date in the person's own format and
    posts it back as ISO, which every locale's DATE_INPUT_FORMATS accepts.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)
