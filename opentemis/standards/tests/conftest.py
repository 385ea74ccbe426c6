"""Fixtures of the standards tests: the built-in frameworks, a system administrator, and
Vietnamese including this app's catalogue part (merged into django.po by the lead later)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

PART = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "vi_standards.po.part"


@pytest.fixture
def vi(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Activate Vietnamese, with the entries of ``vi_standards.po.part`` on top of django.po."""
    entries: dict[Any, str] = {}
    for entry in polib.pofile(str(PART)):
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                entries[(entry.msgid, int(index))] = text
        elif entry.msgstr:
            entries[entry.msgid] = entry.msgstr
    catalog = trans_real.translation("vi")._catalog
    monkeypatch.setattr(catalog, "_catalogs", [entries, *catalog._catalogs])
    monkeypatch.setattr(catalog, "_plurals", [catalog._plurals[0], *catalog._plurals])
    with translation.override("vi"):
        yield


@pytest.fixture
def builtins(db: Any) -> dict[str, Any]:
    from opentemis.standards.services import load_builtin_frameworks

    return {fw.code: fw for fw in load_builtin_frameworks()}


@pytest.fixture
def root(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="root", password="x")
