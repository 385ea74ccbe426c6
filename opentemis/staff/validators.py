"""What a staff record's names and codes may be: one rule for every way in.

The staff form and the API write through ``staff.services`` (``person_create``,
``person_update``), which call :func:`check_person_fields`; the Excel import checks each cell
with the same functions (``staff.excel.parsing``). So a value refused on one path is refused on
all, with the same Vietnamese message.

A name is letters, spaces and ``. ' -``, starting with a letter: this also refuses anything a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first), since the records are
exported to Excel and read by others. A staff code is capital letters without accents, digits
and ``- _ . /``, starting with a letter or digit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NAME_SIGNS = " .'-"
STAFF_CODE = re.compile(r"[0-9A-Z][0-9A-Z._/-]*")
STAFF_CODE_MAX = 32


def validate_full_name(value: str) -> None:
    text = str(value).strip()
    if (
        not text
        or not text[0].isalpha()
        or not all(ch.isalpha() or ch in NAME_SIGNS for ch in text)
    ):
        raise ValidationError(
            _("«%(value)s» is not a valid full name; write letters only, e.g. Nguyễn Văn An."),
            code="invalid_full_name",
            params={"value": value},
        )


def validate_staff_code(value: str) -> None:
    text = str(value).strip().upper()
    if len(text) > STAFF_CODE_MAX or not STAFF_CODE.fullmatch(text):
        raise ValidationError(
            _(
                "«%(value)s» is not a valid staff code; use at most 32 letters (without "
                "accents), digits and the signs - _ . /"
            ),
            code="invalid_staff_code",
            params={"value": value},
        )


RULES = {"full_name": validate_full_name, "staff_code": validate_staff_code}


def check_person_fields(
    fields: Mapping[str, Any], *, before: Mapping[str, Any] | None = None
) -> None:
    """Refuse, field by field, the values sent that break their rule. ``before``: the record as
    stored; a value left as it was is not judged again (records from before the rule)."""
    errors: dict[str, list[ValidationError]] = {}
    for name, rule in RULES.items():
        if name not in fields or (before is not None and before.get(name) == fields[name]):
            continue
        try:
            rule(fields[name])
        except ValidationError as exc:
            errors[name] = [exc]
    if errors:
        raise ValidationError(errors)
