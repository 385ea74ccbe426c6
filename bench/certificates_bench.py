"""Certificates (issue 14, scale section): 10,000 certificate PDFs, and the public verification
page's p95.

Against DATABASE_URL (the national dataset under ``make bench``, or any migrated database):

1. **Data.** 10,000 completed enrolments are read (the learning bench's national courses; on a
   database without them, a throwaway school, course and 10,000 learners are made inside the
   transaction of step 3 and rolled back, and the snapshots are built from them there). Each
   gets the snapshot the product prints (``services.module_snapshot``, the ministry as issuer)
   and a fresh code.
2. **PDFs.** The 10,000 PDFs are rendered by ``pdf.render`` in a pool of 2 processes (this
   machine has 2 cores), each process cutting its fonts once at start (counted in the wall
   time), writing its PDFs into a ZIP in a temporary folder (stored, as the bulk download
   does), as the zip job would. Reported: the wall time from the pool's start to the last PDF,
   PDFs per second, the render time per PDF in the workers (p50/p95) and the mean size.
3. **Verification.** In one transaction, rolled back at the end (the dataset is left as it
   was): the issuer and the 10,000 certificates are inserted, then the public page
   ``/certificates/verify/<code>/`` is asked in process (Django's test client, anonymous) for
   500 codes drawn among them (p50/p95, queries per page) and for 19 unknown codes (under the
   misses allowed per address). Also timed there: the real issue service
   (``certificate_issue_for_enrolment``: snapshot, insert, audit row, evidence link) for 200 of
   the enrolments, per certificate.

Run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/opentemis_bench
.venv/bin/python bench/certificates_bench.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import logging  # isort: skip

import django  # isort: skip

django.setup()

from django.conf import settings  # isort: skip

# Static files by their plain names (no collectstatic needed to run the bench; a manifest
# lookup is one dict read more per asset in production).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.common import machine, summary_ms, write_section
from opentemis.certificates import codes, pdf, services
from opentemis.certificates.models import Certificate, CertificateKind, Issuer
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Course, CourseStatus, Enrolment, EnrolmentStatus
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.staff.models import Person

COUNT = 10_000
LOOKUPS = 500
ISSUES = 200
WORKERS = 2


class Rollback(Exception):
    """Raised to undo everything the bench wrote."""


# --- step 1: the data -----------------------------------------------------------------------------


def _issuer(root: Unit) -> Issuer:
    found = Issuer.objects.filter(unit=root).first()
    if found is not None:
        return found
    return services.issuer_save(
        actor=None,
        unit=root,
        values={
            "name": "Bộ Giáo dục và Đào tạo",
            "signer_name": "Nguyễn Văn Bộ",
            "signer_title": "Thứ trưởng",
            "place": "Hà Nội",
        },
    )


def _enrolments(limit: int) -> list[int]:
    """Completed enrolments without a certificate, spread over the country."""
    with system_scope():
        return list(
            Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED)
            .exclude(
                pk__in=Certificate.objects.filter(enrolment_id__isnull=False).values("enrolment_id")
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )


def _synthetic(count: int) -> list[int]:
    """A throwaway school, course and ``count`` completed learners (inside the transaction)."""
    year = SchoolYear.objects.order_by("-is_current", "-start_date").first()
    if year is None:
        year = SchoolYear.objects.create(
            code="2099-2100",
            start_date=dt.date(2099, 9, 1),
            end_date=dt.date(2100, 8, 31),
        )
    root = Unit.objects.filter(depth=1).order_by("path").first()
    if root is None:
        root = Unit.objects.add_root(
            {"code": "BENCH-CERT-ROOT", "name": "Bộ GD", "kind": "ministry"}
        )
    school = Unit.objects.add_child(
        Unit.objects.get(pk=root.pk),
        {"code": "BENCH-CERT-SCHOOL", "name": "Trường Thử Chứng Nhận", "kind": "school"},
    )
    people = Person.objects.bulk_create(
        [
            Person(
                staff_code=f"BENCHCERT{i:06d}",
                full_name=random.choice(NAMES) + f" {i}",
                gender="F" if i % 2 else "M",
                date_of_birth=dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
                unit=school,
                unit_path=school.path,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    course = Course.objects.create(
        school_year=year,
        code="BENCH-CERT",
        title="Mô-đun GVPT 06: Kiểm tra, đánh giá học sinh theo hướng phát triển phẩm chất",
        programme="03",
        hours=10,
        unit=root,
        unit_path=root.path,
        status=CourseStatus.CLOSED,
    )
    now = timezone.now()
    made = Enrolment.objects.bulk_create(
        [
            Enrolment(
                course=course,
                person=p,
                unit_path=school.path,
                status=EnrolmentStatus.COMPLETED,
                completed_at=now,
            )
            for p in people
        ],
        batch_size=2000,
    )
    return [e.pk for e in made]


NAMES = (
    "Nguyễn Thị Ằng",
    "Trần Văn Đức",
    "Lê Thị Ỹ Hường",
    "Phạm Quốc Việt",
    "Hoàng Thị Ửng",
    "Lò Văn Sủng",
    "Đặng Thị Ngọc Ánh",
    "Bùi Xuân Trường",
)


def _snapshots(issuer: Issuer, pks: list[int]) -> list[dict[str, Any]]:
    """What each certificate prints, by the product's own snapshot function."""
    today = timezone.localdate()
    items = []
    with system_scope():
        for start in range(0, len(pks), 2000):
            rows = Enrolment.objects.filter(pk__in=pks[start : start + 2000]).select_related(
                "course__school_year", "person__unit"
            )
            for enrolment in rows:
                items.append(
                    {
                        "enrolment": enrolment,
                        "code": codes.new_code(),
                        "snapshot": services.module_snapshot(enrolment, issuer, today),
                    }
                )
    return items


