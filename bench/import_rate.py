"""Measure the staff import rate on the configured database.

    .venv/bin/python bench/import_rate.py [--rows 50000]

DATABASE_URL picks the database (PostgreSQL in production); without it the run uses SQLite in a
temporary OPENTEMIS_VAR_DIR, so the developer database is never touched. The script migrates,
builds a province with schools and an importing officer, writes a valid xlsx of ``--rows``
people, and times: the first import (creates), the same file again (all unchanged) and a file
with every phone number changed (updates). It prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(var_dir: str) -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["OPENTEMIS_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world(run: str, schools: int) -> tuple[Any, Any, list[str]]:
    from opentemis.accounts.models import RoleAssignment, User
    from opentemis.core.scoping import system_scope
    from opentemis.core.text import fold
    from opentemis.orgs.models import Unit

    def fields(name: str, code: str, kind: str) -> dict[str, Any]:
        return {"code": code, "name": name, "search_name": fold(name), "kind": kind}

    with system_scope():
        province = Unit.objects.add_root(fields(f"Sở GD&ĐT Bench {run}", f"B{run}", "department"))
        codes = []
        for i in range(schools):
            code = f"B{run}-S{i:03d}"
            Unit.objects.add_child(province, fields(f"Trường Tiểu học Bench {i}", code, "school"))
            province = Unit.objects.get(pk=province.pk)  # treebeard: refresh numchild
            codes.append(code)
    officer = User.objects.create_user(username=f"bench-{run}", password=uuid.uuid4().hex)
    RoleAssignment.objects.create(user=officer, role="unit_officer", unit=province)
    return province, officer, codes


def _workbook(path: Path, run: str, rows: int, codes: list[str], phone_prefix: str) -> None:
    from openpyxl import Workbook

    from opentemis.staff.excel import COLUMNS, DATA_SHEET

    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
    middles = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu"]
    givens = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Tâm"]
    subjects = ["TOAN", "VAN", "ANH", "TIN", "LY, HOA", "TH", "GDTC", "SU"]
    ethnicities = ["Kinh"] * 8 + ["Tày", "Thái", "Mường", "12"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append([c.header for c in COLUMNS])
    for i in range(rows):
        sheet.append(
            [
                f"{run}{i:07d}",
                f"{surnames[i % 10]} {middles[i % 8]} {givens[i % 11]}",
                "Nữ" if i % 3 else "Nam",
                f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1965 + i % 35}",
                ethnicities[i % len(ethnicities)],
                f"{phone_prefix}{i:07d}",
                f"gv{i}@bench.edu.vn",
                "Đại học" if i % 4 else "Thạc sĩ",
                "GV" if i % 20 else "TTCM, GV",
                subjects[i % len(subjects)],
                f"Tổ {subjects[i % len(subjects)].split(',')[0]}",
                codes[i % len(codes)],
                "Đang công tác",
            ]
        )
    workbook.save(path)


def _timed(actor: Any, unit: Any, path: Path) -> tuple[float, Any]:
    from opentemis.staff.excel import staff_import

    started = time.perf_counter()
    result = staff_import(actor=actor, unit=unit, file=path)
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"import failed: {[e.message for e in result.errors[:5]]}")
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--write", type=Path, help="record the figures in this markdown file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opentemis-bench-") as tmp:
        _setup(tmp)
        from django.conf import settings
        from django.db import connection

        settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
        settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, 64 * 1024 * 1024)
        run = uuid.uuid4().hex[:4].upper()
        province, officer, codes = _world(run, args.schools)
        first, changed = Path(tmp) / "staff.xlsx", Path(tmp) / "staff-changed.xlsx"
        started = time.perf_counter()
        _workbook(first, run, args.rows, codes, "091")
        _workbook(changed, run, args.rows, codes, "098")
        built = time.perf_counter() - started

        seconds, result = _timed(officer, province, first)
        again, again_result = _timed(officer, province, first)
        update, update_result = _timed(officer, province, changed)
        figures = {
            "database": connection.vendor,
            "rows": args.rows,
            "file_bytes": first.stat().st_size,
            "seconds": round(seconds, 2),
            "rows_per_second": round(args.rows / seconds),
            "created": result.created,
            "unchanged_reimport_seconds": round(again, 2),
            "unchanged": again_result.unchanged,
            "updated_reimport_seconds": round(update, 2),
            "updated": update_result.updated,
            "build_two_files_seconds": round(built, 2),
        }
        print(json.dumps(figures, indent=2))
        if args.write:
            _record(args.write, figures)


def _record(doc: Path, f: dict[str, Any]) -> None:
    from bench.common import machine, write_section

    vendor = f["database"]
    where = (
        "a throwaway PostgreSQL database" if vendor == "postgresql" else "a temporary SQLite file"
    )
    again = round(f["rows"] / f["unchanged_reimport_seconds"])
    updates = round(f["rows"] / f["updated_reimport_seconds"])
    body = f"""### Staff import, {vendor} (issue 2)

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {machine()}.
Command: `make bench` (runs `bench/import_rate.py --rows {f["rows"]}` in {where}).
An xlsx of {f["rows"]:,} people ({f["file_bytes"] / 1024 / 1024:.1f} MB) into 200 schools.

| run | seconds | rows/s |
|---|---|---|
| first import (creates {f["created"]:,}) | {f["seconds"]} | **{f["rows_per_second"]:,}** |
| same file again ({f["unchanged"]:,} unchanged) | {f["unchanged_reimport_seconds"]} | {again:,} |
| every phone changed ({f["updated"]:,} updated) | {f["updated_reimport_seconds"]} | {updates:,} |
"""
    write_section(doc, f"import-{vendor}", body)


if __name__ == "__main__":
    main()
