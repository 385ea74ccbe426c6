"""No file the server sends can become a page of the site (core/http.py).

* The code: no module builds a file answer by hand (``FileResponse``, a ``Content-Disposition``
  header, an ``HttpResponse`` of a non-text type); all go through ``core.http.file_response``.
* The routes: the URL resolver is walked and every route whose view reaches the helper is found
  by reading the code (a call graph over the project's modules); each must have a case here,
  and each case is requested and its headers checked: ``nosniff``, a sandbox CSP, and saved
  (``attachment``) unless it is PNG, JPEG or PDF evidence opened to be seen.
* Hostile uploads: a PDF that is also an HTML page is served as a sandboxed PDF, or saved.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.authtoken.models import Token

import opentemis
from opentemis.core.http import INLINE_TYPES, SANDBOX_POLICY
from opentemis.core.scoping import system_scope
from opentemis.evidence import services as evidence_services
from opentemis.evidence.tests import files
from opentemis.jobs import services as job_services
from opentemis.standards.models import Framework
from opentemis.training.services import load_builtin_catalogues
from tests import world_products
from tests.learning_world import make_course

pytestmark = pytest.mark.django_db

ROOT = Path(opentemis.__file__).parent
HELPER = ROOT / "core" / "http.py"
SERVE = {"file_response", "xlsx_response"}  # the helper's entry points


# --- the code ------------------------------------------------------------------------------


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path == HELPER:
            continue
        module = "opentemis." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
        yield module.removesuffix(".__init__"), ast.parse(path.read_text(encoding="utf-8"))


def _by_hand(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in {"FileResponse", "StreamingHttpResponse"}:
            if isinstance(node.ctx, ast.Load):
                found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Constant) and node.value == "Content-Disposition":
            found.append(f"line {node.lineno}: a Content-Disposition header")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "HttpResponse":
            for keyword in node.keywords:
                value = getattr(keyword.value, "value", None)
                if keyword.arg == "content_type" and not (
                    isinstance(value, str) and value.startswith(("text/", "application/json"))
                ):
                    found.append(f"line {node.lineno}: HttpResponse of a file type")
    return found


def test_no_file_answer_is_built_outside_the_helper() -> None:
    offenders = {module: found for module, tree in _modules() if (found := _by_hand(tree))}
    assert offenders == {}, f"use opentemis.core.http.file_response: {offenders}"


def test_the_check_sees_a_file_answer_built_by_hand() -> None:
    tree = ast.parse(
        "def v(r):\n"
        "    x = FileResponse(open('a', 'rb'))\n"
        "    y = HttpResponse(b'', content_type='application/pdf')\n"
        "    y['Content-Disposition'] = 'inline'\n"
    )
    assert len(_by_hand(tree)) == 3


# --- the routes ----------------------------------------------------------------------------


def _serving() -> set[str]:
    """``module.function`` and ``module.Class.method`` whose code reaches the helper: a call
    graph by name, within each module and through ``from … import name``."""
    calls: dict[str, set[str]] = {}
    for module, tree in _modules():
        imported = {
            alias.asname or alias.name: f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }

        def target(name: str, owner: str | None, module: str = module, imported: Any = imported):
            if name in SERVE:
                return "HELPER"
            if name in imported:
                return imported[name]
            return f"{module}.{owner}.{name}" if owner else f"{module}.{name}"

        def visit(body: list[ast.stmt], owner: str | None, module: str = module) -> None:
            for node in body:
                if isinstance(node, ast.ClassDef):
                    visit(node.body, node.name)
                elif isinstance(node, ast.FunctionDef):
                    name = f"{module}.{owner}.{node.name}" if owner else f"{module}.{node.name}"
                    found = calls.setdefault(name, set())
                    for call in ast.walk(node):
                        if not isinstance(call, ast.Call):
                            continue
                        func = call.func
                        if isinstance(func, ast.Name):
                            found.add(target(func.id, None))
                        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                            if func.value.id == "self":
                                found.add(target(func.attr, owner))
                            elif func.attr in SERVE:
                                found.add("HELPER")

        visit(tree.body, None)
    serving = {"HELPER"}
    while True:
        more = {name for name, called in calls.items() if called & serving} - serving
        if not more:
            return serving - {"HELPER"}
        serving |= more


def _walk(resolver: URLResolver) -> Iterator[URLPattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry)
        else:
            yield entry


def _view_names(entry: URLPattern) -> set[str]:
    callback = entry.callback
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        methods = set(getattr(callback, "actions", {}).values()) or {"get", "post", "put"}
        return {f"{cls.__module__}.{cls.__qualname__}.{m}" for m in methods}
    function = inspect.unwrap(callback)
    return {f"{function.__module__}.{function.__qualname__}"}


def serving_routes() -> set[str]:
    serving = _serving()
    return {
        entry.name or str(entry.pattern)
        for entry in _walk(get_resolver())
        if _view_names(entry) & serving
    }


@dataclass
class Case:
    """How to fetch a route's file: ``fetch(ev)`` returns the response; ``shown``: it is meant
    to open in the browser (PNG, JPEG, PDF evidence)."""

    fetch: Callable[[Any], Any]
    shown: bool = False


def _get(user_of: Callable[[Any], Any], url_of: Callable[[Any], str]) -> Callable[[Any], Any]:
    return lambda ev: ev.w.client_for(user_of(ev)).get(url_of(ev))


def _api_get(user_of: Callable[[Any], Any], url_of: Callable[[Any], str]) -> Callable[[Any], Any]:
    def fetch(ev: Any) -> Any:
        token, _ = Token.objects.get_or_create(user=user_of(ev))
        return Client().get(url_of(ev), HTTP_AUTHORIZATION=f"Token {token.key}")

    return fetch


def _evidence(ev: Any, name: str = "Chứng chỉ.pdf", content: bytes | None = None) -> Any:
    with system_scope():
        return evidence_services.evidence_upload(
            actor=ev.w.teacher_a1,
            owner=ev.w.person_a1,
            uploaded_file=files.upload(name, content or files.pdf()),
            title="",
        )


def _job(ev: Any) -> Any:
    job = job_services.job_create(actor=ev.w.principal_a1, kind="test")
    job_services.job_finish(job=job, content=b"<html><script>alert(1)</script>", name="ket-qua.zip")
    return job


def _submitted(ev: Any) -> Any:
    return ev.submitted()


def _principals(ev: Any) -> Any:
    return ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))


def _opinion(ev: Any) -> Any:
    from opentemis.evaluations import services

    evaluation = ev.submitted()
    with system_scope():
        services.opinion_give(actor=ev.colleague, evaluation=evaluation, level="Tot")
    return evaluation


def _cycle(ev: Any) -> str:
    return f"?cycle={ev.cycle.pk}"


def _print(name: str, record: Callable[[Any], Any], user_of: Callable[[Any], Any]) -> Case:
    return Case(_get(user_of, lambda ev: reverse(name, args=[record(ev).pk]) + _cycle(ev)))


TEACHER = lambda ev: ev.w.teacher_a1  # noqa: E731
PRINCIPAL = lambda ev: ev.w.principal_a1  # noqa: E731
OFFICER = lambda ev: ev.w.officer_a  # noqa: E731


def _face_class(ev: Any) -> int:
    """A face-to-face class of province A's course (its results as Excel)."""
    from tests import world_classes
    from tests.learning_world import make_course

    lw = make_course(ev.w)
    with system_scope():
        return world_classes.things(lw)["class"][0]