# --- step 2: the PDFs -----------------------------------------------------------------------------


def _warm() -> None:
    pdf._fonts()


def _render_batch(
    args: tuple[list[tuple[dict[str, Any], str, str]], str, str],
) -> list[tuple[float, float, int]]:
    """Render a batch into the worker's ZIP: each PDF's wall and CPU time (s) and size."""
    batch, folder, accent = args
    look = pdf.Look(accent=pdf.rgb(accent))
    times: list[tuple[float, float, int]] = []
    name = Path(folder) / f"worker-{os.getpid()}.zip"
    with zipfile.ZipFile(name, "a", zipfile.ZIP_STORED) as archive:
        for snapshot, code, url in batch:
            started, cpu = time.perf_counter(), time.process_time()
            content = pdf.render(snapshot, kind="module", code=code, url=url, look=look)
            archive.writestr(f"{code}.pdf", content)
            times.append((time.perf_counter() - started, time.process_time() - cpu, len(content)))
    return times


def render_all(items: list[dict[str, Any]], accent: str) -> dict[str, Any]:
    work = [
        (item["snapshot"], item["code"], services.verification_url(item["code"])) for item in items
    ]
    batches = [work[i : i + 250] for i in range(0, len(work), 250)]
    connections.close_all()  # no connection crosses the fork
    with tempfile.TemporaryDirectory(prefix="certificates-bench-") as folder:
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=WORKERS, initializer=_warm) as pool:
            results = list(pool.map(_render_batch, [(b, folder, accent) for b in batches]))
        wall = time.perf_counter() - started
        on_disk = sum(f.stat().st_size for f in Path(folder).iterdir())
    values = [v for batch in results for v in batch]
    cpu = [v[1] for v in values]
    return {
        "count": len(values),
        "wall_s": round(wall, 1),
        "per_second": round(len(values) / wall, 1),
        "render": summary_ms([v[0] for v in values]),
        "cpu": summary_ms(cpu),
        "cpu_total_s": round(sum(cpu), 1),
        "mean_kb": round(sum(v[2] for v in values) / len(values) / 1024, 1),
        "zip_mb": round(on_disk / 1024 / 1024, 1),
    }


# --- step 3: verification and issue, rolled back -------------------------------------------


def _insert(issuer: Issuer, items: list[dict[str, Any]]) -> float:
    now = timezone.now()
    started = time.perf_counter()
    with system_scope():
        Certificate.objects.bulk_create(
            [
                Certificate(
                    code=item["code"],
                    kind=CertificateKind.MODULE,
                    issuer=issuer,
                    person_id=item["enrolment"].person_id,
                    unit_path=item["enrolment"].unit_path,
                    school_year_id=item["enrolment"].course.school_year_id,
                    course_id=item["enrolment"].course_id,
                    enrolment_id=item["enrolment"].pk,
                    snapshot=item["snapshot"],
                    issued_at=now,
                )
                for item in items
            ],
            batch_size=2000,
        )
    return time.perf_counter() - started


