"""The BDTX hours ledger and the year's results, under /bdtx/ (issue 12 items 5-6).

* ``ledger/``: the signed-in person's own ledger;
* ``people/<person>/ledger/``: "Sổ theo dõi BDTX", the entries per programme, the totals against
  the requirement; the person adds self-study or an external course (with a file) and disputes
  an entry; the head and those who read plans of the unit see it;
* ``people/<person>/result/<year>/``: the person's result and why (the page the evidence item
  of a confirmed result points to);
* ``schools/<unit>/ledger/``: the head's page: entries waiting (confirm many, reject with a
  reason), hours recorded for several people at once, items assessed, results computed,
  confirmed and listed with their reasons, as PDF and Excel.

Every write goes through ``plans.ledger`` and ``plans.results``; refusals come back as messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import flatatt
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opentemis.accounts.read_audit import audit_read
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import PDF, file_response, xlsx_response
from opentemis.core.params import parse_positive_int
from opentemis.core.widgets import NativeDateInput
from opentemis.evidence.forms import upload_input_attrs, upload_limits_text
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import (
    ancestors,
    default_unit,
    requested_school_year,
)
from opentemis.plans import access, exports, ledger, results
from opentemis.plans.models import EntrySource, EntryStatus, LedgerEntry, Outcome, PlanItem
from opentemis.staff.models import Person
from opentemis.training.models import Programme

PROGRAMME_CHOICES = [(p.value, p.label) for p in Programme]


class EntryForm(forms.Form):
    """The person's own entry: self-study with evidence, or an external course with its
    certificate. The service checks everything again (dates in the year, the file's content)."""

    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        choices=[(s.value, s.label) for s in EntrySource if s in ledger.PERSON_SOURCES],
    )
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), choices=PROGRAMME_CHOICES)
    item = forms.TypedChoiceField(
        label=gettext_lazy("Item of the plan"), required=False, coerce=int, empty_value=None
    )
    # Text: "2,5" and "2.5" both mean two and a half (the service reads either).
    hours = forms.CharField(
        label=gettext_lazy("Periods (tiết)"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=NativeDateInput)
    description = forms.CharField(
        label=gettext_lazy("What was studied"), max_length=ledger.DESCRIPTION_MAX
    )
    file = forms.FileField(label=gettext_lazy("Evidence or certificate (file)"), required=False)
    url = forms.URLField(
        label=gettext_lazy("Or a link (self-study)"), required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, items: list[PlanItem] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [("", _("— none —"))]
        choices += [(i.pk, f"{i.programme} · {results.item_label(i)}") for i in items or []]
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.TypedChoiceField)
        item_field.choices = choices
        self.fields["file"].widget.attrs.update(upload_input_attrs())


class RecordForm(forms.Form):
    """Hours the head records for several people: a class attended or a school activity."""

    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        choices=[(s.value, s.label) for s in EntrySource if s in ledger.SCHOOL_SOURCES],
    )
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), choices=PROGRAMME_CHOICES)
    # Text: "2,5" and "2.5" both mean two and a half (the service reads either).
    hours = forms.CharField(
        label=gettext_lazy("Periods (tiết)"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=NativeDateInput)
    description = forms.CharField(
        label=gettext_lazy("What was studied"), max_length=ledger.DESCRIPTION_MAX
    )


def _messages(request: AuthenticatedRequest, exc: ValidationError | PermissionDenied) -> None:
    for message in getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")]:
        messages.error(request, message)


def _ids(request: AuthenticatedRequest, name: str) -> list[int]:
    return [i for i in (parse_positive_int(v) for v in request.POST.getlist(name)) if i]


# --- the person's ledger --------------------------------------------------------------------


def _ledger_url(person: Person, year: SchoolYear) -> str:
    return f"{reverse('bdtx_ledger', args=[person.pk])}?year={year.code}"


@login_required
@require_GET
def my_ledger(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.person_id is None:
        raise Http404
    year = requested_school_year(request)
    return redirect(f"{reverse('bdtx_ledger', args=[request.user.person_id])}?year={year.code}")


def _ledger_page(
    request: AuthenticatedRequest, person: Person, year: SchoolYear, form: EntryForm | None = None
) -> HttpResponse:
    book = ledger.person_ledger(actor=request.user, person=person, school_year=year)
    if not ledger.is_self(request.user, person):
        audit_read(
            actor=request.user,
            action="reads.bdtx_ledger",
            unit=person.unit,
            obj=person,
            details={"school_year": year.code},
        )
    items = list(book.plan.items.select_related("module", "content")) if book.plan else []
    if form is None and book.can_add:
        form = EntryForm(items=items, initial={"date": None})
    context = {
        "book": book,
        "person": person,
        "year": year,
        "years": SchoolYear.objects.all(),
        "form": form,
        "upload_limits": upload_limits_text(),
        "upload_attrs": flatatt(upload_input_attrs()),
        "result": results.person_result(actor=request.user, person=person, school_year=year),
        "disputable": (EntryStatus.CONFIRMED, EntryStatus.PENDING, EntryStatus.REJECTED),
    }
    return render(request, "plans/ledger/person.html", context)


@login_required
@require_GET
def person_ledger(request: AuthenticatedRequest, person: int) -> HttpResponse:
    return _ledger_page(
        request, ledger.get_person(actor=request.user, pk=person), requested_school_year(request)
    )


@login_required
@require_POST
def entry_add(request: AuthenticatedRequest, person: int) -> HttpResponse:
    target = ledger.get_person(actor=request.user, pk=person)
    year = requested_school_year(request)
    if not ledger.is_self(request.user, target):
        raise Http404
    plan_items = list(
        PlanItem.objects.filter(plan__person=target, plan__school_year=year).select_related(
            "module", "content"
        )
    )
    form = EntryForm(request.POST, request.FILES, items=plan_items)
    if form.is_valid():
        data = form.cleaned_data
        item = next((i for i in plan_items if i.pk == data["item"]), None)
        try:
            ledger.entry_add(
                actor=request.user,
                person=target,
                school_year=year,
                source=data["source"],
                programme=data["programme"],
                hours=data["hours"],
                date=data["date"],
                description=data["description"],
                item=item,
                uploaded_file=data.get("file"),
                url=data.get("url") or "",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The entry is added: it awaits your principal."))
            return redirect(_ledger_url(target, year))
    return _ledger_page(request, target, year, form)


@login_required
@require_POST
def entry_dispute(request: AuthenticatedRequest, person: int) -> HttpResponse:
    target = ledger.get_person(actor=request.user, pk=person)
    year = requested_school_year(request)
    pk = parse_positive_int(request.POST.get("entry"))
    entry = LedgerEntry.objects.filter(pk=pk, person=target).first() if pk else None
    if entry is None:
        messages.error(request, _("Choose an entry."))
    else:
        try:
            ledger.entry_dispute(
                actor=request.user, entry=entry, reason=request.POST.get("reason", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("The entry is disputed: it no longer counts for now."))
    return redirect(_ledger_url(target, year))


# --- the person's result ------------------------------------------------------------------


@login_required
@require_GET
def person_result(request: AuthenticatedRequest, person: int, year: str) -> HttpResponse:
    target = ledger.get_person(actor=request.user, pk=person)
    school_year = get_object_or_404(SchoolYear, code=year)
    result = results.person_result(actor=request.user, person=target, school_year=school_year)
    book = ledger.person_ledger(actor=request.user, person=target, school_year=school_year)
    items = list(book.plan.items.select_related("module", "content")) if book.plan else []
    context = {
        "person": target,
        "year": school_year,
        "result": result,
        "book": book,
        "items": [(i, results.item_label(i)) for i in items],
        "completed": result is not None and result.outcome == Outcome.COMPLETED,
    }
    return render(request, "plans/ledger/result.html", context)


# --- the head's school page --------------------------------------------------------------


def _school_url(unit: Unit, year: SchoolYear, anchor: str = "") -> str:
    url = f"{reverse('bdtx_school', args=[unit.pk])}?year={year.code}"
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def school_home(request: AuthenticatedRequest) -> HttpResponse:
    """The school page of the actor's default unit (where they read BDTX plans)."""
    unit = default_unit(actor=request.user, perm=Perm.VIEW_PLANS)
    if unit is None:
        raise Http404
    return redirect(_school_url(unit, requested_school_year(request)))


@login_required
@require_GET
def school(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.readable_unit(request.user, unit)
    year = requested_school_year(request)
    manage = access.manages_plans_on(request.user, school_unit.path)
    totals = ledger.school_totals(actor=request.user, unit=school_unit, school_year=year)
    year_results = list(
        results.school_results(actor=request.user, unit=school_unit, school_year=year)
    )
    context = {
        "unit": school_unit,
        "year": year,
        "years": SchoolYear.objects.all(),
        "manage": manage,
        "totals": totals,
        "waiting": (
            ledger.waiting_entries(actor=request.user, unit=school_unit, school_year=year)
            if manage
            else []
        ),
        "items": (
            [
                (item, results.item_label(item))
                for item in results.assessable_items(
                    actor=request.user, unit=school_unit, school_year=year
                )
            ]
            if manage
            else []
        ),
        "results": year_results,
        "unconfirmed": sum(1 for r in year_results if r.confirmed_at is None),
        "record_form": RecordForm() if manage else None,
        "people": [t.person for t in totals if not ledger.is_self(request.user, t.person)],
    }
    return render(request, "plans/ledger/school.html", context)


@login_required
@require_POST
def school_confirm(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.managed_unit(request.user, unit)
    year = requested_school_year(request)
    ids = _ids(request, "entry")
    entries = list(LedgerEntry.objects.filter(pk__in=ids, unit_path__startswith=school_unit.path))
    if not entries:
        messages.error(request, _("Choose at least one entry."))
    else:
        try:
            done = ledger.entries_confirm(actor=request.user, entries=entries)
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("%(n)s entries confirmed.") % {"n": len(done)})
    return redirect(_school_url(school_unit, year, "waiting"))


@login_required
@require_POST
def school_reject(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.managed_unit(request.user, unit)
    year = requested_school_year(request)
    pk = parse_positive_int(request.POST.get("entry"))
    entry = (
        LedgerEntry.objects.filter(pk=pk, unit_path__startswith=school_unit.path).first()
        if pk
        else None
    )
    if entry is None:
        messages.error(request, _("Choose an entry."))
    else:
        try:
            ledger.entry_reject(
                actor=request.user, entry=entry, reason=request.POST.get("reason", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("The entry is rejected."))
    return redirect(_school_url(school_unit, year, "waiting"))


@login_required
@require_POST
def school_record(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.managed_unit(request.user, unit)
    year = requested_school_year(request)
    form = RecordForm(request.POST)
    people = list(ledger.school_people(unit=school_unit).filter(pk__in=_ids(request, "person")))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    elif not people:
        messages.error(request, _("Choose at least one person."))
    else:
        data = form.cleaned_data
        try:
            done = ledger.entry_record(
                actor=request.user,
                people=people,
                school_year=year,
                source=data["source"],
                programme=data["programme"],
                hours=data["hours"],
                date=data["date"],
                description=data["description"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("Hours recorded for %(n)s people.") % {"n": len(done)})
    return redirect(_school_url(school_unit, year, "record"))


def _passed(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@login_required
@require_POST
def school_assess(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.managed_unit(request.user, unit)
    year = requested_school_year(request)
    ids = _ids(request, "item")
    items = {
        i.pk: i
        for i in PlanItem.objects.filter(pk__in=ids, plan__unit_path__startswith=school_unit.path)
    }
    if not items:
        messages.error(request, _("Nothing to assess."))
        return redirect(_school_url(school_unit, year, "assess"))
    saved = 0
    for pk, item in items.items():
        score = request.POST.get(f"score_{pk}", "")
        passed = _passed(request.POST.get(f"passed_{pk}", ""))
        if item.score is None and item.passed is None and not score.strip() and passed is None:
            continue  # left empty: not assessed yet
        try:
            results.item_assess(actor=request.user, item=item, score=score, passed=passed)
        except (ValidationError, PermissionDenied) as exc:
            label = results.item_label(item)
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, f"{label}: {message}")
        else:
            saved += 1
    messages.success(request, _("%(n)s assessments saved.") % {"n": saved})
    return redirect(_school_url(school_unit, year, "assess"))


@login_required
@require_POST
def school_compute(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.managed_unit(request.user, unit)
    year = requested_school_year(request)
    done = results.results_compute_school(actor=request.user, unit=school_unit, school_year=year)
    messages.success(request, _("Results computed for %(n)s people.") % {"n": len(done)})
    return redirect(_school_url(school_unit, year, "results"))


@login_required
@require_POST
def school_results_confirm(request: AuthenticatedRequest, unit: int) -> HttpResponse:
    school_unit = access.managed_unit(request.user, unit)
    year = requested_school_year(request)
    try:
        done = results.results_confirm(actor=request.user, unit=school_unit, school_year=year)
    except (ValidationError, PermissionDenied) as exc:
        _messages(request, exc)
    else:
        if done:
            messages.success(request, _("%(n)s results confirmed.") % {"n": len(done)})
        else:
            messages.error(request, _("No computed result waits for confirmation."))
    return redirect(_school_url(school_unit, year, "results"))


@login_required
@require_GET
def school_results_export(request: AuthenticatedRequest, unit: int, fmt: str) -> HttpResponse:
    school_unit = access.readable_unit(request.user, unit)
    if fmt not in exports.FORMATS:
        raise Http404
    year = requested_school_year(request)
    rows = list(results.school_results(actor=request.user, unit=school_unit, school_year=year))
    form = exports.results_form(
        unit=school_unit,
        parent=next(reversed(ancestors(unit=school_unit)), None),
        school_year=year,
        rows=rows,
    )
    audit_read(
        actor=request.user,
        action="reads.bdtx_results",
        unit=school_unit,
        ids=[r.person_id for r in rows],
        details={"format": fmt, "school_year": year.code},
    )
    content, name = exports.render(form, fmt)
    if fmt == "xlsx":
        return xlsx_response(content, name)
    return file_response(content, filename=name, content_type=PDF)