def _catalogue(ev: Any) -> Any:
    with system_scope():
        return load_builtin_catalogues(school_year=ev.w.year).catalogues[0][0]


def _course(ev: Any) -> Any:
    from tests.learning_world import make_course

    return make_course(ev.w).course


def _superuser(ev: Any) -> Any:
    from tests.factories import make_user

    return make_user("root", superuser=True)


def _product_file(ev: Any) -> str:
    with system_scope():
        pk = world_products.things(make_course(ev.w))["product.submission"][0]
    return reverse("products_file", args=[pk])


def _package(ev: Any) -> Any:
    """A SCORM activity of a course teacher A1 is enrolled in, with the project's demo package."""
    from opentemis.packages.demo import demo_scorm
    from tests.learning_world import make_course

    lw = make_course(ev.w)
    activity = lw.activity("scorm", "Gói SCORM")
    with system_scope():
        return demo_scorm(activity=activity)


def _package_file(ev: Any, path: str) -> str:
    return reverse("packages_file", args=[_package(ev).activity_id, path])


CASES: dict[str, Case] = {
    "products_file": Case(_get(TEACHER, _product_file)),
    # The auditor's door to the same file (the superuser holds audits.read everywhere).
    "audits_file": Case(
        _get(
            _superuser, lambda ev: reverse("audits_file", kwargs=resolve(_product_file(ev)).kwargs)
        )
    ),
    "audits_sample_export": Case(
        _get(_superuser, lambda ev: reverse("audits_sample_export") + "?size=1&seed=1")
    ),
    # A package's files other than its HTML pages (those: the exception tested below).
    "packages_file": Case(_get(TEACHER, lambda ev: _package_file(ev, "imsmanifest.xml"))),
    "evidence_download": Case(
        _get(TEACHER, lambda ev: reverse("evidence_download", args=[_evidence(ev).pk])),
        shown=True,
    ),
    "evidence-download": Case(
        _api_get(TEACHER, lambda ev: f"/api/v1/evidence/{_evidence(ev).pk}/download/")
    ),
    "job_download": Case(_get(PRINCIPAL, lambda ev: reverse("job_download", args=[_job(ev).pk]))),
    "staff_export": Case(_get(PRINCIPAL, lambda ev: reverse("staff_export"))),
    "staff_template": Case(_get(PRINCIPAL, lambda ev: reverse("staff_template"))),
    "accounts_provision": Case(
        lambda ev: ev.w.client_for(ev.w.officer_a).post(
            reverse("accounts_provision"), {"unit": ev.w.province_a.pk}
        )
    ),
    "framework_xlsx": Case(
        _get(_superuser, lambda ev: reverse("framework_xlsx", args=[Framework.objects.first().pk]))
    ),
    "framework_template": Case(_get(_superuser, lambda ev: reverse("framework_template"))),
    "training_template": Case(_get(_superuser, lambda ev: reverse("training_template"))),
    "learning_course_export": Case(
        _get(OFFICER, lambda ev: reverse("learning_course_export", args=[_course(ev).pk]))
    ),
    "training_catalogue_export": Case(
        _get(
            _superuser,
            lambda ev: reverse("training_catalogue_export", args=[_catalogue(ev).pk]),
        )
    ),
    **{
        f"bdtx_school_results_export{suffix}": Case(
            _get(
                PRINCIPAL,
                lambda ev, fmt=fmt: reverse(
                    "bdtx_school_results_export", args=[ev.w.school_a1.pk, fmt]
                ),
            )
        )
        for suffix, fmt in (("", "pdf"), (" (xlsx)", "xlsx"))
    },
    "class_results_export": Case(
        _get(OFFICER, lambda ev: reverse("class_results_export", args=[_face_class(ev)]))
    ),
    "paper_template": Case(
        _get(PRINCIPAL, lambda ev: reverse("paper_template", args=[ev.w.school_a1.pk]) + _cycle(ev))
    ),
    "paper-template": Case(
        _api_get(
            PRINCIPAL,
            lambda ev: (
                f"/api/v1/evaluations/paper/template/?unit={ev.w.school_a1.pk}&cycle={ev.cycle.pk}"
            ),
        )
    ),
    "print_bm1_pdf": _print("print_bm1_pdf", _submitted, TEACHER),
    "print_bm1_xlsx": _print("print_bm1_xlsx", _submitted, TEACHER),
    "print_poll_pdf": _print("print_poll_pdf", _principals, OFFICER),
    "print_poll_xlsx": _print("print_poll_xlsx", _principals, OFFICER),
    "print_result_pdf": _print("print_result_pdf", _principals, OFFICER),
    "print_result_xlsx": _print("print_result_xlsx", _principals, OFFICER),
    "print_bm2_pdf": _print(
        "print_bm2_pdf", lambda ev: ev.colleague.person, lambda ev: ev.colleague
    ),
    "print_bm2_xlsx": _print(
        "print_bm2_xlsx", lambda ev: ev.colleague.person, lambda ev: ev.colleague
    ),
    "print_bm3_pdf": _print("print_bm3_pdf", lambda ev: ev.group, OFFICER),
    "print_bm3_xlsx": _print("print_bm3_xlsx", lambda ev: ev.group, OFFICER),
    "print_bm4_pdf": _print("print_bm4_pdf", lambda ev: ev.w.school_a1, PRINCIPAL),
    "print_bm4_xlsx": _print("print_bm4_xlsx", lambda ev: ev.w.school_a1, PRINCIPAL),
}


