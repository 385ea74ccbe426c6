"""Pages of the independent verification, under /audits/ (issue 14 item 7; bdtx.md R13).

* ``audits/``: the completions of the year's courses in the auditor's unit subtree, with the
  evidence behind each (tests, final products, attendance, the survey's receipt);
* ``audits/completions/<pk>/``: one completion's evidence in full, each product's file linked;
* ``audits/submissions/<pk>/file/``: a product's file: the auditor's rule here, then the file
  is sent by ``products`` (``submission_file_response``), the one place it is sent from;
* ``audits/sample/``: a random sample drawn with a seed (recorded), ``sample/export/`` as Excel;
* ``audits/trail/``: the audit events of the subtree about learning, grading and certificates.

Read-only: every route answers GET only (405 otherwise). Reads of personal records are
recorded (``accounts.read_audit``); the sample's draws always are (``services.sample_draw``).
Anyone without a valid auditor grant on the unit gets 404 (403 with no grant at all).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opentemis.accounts.audit_text import describe
from opentemis.accounts.read_audit import audit_read
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.audits import sampling, selectors, services, xlsx
from opentemis.audits.forms import SampleForm
from opentemis.core.http import xlsx_response
from opentemis.core.pagination import CappedPaginator
from opentemis.core.params import parse_positive_int
from opentemis.learning.models import Course
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import requested_school_year
from opentemis.products.views import submission_file_response

PAGE = 50


def _refused(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def _context(request: AuthenticatedRequest) -> tuple[Unit | None, SchoolYear]:
    unit = selectors.audit_unit(request.user, request.GET.get("unit"))
    return unit, requested_school_year(request)


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    unit, year = _context(request)
    if unit is None:
        return _refused(request)
    courses = selectors.courses_of(actor=request.user, unit=unit, school_year=year)
    course_id = parse_positive_int(request.GET.get("course"))
    if course_id not in {c.pk for c in courses}:
        course_id = None
    found = selectors.completions(
        actor=request.user, unit=unit, school_year=year, course_id=course_id
    )
    page = CappedPaginator(found, PAGE).get_page(request.GET.get("page"))
    rows = selectors.evidence_of(list(page.object_list))
    audit_read(
        actor=request.user,
        action="reads.audits_completions",
        unit=unit,
        ids=[r.enrolment.pk for r in rows],
        count=page.paginator.count,
        filters={"year": year.code, "course": course_id},
    )
    return render(
        request,
        "audits/home.html",
        {
            "unit": unit,
            "year": year,
            "courses": courses,
            "course_id": course_id,
            "page": page,
            "rows": rows,
        },
    )


@login_required
@require_GET
def completion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = selectors.audited_enrolment(request.user, pk)
    (row,) = selectors.evidence_of([enrolment])
    audit_read(
        actor=request.user,
        action="reads.audits_completion",
        unit=enrolment.person.unit,
        obj=enrolment.person,
        details={"course": str(enrolment.course)},
    )
    return render(request, "audits/completion.html", {"row": row, "enrolment": enrolment})


@login_required
@require_GET
def submission_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = selectors.audited_submission(request.user, pk)
    audit_read(
        actor=request.user,
        action="reads.audits_product_file",
        obj=submission,
        details={"enrolment": submission.enrolment_id},
    )
    return submission_file_response(submission)


def _sample_form(
    request: AuthenticatedRequest, unit: Unit, year: SchoolYear
) -> tuple[SampleForm, list[Course]]:
    courses = selectors.courses_of(actor=request.user, unit=unit, school_year=year)
    choices = [(c.pk, str(c)) for c in courses]
    asked = any(request.GET.get(k) for k in ("size", "share"))
    return SampleForm(request.GET if asked else None, courses=choices), courses


@login_required
@require_GET
def sample(request: AuthenticatedRequest) -> HttpResponse:
    unit, year = _context(request)
    if unit is None:
        return _refused(request)
    form, courses = _sample_form(request, unit, year)
    drawn = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["seed"] is None:
            # The draw is its address: a new seed is put in it, so the page can be shown again,
            # shared and exported with the same sample.
            query = {k: v for k, v in request.GET.items() if k != "page"}
            query["seed"] = str(sampling.new_seed())
            return redirect(f"{reverse('audits_sample')}?{urlencode(query)}")
        drawn = services.sample_draw(
            actor=request.user,
            unit=unit,
            school_year=year,
            seed=data["seed"],
            size=data["size"],
            share=data["share"],
            course=next((c for c in courses if c.pk == data["course"]), None),
        )
    return render(
        request,
        "audits/sample.html",
        {
            "unit": unit,
            "year": year,
            "form": form,
            "sample": drawn,
            "query": request.GET.urlencode(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def sample_export(request: AuthenticatedRequest) -> HttpResponse:
    unit, year = _context(request)
    if unit is None:
        return _refused(request)
    form, courses = _sample_form(request, unit, year)
    if not (form.is_bound and form.is_valid()) or form.cleaned_data["seed"] is None:
        return redirect(f"{reverse('audits_sample')}?{request.GET.urlencode()}")
    data = form.cleaned_data
    drawn = services.sample_draw(
        actor=request.user,
        unit=unit,
        school_year=year,
        seed=data["seed"],
        size=data["size"],
        share=data["share"],
        course=next((c for c in courses if c.pk == data["course"]), None),
        export=True,
    )
    name = f"mau-kiem-dem-{unit.code}-{year.code}-{drawn.seed}.xlsx"
    return xlsx_response(xlsx.sample_workbook(drawn), name)


@login_required
@require_GET
def trail(request: AuthenticatedRequest) -> HttpResponse:
    unit, _year = _context(request)
    if unit is None:
        return _refused(request)
    action = request.GET.get("action", "")
    page = CappedPaginator(selectors.trail(actor=request.user, unit=unit, action=action), PAGE)
    shown = page.get_page(request.GET.get("page"))
    labels = {
        "learning.": _("Courses and enrolments"),
        "products.": _("Final products and grading"),
        "quizzes.": _("Tests"),
        "classes.": _("Face-to-face classes and attendance"),
        "surveys.": _("Satisfaction survey (receipt)"),
        "cascade.": _("Core teachers and grading queues"),
        "certificates.": _("Certificates"),
        "plans.ledger_": _("BDTX hours"),
        "audits.": _("Samples drawn by auditors"),
    }
    return render(
        request,
        "accounts/audit_list.html",
        {
            "unit": unit,
            "page": shown,
            "entries": describe(shown.object_list),
            "action": action,
            "audit_actions": [(a, labels[a]) for a in selectors.TRAIL_ACTIONS],
        },
    )
