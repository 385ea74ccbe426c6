"""Compare the ways of reading an uploaded staff workbook: time and peak memory.

    .venv/bin/python bench/xlsx_readers.py [--rows 5000] [--repeat 5]

Builds a valid staff workbook of ``--rows`` people (the format of ``bench/import_rate.py``),
then reads every cell of its staff sheet with each reader, each in a fresh Python process so
that one reader's memory does not count against another:

* ``opentemis``: the project's reader (``opentemis.core.imports.reader``): the container
  checks, openpyxl for the workbook parts, the sheet streamed by the C XML parser;
* ``openpyxl-read-only``: ``openpyxl.load_workbook(read_only=True)`` and ``iter_rows``;
* ``calamine``: ``python_calamine`` (Rust), ``iter_rows``; not a dependency (decision 0015):
  ``pip install python-calamine==0.9.1`` to compare, else its line reports the import error.

Time is the median of ``--repeat`` reads; memory is the peak resident set size during the
first read above the process's size before it, the reader's modules already imported
(``VmHWM`` reset through ``/proc/self/clear_refs``), so memory allocated outside Python
(calamine's Rust side) counts too. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
READERS = ("opentemis", "openpyxl-read-only", "calamine")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
    import django

    django.setup()


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _read(reader: str, path: Path) -> int:
    """Read every cell of the staff sheet; returns the number of non-empty cells."""
    count = 0
    if reader == "opentemis":
        from opentemis.core.imports.reader import open_upload

        with open_upload(path, document="staff list") as workbook:
            for _number, cells in workbook.rows(workbook.sheet_names[0]):
                count += len(cells)
    elif reader == "openpyxl-read-only":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        for values in book.worksheets[0].iter_rows(values_only=True):
            count += sum(1 for v in values if v is not None)
        book.close()
    else:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(path)) as book:
            for values in book.get_sheet_by_index(0).iter_rows():
                count += sum(1 for v in values if v != "")
    return count


def _load(reader: str) -> None:
    """Import what ``reader`` uses, so that the measured memory is the reading's only."""
    if reader == "opentemis":
        import opentemis.core.imports.reader  # noqa: F401
    elif reader == "openpyxl-read-only":
        import openpyxl  # noqa: F401
    else:
        import python_calamine  # noqa: F401


def _child(reader: str, path: Path, repeat: int) -> dict[str, Any]:
    _django()
    _load(reader)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current size
    before = _rss_kb("VmRSS")
    started = time.perf_counter()
    cells = _read(reader, path)
    first = time.perf_counter() - started
    peak = _rss_kb("VmHWM") - before
    times = [first]
    for _ in range(repeat - 1):
        started = time.perf_counter()
        _read(reader, path)
        times.append(time.perf_counter() - started)
    return {
        "seconds": round(statistics.median(times), 3),
        "peak_rss_mb": round(peak / 1024, 1),
        "cells": cells,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], Path(args.child[1]), args.repeat)))
        return
    from bench.import_rate import _workbook

    _django()
    figures: dict[str, Any] = {"rows": args.rows}
    with tempfile.TemporaryDirectory(prefix="opentemis-bench-") as tmp:
        path = Path(tmp) / "staff.xlsx"
        _workbook(path, "R", args.rows, [f"S{i:03d}" for i in range(200)], "091")
        figures["file_bytes"] = path.stat().st_size
        for reader in READERS:
            command = [sys.executable, __file__, "--repeat", str(args.repeat)]
            done = subprocess.run(
                [*command, "--child", reader, str(path)], capture_output=True, text=True
            )
            if done.returncode != 0:
                figures[reader] = {"error": done.stderr.strip().splitlines()[-1:]}
                continue
            figures[reader] = json.loads(done.stdout)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
