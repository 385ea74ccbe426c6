"""Downloads of the official forms (PDF or xlsx) and the "print all forms of my school" job.

Every view resolves the object inside the request's scope, checks the printing rule of
:mod:`opentemis.evaluations.printing.access`, and answers 404 to anyone else.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from opentemis.accounts.read_audit import audit_read
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import PDF, file_response, xlsx_response
from opentemis.core.params import id_param
from opentemis.evaluations import selectors
from opentemis.evaluations.models import Cycle, Evaluation
from opentemis.evaluations.printing import access, official_forms, pdf, xlsx
from opentemis.evaluations.printing.layout import Form
from opentemis.evaluations.tasks import print_school_start
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person, SubjectGroup


def _respond(
    form: Form,
    fmt: str,
    *,
    request: AuthenticatedRequest,
    unit: Unit,
    person_id: int | None = None,
    ids: tuple[int, ...] = (),
) -> HttpResponse:
    """The form as a download, recorded in the audit of reads (decision 0012) unless it is the
    reader's own: who printed which form of whom."""
    if person_id is None or person_id != request.user.person_id:
        audit_read(
            actor=request.user,
            action="reads.evaluation_form",
            unit=unit,
            ids=ids,
            details={"form": form.code, "format": fmt},
        )
    if fmt == "xlsx":
        return xlsx_response(xlsx.render(form), f"{form.filename}.xlsx")
    return file_response(pdf.render(form), filename=f"{form.filename}.pdf", content_type=PDF)


def _evaluation_form(
    form: Form, fmt: str, *, request: AuthenticatedRequest, evaluation: Evaluation
) -> HttpResponse:
    """A form about one evaluation, answered as :func:`_respond` does."""
    return _respond(
        form,
        fmt,
        request=request,
        unit=evaluation.unit,
        person_id=evaluation.person_id,
        ids=(evaluation.pk,),
    )


def _cycle(request: AuthenticatedRequest, unit_path: str) -> Cycle:
    """The cycle named by ``?cycle=`` (or the current one) covering ``unit_path``; else 404."""
    cycle_id = id_param(request.GET, "cycle") or id_param(request.POST, "cycle")
    cycle = selectors.cycle_for_unit(actor=request.user, unit_path=unit_path, cycle_id=cycle_id)
    if cycle is None:
        raise Http404
    return cycle


def _school(request: AuthenticatedRequest, unit_pk: int) -> Unit:
    unit: Unit | None = Unit.objects.filter(pk=unit_pk).first()
    if unit is None or not unit.is_school or not access.may_print_school(request.user, unit.path):
        raise Http404
    return unit


@login_required
def bm1(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    """BM1 of a teacher, or the principal's self-evaluation form (TT 14)."""
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk)
    form = official_forms.self_evaluation(evaluation)
    return _evaluation_form(form, fmt, request=request, evaluation=evaluation)


@login_required
def poll_summary(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk)
    if not access.may_print_poll(request.user, evaluation):
        raise Http404
    form = official_forms.poll_summary(evaluation)
    return _evaluation_form(form, fmt, request=request, evaluation=evaluation)


@login_required
def superior_result(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk)
    if not access.may_print_result(request.user, evaluation):
        raise Http404
    form = official_forms.superior_result(evaluation)
    return _evaluation_form(form, fmt, request=request, evaluation=evaluation)


@login_required
def bm2(request: AuthenticatedRequest, person_pk: int, fmt: str) -> HttpResponse:
    author = Person.objects.select_related("subject_group", "unit").filter(pk=person_pk).first()
    if author is None or not access.may_print_bm2(request.user, author):
        raise Http404
    form = official_forms.bm2(author, _cycle(request, author.unit_path))
    return _respond(form, fmt, request=request, unit=author.unit, person_id=author.pk)


@login_required
def bm3(request: AuthenticatedRequest, group_pk: int, fmt: str) -> HttpResponse:
    group = SubjectGroup.objects.select_related("unit").filter(pk=group_pk).first()
    if group is None or not access.may_print_bm3(request.user, group):
        raise Http404
    cycle = _cycle(request, group.unit.path)
    form = official_forms.bm3(group, cycle, request.user)
    return _respond(form, fmt, request=request, unit=group.unit)


@login_required
def bm4(request: AuthenticatedRequest, unit_pk: int, fmt: str) -> HttpResponse:
    unit = _school(request, unit_pk)
    return _respond(
        official_forms.bm4(unit, _cycle(request, unit.path)), fmt, request=request, unit=unit
    )


@login_required
@require_POST
def print_all(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    """Start the job that prints every form of the school; its page shows the progress."""
    unit = _school(request, unit_pk)
    job = print_school_start(actor=request.user, unit=unit, cycle=_cycle(request, unit.path))
    audit_read(
        actor=request.user,
        action="reads.evaluation_forms_all",
        unit=unit,
        obj=unit,
        details={"job": job.pk},
    )
    return redirect("job_detail", pk=job.pk)
