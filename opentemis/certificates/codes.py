"""Certificate codes: 10 characters of Crockford's base32 drawn from ``secrets`` (50 bits).

With 2.4 million certificates in the country, a guessed code hits one with a chance of about
2 in a billion; the verification page also limits misses per address (``selectors``). Codes are
printed in two groups of five (``ABCDE-FGHJK``); what a person types is normalised the
Crockford way: case and hyphens or spaces ignored, I and L read as 1, O as 0.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_ALLOWED = frozenset(ALPHABET)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: object) -> str | None:
    """The code a person typed (or a QR code carried), or None when it cannot be one."""
    text = str(raw or "")[:40].upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    if len(text) != LENGTH or not set(text) <= _ALLOWED:
        return None
    return text


def printed(code: str) -> str:
    """The code as printed and shown: two groups of five."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code
