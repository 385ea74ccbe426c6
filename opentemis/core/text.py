"""Vietnamese text helpers: NFC normalisation on input, diacritic-free keys for search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """NFC-normalise and collapse white space (input from Excel and forms comes in both forms)."""
    if not value:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: str | None) -> str:
    """Lower-case, diacritic-free form: "Nguyễn Văn Đức" -> "nguyen van duc".

    đ/Đ is a separate letter, not a base letter with a mark, so it is mapped by hand.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFD", str(value).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


def normalize_text(value: str | None) -> str:
    """NFC-normalise free text (comments, plans), keeping its line breaks."""
    if not value:
        return ""
    lines = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()