def _materials(ev: Any) -> dict[str, Any]:
    """The materials app's things (tests/world_materials.py): pks of a page image, a video and
    a file activity on province A's course, teacher A1 enrolled."""
    from tests import world_materials
    from tests.learning_world import make_course

    lw = make_course(ev.w)
    with system_scope():
        return {kind: pk for kind, (pk, _owner) in world_materials.things(lw).items()}


def _material(name: str, kind: str) -> Callable[[Any], str]:
    return lambda ev: reverse(name, args=[_materials(ev)[kind]])


CASES |= {
    # A page's image is shown (PNG); the video and the file are sent as attachments (a <video>
    # plays one all the same).
    "materials_asset": Case(_get(TEACHER, _material("materials_asset", "materials.asset")), True),
    "materials_video_stream": Case(
        _get(TEACHER, _material("materials_video_stream", "materials.video"))
    ),
    "materials_file_download": Case(
        _get(TEACHER, _material("materials_file_download", "materials.file"))
    ),
}


def _quiz(ev: Any) -> Any:
    from tests.learning_world import make_course

    return make_course(ev.w).activity("quiz", "Bài kiểm tra")


# The quizzes app: the Excel template of a question bank (the course's officer).
CASES["quiz_bank_template"] = Case(
    _get(OFFICER, lambda ev: reverse("quiz_bank_template", args=[_quiz(ev).pk]))
)