def verify_pages(items: list[dict[str, Any]]) -> dict[str, Any]:
    client = Client()
    rng = random.Random(14)
    chosen = rng.sample(items, min(LOOKUPS, len(items)))
    client.get(f"/certificates/verify/{chosen[0]['code']}/")  # templates compiled
    found, queries = [], []
    for item in chosen:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            answer = client.get(f"/certificates/verify/{item['code']}/")
            found.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.status_code
        queries.append(len(captured.captured_queries))
    missing = []
    for _ in range(19):
        started = time.perf_counter()
        answer = client.get(f"/certificates/verify/{codes.new_code()}/")
        missing.append(time.perf_counter() - started)
        assert answer.status_code == 404, answer.status_code
    return {
        "found": summary_ms(found),
        "unknown": summary_ms(missing),
        "queries": max(queries),
    }


def issue_service(pks: list[int]) -> dict[str, Any]:
    samples = []
    for pk in pks:
        started = time.perf_counter()
        made = services.certificate_issue_for_enrolment(enrolment_pk=pk)
        samples.append(time.perf_counter() - started)
        assert made is not None
    return summary_ms(samples)


def run() -> dict[str, Any]:
    with system_scope():
        return _run()


def _run() -> dict[str, Any]:
    result: dict[str, Any] = {"load": os.getloadavg()}
    pks = _enrolments(COUNT + ISSUES)
    result["source"] = "national" if len(pks) >= COUNT + ISSUES else "synthetic"
    try:
        with transaction.atomic():
            if result["source"] == "synthetic":
                pks = _synthetic(COUNT + ISSUES)
            with system_scope():
                root = Unit.objects.filter(depth=1).order_by("path").first()
                assert root is not None
                issuer = _issuer(root)
            started = time.perf_counter()
            items = _snapshots(issuer, pks[:COUNT])
            result["snapshots_s"] = round(time.perf_counter() - started, 1)
            accent = issuer.accent_colour
            result["insert_s"] = round(_insert(issuer, items), 1)
            result["verify"] = verify_pages(items)
            result["issue"] = issue_service(pks[COUNT : COUNT + ISSUES])
            raise Rollback
    except Rollback:
        pass
    # Rendered outside the transaction (forked workers must not share its connection); the
    # snapshots are plain data by now.
    for item in items:
        item.pop("enrolment", None)
    result["pdfs"] = render_all(items, accent)
    with system_scope():
        assert not Certificate.objects.filter(code__in=[i["code"] for i in items[:100]]).exists()
    return result


def report(result: dict[str, Any]) -> str:
    pdfs, verify = result["pdfs"], result["verify"]
    load = " / ".join(f"{x:.1f}" for x in result["load"])
    n = f"{pdfs['count']:,}"
    found, unknown, issue = verify["found"], verify["unknown"], result["issue"]
    rows = [
        (
            f"{n} certificate PDFs, pool of {WORKERS} processes (wall, with the pool's start)",
            f"**{pdfs['wall_s']} s** ({pdfs['per_second']} PDFs/s)",
        ),
        (
            "render time per PDF in a worker (wall), p50 / p95",
            f"{pdfs['render']['p50']} / {pdfs['render']['p95']} ms",
        ),
        (
            "CPU per PDF in a worker, p50 / p95; CPU in all",
            f"{pdfs['cpu']['p50']} / {pdfs['cpu']['p95']} ms; {pdfs['cpu_total_s']} s",
        ),
        ("mean PDF size; the ZIPs written", f"{pdfs['mean_kb']} KB; {pdfs['zip_mb']} MB"),
        (
            f"public verification page, {found['n']} codes among {n}, p50 / p95",
            f"{found['p50']} / **{found['p95']} ms** ({verify['queries']} query per page)",
        ),
        ("unknown code, p50 / p95", f"{unknown['p50']} / {unknown['p95']} ms"),
        (
            "issue service per certificate (snapshot, insert, audit, evidence link), p50 / p95",
            f"{issue['p50']} / {issue['p95']} ms",
        ),
        (
            f"snapshots of {n} enrolments; bulk insert of the {n} rows",
            f"{result['snapshots_s']} s; {result['insert_s']} s",
        ),
    ]
    table = "\n".join(["| Measure | Figure |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])
    return f"""## Certificates (issue 14)

`bench/certificates_bench.py` ({result["source"]} data; {machine()}; load average
before: {load}). Everything it writes is rolled back.

{table}

The fonts are cut to the Vietnamese and Latin-1 letters once per process and embedded whole in
every PDF (no per-document subsetting; `certificates/pdf.py`). The verification page is one
indexed query on the code plus the page itself.
"""


def main() -> None:
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the unknown codes' 404s
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this markdown file")
    parser.add_argument("--count", type=int, default=COUNT, help="certificates (a quick try)")
    args = parser.parse_args()
    globals()["COUNT"] = args.count
    result = run()
    text = report(result)
    print(text)
    if args.write:
        write_section(args.write, "certificates-bench", text)


if __name__ == "__main__":
    main()
