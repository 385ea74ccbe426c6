"""Compile locale/*/LC_MESSAGES/django.po to .mo with polib (no GNU gettext needed).

The .mo files are committed, so `make demo` needs neither gettext nor this script; run it (via
`make messages`) after editing a .po. A test checks that the committed .mo matches its .po.
"""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(ROOT)}: {po.percent_translated()}% translated")


if __name__ == "__main__":
    main()
