"""Page weights: the main pages' HTML and their CSS/JS, raw and as sent compressed (issue 9).

Run by `make bench`, or alone (needs nothing but the virtualenv; about 30 s):

    .venv/bin/python bench/page_weights.py [--var-dir DIR] [--write docs/benchmarks.md]

It builds the demo dataset (`migrate`, `collectstatic`, `demo`: the SQLite demo of `make demo`)
in a throwaway directory, or reuses DIR when it already holds one, then requests every main page
as the demo account that uses it, in-process through the whole middleware stack (WhiteNoise
included) with ``Accept-Encoding: gzip``, as a browser would. For each page: the HTML's size,
the bytes actually sent (compressed when the server compressed it) and the size gzip would give;
for each stylesheet and script a page loads: the same, and how long browsers may cache it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Weight:
    name: str
    url: str
    raw: int  # bytes of the body, uncompressed
    sent: int  # bytes on the wire (compressed if the server compressed)
    gzipped: int  # what gzip (level 6) makes of the body
    encoding: str  # Content-Encoding as sent ("" = none)
    cache: str = ""  # Cache-Control (assets)


def _prepare(var_dir: Path) -> None:
    """The demo dataset and collected static files in ``var_dir`` (built once)."""
    env = {**os.environ, "OPENTEMIS_VAR_DIR": str(var_dir), "AXES_ENABLED": "0"}
    env.pop("DATABASE_URL", None)  # always the SQLite demo, never the national dataset
    manage = [sys.executable, str(ROOT / "manage.py")]
    if not (var_dir / "opentemis.sqlite3").exists():
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([*manage, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    # Always: the static files must match the code measured (hashed names, compressed copies).
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)


def _body(response: object) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def _weigh(client: object, name: str, url: str) -> tuple[Weight, str]:
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")  # type: ignore[attr-defined]
    if response.status_code != 200:
        raise SystemExit(f"{name}: {url} answered {response.status_code}")
    sent = _body(response)
    encoding = response.get("Content-Encoding", "")
    raw = gzip.decompress(sent) if encoding == "gzip" else sent
    weight = Weight(
        name=name,
        url=url,
        raw=len(raw),
        sent=len(sent),
        gzipped=len(gzip.compress(raw, 6)),
        encoding=encoding,
        cache=response.get("Cache-Control", ""),
    )
    return weight, raw.decode("utf-8", "replace")


ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def measure() -> tuple[list[Weight], list[Weight]]:
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from opentemis.accounts.models import RoleAssignment, User
    from opentemis.core.scoping import system_scope
    from opentemis.evaluations.models import Cycle, Evaluation, EvaluationKind, Status
    from opentemis.learning.models import Course

    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    with system_scope():
        officer = User.objects.get(username="so")
        province = RoleAssignment.objects.get(user=officer, role="unit_officer").unit
        principal = User.objects.get(username="hieutruong")
        school = principal.person.unit
        cycle = Cycle.objects.get(unit=province, school_year__is_current=True)
        submitted = (
            Evaluation.objects.filter(
                cycle=cycle, unit=school, status=Status.SUBMITTED, kind=EvaluationKind.TEACHER
            )
            .order_by("pk")
            .first()
        )
        # A finalised record (last year's, if none is finalised yet this year).
        finalised = (
            Evaluation.objects.filter(
                unit=school, status__in=[Status.FINALISED, Status.ACKNOWLEDGED]
            )
            .order_by("-cycle__school_year__start_date", "pk")
            .first()
        )
    teacher = client_for("giaovien")
    teacher.post(reverse("evaluation_me"))  # the self-evaluation form needs a started one
    with system_scope():
        own = Evaluation.objects.get(
            cycle=cycle, person=User.objects.get(username="giaovien").person
        )
    with system_scope():
        course = Course.objects.get(code="GVPT06-DEMO")
        video = course.activities.get(kind="video")
        quiz = course.activities.get(kind="quiz")
    officer_client, principal_client = client_for("so"), client_for("hieutruong")
    pages = [
        ("Sign-in", Client(), reverse("login")),
        ("Home, teacher", teacher, reverse("home")),
        ("Home, principal", principal_client, reverse("home")),
        ("Home, officer", officer_client, reverse("home")),
        ("Evaluation home, teacher", teacher, reverse("evaluation_home")),
        ("Self-evaluation form (BM1)", teacher, reverse("evaluation_self", args=[own.pk])),
        ("Review, principal", principal_client, reverse("evaluation_review", args=[submitted.pk])),
        ("Evaluation detail", principal_client, reverse("evaluation_detail", args=[finalised.pk])),
        ("School roster", principal_client, reverse("evaluation_school", args=[school.pk])),
        ("Cycle completion", officer_client, reverse("cycle_detail", args=[cycle.pk])),
        ("Province report", officer_client, reverse("report_unit", args=[province.pk])),
        ("Staff list, province", officer_client, reverse("staff_list")),
        ("Unit tree", officer_client, reverse("unit_tree")),
        ("Notices", teacher, reverse("notice_list")),
        ("My courses, teacher", teacher, reverse("learning_mine")),
        ("Course page, teacher", teacher, reverse("learning_course", args=[course.pk])),
        ("Video page, teacher", teacher, reverse("materials_video", args=[video.pk])),
        ("Test intro, teacher", teacher, reverse("quiz_take", args=[quiz.pk])),
        (
            "Course progress, officer",
            officer_client,
            reverse("learning_course_progress", args=[course.pk]),
        ),
    ]
    weights, assets, seen = [], [], set()
    for name, client, url in pages:
        weight, html = _weigh(client, name, url)
        weights.append(weight)
        for href in ASSET.findall(html):
            if href not in seen and href.startswith("/static/"):
                seen.add(href)
                asset, _html = _weigh(Client(), href.rsplit("/", 1)[-1], href)
                assets.append(asset)
    return weights, assets


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def table(weights: list[Weight], assets: list[Weight]) -> str:
    lines = [
        "| page | HTML KB | sent KB | gzip KB | sent as |",
        "|---|---|---|---|---|",
    ]
    for w in weights:
        sent_as = w.encoding or "raw"
        lines.append(f"| {w.name} | {_kb(w.raw)} | {_kb(w.sent)} | {_kb(w.gzipped)} | {sent_as} |")
    lines += [
        "",
        "| asset | raw KB | sent KB | gzip KB | sent as | Cache-Control |",
        "|---|---|---|---|---|---|",
    ]
    for a in assets:
        lines.append(
            f"| `{a.name}` | {_kb(a.raw)} | {_kb(a.sent)} | {_kb(a.gzipped)} | "
            f"{a.encoding or 'raw'} | `{a.cache or '—'}` |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, help="build (once) and reuse the demo here")
    parser.add_argument("--write", type=Path, help="rewrite the page-weights section of this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opentemis-weights-") as tmp:
        var_dir = (args.var_dir or Path(tmp)).resolve()
        var_dir.mkdir(parents=True, exist_ok=True)
        _prepare(var_dir)
        os.environ["OPENTEMIS_VAR_DIR"] = str(var_dir)
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("AXES_ENABLED", "0")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
        weights, assets = measure()
    body = table(weights, assets)
    print(body)
    if args.write:
        from bench.common import machine, write_section

        stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")
        write_section(
            args.write,
            "page-weights",
            f"""## Page weights (issue 9)

Measured {stamp} on {machine()}.
Command: `.venv/bin/python bench/page_weights.py --write docs/benchmarks.md` (also run by
`make bench`): the SQLite demo of `make demo` built in a throwaway directory, each page
requested as the demo account that uses it, in-process through the full middleware stack with
`Accept-Encoding: gzip`. *HTML/raw*: the body; *sent*: the bytes the server sent; *gzip*: what
gzip level 6 makes of the body. KB = 1,024 bytes.

{body}""",
        )


if __name__ == "__main__":
    main()