# The cascade: a unit's caseloads as the upload's Excel template (the Sở's officer).
CASES["cascade_template"] = Case(
    _get(OFFICER, lambda ev: reverse("cascade_template", args=[ev.w.province_a.pk]))
)


def test_the_route_walk_finds_the_file_routes() -> None:
    found = serving_routes()
    assert {"evidence_download", "job_download", "print_bm1_pdf"} <= found
    named = {route.split(" (")[0] for route in CASES}  # "name (variant)": another case of it
    assert found == named, "a route serving files without a case here (or a stale case)"


def assert_safe(response: Any, *, shown: bool) -> None:
    assert response.status_code == 200, response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX_POLICY
    assert response["Content-Security-Policy"].startswith("sandbox;")
    disposition = response["Content-Disposition"]
    if shown:
        assert response["Content-Type"] in INLINE_TYPES
        assert disposition.startswith("inline")
    else:
        assert disposition.startswith("attachment")


@pytest.mark.parametrize("route", sorted(CASES))
def test_every_file_route_is_sandboxed_and_saved(route: str, ev: Any) -> None:
    if route == "print_bm2_pdf" or route == "print_bm2_xlsx" or route.startswith("print_bm3"):
        _opinion(ev)
    case = CASES[route]
    assert_safe(case.fetch(ev), shown=case.shown)


