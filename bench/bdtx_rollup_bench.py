"""BDTX roll-ups (issue 12, scale section): the needs by module of the nation and of a province
next to a plain GROUP BY, the children's figures (plans per status, confirmed periods, results),
the ledger totals of a school of 100 people, and the roll-up page next to the trivial view.

Two ways to run it:

* ``--synthetic`` (the default; SQLite or a throwaway PostgreSQL database): builds one province
  of 20,000 working people (20 communes, 10 schools each, 100 people each) with a plan each and five
  items per plan (one programme-01 content, the province's programme-02 content, three
  programme-03 modules), statuses 65 % approved, 15 % submitted, 5 % returned, 15 % draft, by
  ``bulk_create``; one school of 100 people gets 8 ledger entries each (6 confirmed) and the
  province's people a result each. Then measures.
* ``--national``: reads the national dataset already in ``DATABASE_URL`` (``make bench``:
  ``opentemis_bench`` with ``synth --size national`` and ``bench/bdtx_dataset.py``'s plans);
  the ledger of a school of about 100 people is written inside a transaction rolled back at
  the end, so the national dataset is left as it was.

Commands (figures in docs/benchmarks.md, section ``bdtx-rollup``):

    rm -f /tmp/bdtx.sqlite3 && DATABASE_URL=sqlite:////tmp/bdtx.sqlite3 \\
      .venv/bin/python manage.py migrate -v0 && DATABASE_URL=sqlite:////tmp/bdtx.sqlite3 \\
      .venv/bin/python bench/bdtx_rollup_bench.py --write docs/benchmarks.md
    bash scripts/with-pg-db.sh bash -c '.venv/bin/python manage.py migrate -v0 &&
      .venv/bin/python bench/bdtx_rollup_bench.py --write docs/benchmarks.md'
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench \\
      .venv/bin/python bench/bdtx_rollup_bench.py --national --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The site plus the trivial view (bench/urls.py): set, not setdefault (make exports the site's).
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("AXES_ENABLED", "0")
import django

django.setup()

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.bdtx_dataset import fill_national
from bench.common import machine, summary_ms, write_section
from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit
from opentemis.plans.models import (
    EntrySource,
    EntryStatus,
    LedgerEntry,
    Outcome,
    Plan,
    PlanItem,
    PlanStatus,
    YearResult,
)
from opentemis.plans.rollup import children_read, needs_read
from opentemis.staff.models import Person
from opentemis.training.models import Catalogue, Module, Programme, ProgrammeContent
from opentemis.training.services import load_builtin_catalogues

COMMUNES, SCHOOLS, PEOPLE = 20, 10, 100
FORMS = ("tu_xa", "tu_xa", "ket_hop", "tap_trung")
TAG = "BDTXR"


class Rollback(Exception):
    """Raised at the end of the national run: its ledger rows are undone."""


def _status(i: int) -> str:
    r = i % 20
    if r < 13:
        return PlanStatus.APPROVED
    if r < 16:
        return PlanStatus.SUBMITTED
    return PlanStatus.RETURNED if r < 17 else PlanStatus.DRAFT


def _year() -> SchoolYear:
    year = SchoolYear.objects.filter(is_current=True).first()
    if year is None:
        year = SchoolYear.objects.create(
            code="2025-2026",
            start_date=dt.date(2025, 9, 1),
            end_date=dt.date(2026, 8, 31),
            is_current=True,
        )
    return year


def _unit(parent: Unit | None, code: str, name: str, kind: str, **extra: Any) -> Unit:
    fields = {"code": code, "name": name, "search_name": fold(name), "kind": kind, **extra}
    if parent is None:
        return Unit.objects.add_root(fields)
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)


def build_synthetic() -> dict[str, Any]:
    """One province of COMMUNES, SCHOOLS each, PEOPLE each, with plans, by bulk_create."""
    started = time.perf_counter()
    year = _year()
    load_builtin_catalogues(school_year=year)
    nation = _unit(None, f"{TAG}-BGD", "Bộ (bench)", "ministry")
    province = _unit(nation, f"{TAG}-S", "Sở (bench)", "department")
    p01 = ProgrammeContent.objects.create(
        school_year=year, programme=Programme.P01, code=f"{TAG}-01", title="Năm học", hours=40
    )
    p02 = ProgrammeContent.objects.create(
        school_year=year,
        programme=Programme.P02,
        unit=province,
        code=f"{TAG}-02",
        title="Địa phương",
        hours=40,
    )
    catalogue = Catalogue.objects.filter(school_year=year).order_by("id").first()
    assert catalogue is not None
    modules = list(Module.objects.filter(catalogue=catalogue, audience="GV").order_by("position"))
    th = SchoolLevel.objects.filter(code="TH").first()
    schools = []
    for c in range(COMMUNES):
        commune = _unit(province, f"{TAG}-X{c:02d}", f"Xã {c} (bench)", "commune")
        for s in range(SCHOOLS):
            school = _unit(
                commune,
                f"{TAG}-X{c:02d}-T{s:02d}",
                f"Trường {c}-{s} (bench)",
                "school",
                disadvantaged_area=(c % 5 == 0),
            )
            if th is not None:
                school.levels.add(th)
            schools.append(school)
    people = [
        Person(
            staff_code=f"{TAG}{i:07d}",
            full_name=f"Người {i}",
            search_text=f"nguoi {i}",
            gender="F" if i % 10 < 7 else "M",
            ethnicity="02" if i % 9 == 0 else "01",
            is_dtts=i % 9 == 0,
            unit=schools[i // PEOPLE],
            unit_path=schools[i // PEOPLE].path,
        )
        for i in range(len(schools) * PEOPLE)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(Person.objects.filter(staff_code__startswith=TAG).order_by("staff_code"))
    plans = [
        Plan(
            person=p,
            school_year=year,
            unit_id=p.unit_id,
            unit_path=p.unit_path,
            title="gv_th",
            catalogue=catalogue,
            status=_status(i),
        )
        for i, p in enumerate(people)
    ]
    Plan.objects.bulk_create(plans, batch_size=2000)
    plans = list(Plan.objects.filter(school_year=year).order_by("id"))
    items = []
    for i, plan in enumerate(plans):
        form = FORMS[i % 4]
        items.append(PlanItem(plan=plan, programme="01", content=p01, hours=40, form=form))
        items.append(PlanItem(plan=plan, programme="02", content=p02, hours=40, form=form))
        for k in range(3):
            module = modules[(i * 7 + k * 5) % len(modules)]
            starts = year.start_date + dt.timedelta(days=30 * ((i + k) % 9))
            items.append(
                PlanItem(
                    plan=plan,
                    programme="03",
                    module=module,
                    hours=13,
                    form=FORMS[(i + k) % 4],
                    starts=starts,
                )
            )
    PlanItem.objects.bulk_create(items, batch_size=5000)
    ledger_school = schools[0]
    entries = _ledger(year, ledger_school)
    YearResult.objects.bulk_create(
        [
            YearResult(
                person=p,
                school_year=year,
                unit_id=p.unit_id,
                unit_path=p.unit_path,
                outcome=Outcome.COMPLETED if i % 4 else Outcome.NOT_COMPLETED,
            )
            for i, p in enumerate(people)
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "year": year,
        "nation": nation,
        "province": province,
        "school": ledger_school,
        "people": len(people),
        "plans": len(plans),
        "items": len(items),
        "entries": entries,
        "setup_s": round(time.perf_counter() - started, 1),
    }


def _ledger(year: SchoolYear, school: Unit) -> int:
    """8 entries for each working person of ``school`` (6 confirmed, 1 pending, 1 rejected)."""
    staff = list(Person.objects.filter(unit=school, employment_status="working"))
    statuses = [EntryStatus.CONFIRMED] * 6 + [EntryStatus.PENDING, EntryStatus.REJECTED]
    rows = [
        LedgerEntry(
            person=p,
            school_year=year,
            unit_path=p.unit_path,
            programme=("01", "02", "03")[k % 3],
            source=EntrySource.SCHOOL,
            hours=Decimal(5),
            date=year.start_date + dt.timedelta(days=20 * k),
            description="Sinh hoạt chuyên môn (bench)",
            status=statuses[k],
            external_ref=f"{TAG}-{p.pk}-{k}",
        )
        for p in staff
        for k in range(8)
    ]
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def plain_group_by(year: SchoolYear, path: str) -> list[Any]:
    """The comparison: people per module over the same rows, no breakdown, no labels."""
    return list(
        PlanItem.objects.filter(
            plan__school_year=year,
            plan__unit_path__startswith=path,
            plan__status=PlanStatus.APPROVED,
        )
        .values_list("module_id", "content_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def ledger_totals(year: SchoolYear, school: Unit) -> list[Any]:
    """Confirmed periods per person and programme of one school (what its ledger page sums)."""
    return list(
        LedgerEntry.objects.filter(
            school_year=year, unit_path=school.path, status=EntryStatus.CONFIRMED
        )
        .values_list("person_id", "programme")
        .annotate(h=Sum("hours"))
        .order_by()
    )


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, dict[str, float]]:
    """(cold ms, warm summary over ``runs``)."""
    started = time.perf_counter()
    fn()
    cold = round((time.perf_counter() - started) * 1000, 1)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return cold, summary_ms(samples)


def pages(unit: Unit, year: SchoolYear, runs: int) -> dict[str, dict[str, float]]:
    """The roll-up page and the trivial view, in-process through the middleware stack, as a
    superuser (the session in the database)."""
    user, _ = User.objects.get_or_create(
        username="bench-bdtx-rollup", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    url = reverse("plans_rollup", args=[unit.pk]) + f"?year={year.code}"

    def get(path: str) -> Callable[[], Any]:
        def run() -> None:
            assert client.get(path).status_code == 200

        return run

    return {
        "trivial": timed(get("/bench/trivial"), runs)[1],
        "page": timed(get(url), runs)[1],
    }


def measure(data: dict[str, Any], runs: int) -> dict[str, Any]:
    year, nation, province, school = data["year"], data["nation"], data["province"], data["school"]
    out: dict[str, Any] = {}
    for name, unit in (("nation", nation), ("province", province)):
        out[f"needs_{name}"] = timed(lambda u=unit: needs_read(unit=u, school_year=year), runs)
        out[f"plain_{name}"] = timed(lambda u=unit: plain_group_by(year, u.path), runs)
        out[f"children_{name}"] = timed(
            lambda u=unit: children_read(unit=u, school_year=year), runs
        )
        print(name, out[f"needs_{name}"], out[f"plain_{name}"], out[f"children_{name}"])
    out["ledger_school"] = timed(lambda: ledger_totals(year, school), runs)
    out["children_school"] = timed(lambda: children_read(unit=school, school_year=year), runs)
    print("school", out["ledger_school"], out["children_school"])
    out["pages"] = pages(province, year, runs)
    print("pages", out["pages"])
    return out


def national() -> dict[str, Any]:
    year = _year()
    nation = Unit.objects.get(depth=1)
    provinces = list(Unit.objects.filter(depth=2, kind="department"))
    largest = max(
        provinces,
        key=lambda p: Plan.objects.filter(school_year=year, unit_path__startswith=p.path).count(),
    )
    school = (
        Unit.objects.filter(kind="school", path__startswith=largest.path)
        .annotate(n=Count("staff"))
        .filter(n__gte=95, n__lte=110)
        .first()
    )
    assert school is not None
    entries = _ledger(year, school)
    return {
        "year": year,
        "nation": nation,
        "province": largest,
        "school": school,
        "people": Person.objects.filter(employment_status="working").count(),
        "plans": Plan.objects.filter(school_year=year).count(),
        "items": PlanItem.objects.filter(plan__school_year=year).count(),
        "entries": entries,
        "school_people": Person.objects.filter(unit=school).count(),
        "setup_s": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--national", action="store_true")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    # Requests in this process run inside the bench's transaction (national: rolled back).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    vendor = connection.vendor
    with system_scope():
        if args.national:
            if not Plan.objects.filter(school_year=_year()).exists():
                print("filling the national plans (bench/bdtx_dataset.py, once)", flush=True)
                fill_national(_year())
            try:
                with transaction.atomic():
                    data = national()
                    results = measure(data, args.runs)
                    raise Rollback
            except Rollback:
                pass
        else:
            data = build_synthetic()
            print("setup", {k: v for k, v in data.items() if not hasattr(v, "pk")})
            results = measure(data, args.runs)
    if args.write:
        write_section(args.write, section(args, vendor), report(args, vendor, data, results))


def section(args: argparse.Namespace, vendor: str) -> str:
    return "bdtx-rollup-national" if args.national else f"bdtx-rollup-{vendor}"


def _row(label: str, value: tuple[float, dict[str, float]], plain: Any = None) -> str:
    cold, warm = value
    text = f"| {label} | {cold} | {warm['p50']} | **{warm['p95']}** |"
    if plain is not None:
        text += f" {warm['p50'] / max(plain[1]['p50'], 0.1):.1f}× |"
    else:
        text += " |"
    return text


NEEDS_NATION = "needs by module, nation (`needs_read`: one GROUP BY, forms, titles, sub-columns)"
CHILDREN_NATION = "children's figures, nation (`children_read`: staff, plans, ledger, results)"


def report(args: argparse.Namespace, vendor: str, data: dict[str, Any], r: dict[str, Any]) -> str:
    if args.national:
        command = (
            "`DATABASE_URL=postgresql://…/opentemis_bench .venv/bin/python "
            f"bench/bdtx_rollup_bench.py --national --runs {args.runs}`"
        )
        what = (
            f"the national dataset: {data['people']:,} working people, {data['plans']:,} plans, "
            f"{data['items']:,} items (`bench/bdtx_dataset.py`); largest province "
            f"{data['province'].name}; ledger: {data['entries']:,} entries for a school of "
            f"{data['school_people']} people, written in a transaction rolled back at the end"
        )
        title = "national dataset, PostgreSQL"
    else:
        command = (
            f"`bench/bdtx_rollup_bench.py --runs {args.runs}` on a fresh {vendor} database "
            "(commands in the script's docstring)"
        )
        what = (
            f"a synthetic province of {data['people']:,} people, {data['plans']:,} plans, "
            f"{data['items']:,} items by bulk_create (set up in {data['setup_s']} s); the "
            "nation is that province alone; "
            f"ledger: {data['entries']:,} entries for a school of {PEOPLE} people"
        )
        title = f"one synthetic province, {vendor}"
    pg = r["pages"]
    return f"""### BDTX roll-ups, {title} (issue 12)

Measured {timezone.localtime():%Y-%m-%d %H:%M %z} on {machine()}.
Command: {command}. Data: {what}. In-process, no HTTP; ms.

| what | cold | p50 | p95 | × plain GROUP BY |
|---|---|---|---|---|
{_row(NEEDS_NATION, r["needs_nation"], r["plain_nation"])}
{_row("plain GROUP BY module, nation", r["plain_nation"])}
{_row("needs by module, province", r["needs_province"], r["plain_province"])}
{_row("plain GROUP BY module, province", r["plain_province"])}
{_row(CHILDREN_NATION, r["children_nation"])}
{_row("children's figures, province", r["children_province"])}
{_row("ledger totals of a school of 100 (per person and programme)", r["ledger_school"])}
{_row("the school's figures (`children_read` of the school)", r["children_school"])}

Roll-up page of the province (`/bdtx/tong-hop/<unit>/`, superuser, full middleware stack):
p50 {pg["page"]["p50"]} ms, p95 {pg["page"]["p95"]} ms; trivial view p50 {pg["trivial"]["p50"]} ms:
**{pg["page"]["p50"] / max(pg["trivial"]["p50"], 0.1):.0f}×** the trivial view.
"""


if __name__ == "__main__":
    main()
