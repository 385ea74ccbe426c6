"""Add or update Vietnamese translations in locale/vi/LC_MESSAGES/django.po, then compile.

    .venv/bin/python scripts/po_add.py FILE.json [FILE.json ...]

Each FILE is a JSON object {"English msgid": "Vietnamese msgstr", ...}; a key of the form
"context\\u0004msgid" sets a msgctxt; a key "singular\\u0001plural" makes a plural entry
(Vietnamese has one form). An entry already translated keeps its msgstr (the same
English can be said differently elsewhere: give the new text a msgctxt); an untranslated one
gets the new msgstr. Exact duplicates (which a union merge of the .po can leave) are removed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def main(paths: list[str]) -> None:
    po = polib.pofile(str(PO))
    seen: dict[tuple[str | None, str], polib.POEntry] = {}
    for entry in list(po):
        key = (entry.msgctxt, entry.msgid)
        if key in seen and not entry.msgid_plural and not seen[key].msgid_plural:
            po.remove(entry)
        else:
            seen.setdefault(key, entry)
    added = changed = 0
    for path in paths:
        for raw, msgstr in json.loads(Path(path).read_text(encoding="utf-8")).items():
            ctxt, _, text = raw.rpartition("\u0004")
            msgid, _, plural = text.partition("\u0001")
            key = (ctxt or None, msgid)
            if key in seen:
                if not seen[key].msgstr and not seen[key].msgstr_plural:
                    seen[key].msgstr = msgstr
                    changed += 1
                continue
            if plural:
                entry = polib.POEntry(
                    msgid=msgid,
                    msgid_plural=plural,
                    msgstr_plural={0: msgstr},
                    msgctxt=ctxt or None,
                )
            else:
                entry = polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=ctxt or None)
            po.append(entry)
            seen[key] = entry
            added += 1
    po.save(str(PO))
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    print(f"{PO.relative_to(ROOT)}: {added} added, {changed} changed")


if __name__ == "__main__":
    main(sys.argv[1:])