# --- hostile uploads -----------------------------------------------------------------------

POLYGLOT = files.pdf() + b"\n<html><body><script>fetch('/api/v1/staff/')</script></body></html>\n"


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("polyglot.pdf", POLYGLOT, True),
        ("anh.png", files.png(), True),
        ("anh.jpg", files.jpeg(), True),
        ("bang.xlsx", files.xlsx(), False),
    ],
)
def test_evidence_is_shown_only_as_a_sandboxed_image_or_pdf(
    ev: Any, name: str, content: bytes, shown: bool
) -> None:
    item = _evidence(ev, name, content)
    client = ev.w.client_for(ev.w.teacher_a1)
    url = reverse("evidence_download", args=[item.pk])
    response = client.get(url)
    assert_safe(response, shown=shown)
    assert not response["Content-Type"].startswith("text/")
    assert_safe(client.get(url + "?download=1"), shown=False)
    assert_safe(
        _api_get(TEACHER, lambda ev: f"/api/v1/evidence/{item.pk}/download/")(ev), shown=False
    )


def test_a_job_result_is_never_shown(ev: Any) -> None:
    job = _job(ev)
    job.result_name = "bao-cao.html"
    job.save(update_fields=["result_name"])
    response = ev.w.client_for(ev.w.principal_a1).get(reverse("job_download", args=[job.pk]))
    assert_safe(response, shown=False)


def test_package_pages_are_the_documented_exception(ev: Any) -> None:
    """A SCORM package's HTML page runs script in the player's frame and reaches the run-time
    API on the player page (docs/architecture.md, "Files the server sends: SCORM and H5P
    package pages"): not sandboxed, but framed only by this site and loading nothing from
    elsewhere; opened alone, it goes to the player page."""
    from opentemis.packages.http import PACKAGE_POLICY

    url = _package_file(ev, "bai-hoc/index.html")
    client = ev.w.client_for(ev.w.teacher_a1)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == PACKAGE_POLICY
    assert "frame-ancestors 'self'" in PACKAGE_POLICY and "default-src 'self'" in PACKAGE_POLICY
    assert client.get(url, headers={"Sec-Fetch-Dest": "document"}).status_code == 302


# Issue 14: the certificate's PDF (its holder; the page and the API), the issuer's sample PDF
# and the weekly ranking's and the grading workload's spreadsheets (the province's officer).
def _certificates(ev: Any) -> dict[str, Any]:
    from tests import world_certificates
    from tests.learning_world import make_course

    with system_scope():
        return {k: v for k, (v, _owner) in world_certificates.things(make_course(ev.w)).items()}


def _course_pk(ev: Any) -> int:
    from tests.learning_world import make_course

    with system_scope():
        return int(make_course(ev.w).course.pk)


CASES |= {
    "certificates_pdf": Case(
        _get(
            TEACHER, lambda ev: reverse("certificates_pdf", args=[_certificates(ev)["certificate"]])
        )
    ),
    "certificates-pdf": Case(
        _api_get(
            TEACHER, lambda ev: f"/api/v1/certificates/{_certificates(ev)['certificate']}/pdf/"
        )
    ),
    "certificates_issuer_sample": Case(
        _get(
            OFFICER,
            lambda ev: reverse(
                "certificates_issuer_sample", args=[_certificates(ev)["certificates.issuer"]]
            ),
        )
    ),
    "tracking_export": Case(
        _get(OFFICER, lambda ev: reverse("tracking_export", args=[ev.w.province_a.pk]))
    ),
    "products_workload_export": Case(
        _get(OFFICER, lambda ev: reverse("products_workload_export", args=[_course_pk(ev)]))
    ),
}
CASES["certificates_badge"] = Case(
    _get(TEACHER, lambda ev: reverse("certificates_badge", args=[_certificates(ev)["certificate"]]))
)
