"""REST API of the BDTX ledger, results and roll-ups (issue 12 item 8), under ``/api/v1/bdtx/``:
the same reads and services as the pages (``plans.ledger``, ``plans.results``,
``plans.rollup``, ``plans.schoolplan``).

* a person reads their ledger and adds self-study (a link or a file) or an external course
  (its certificate, multipart ``file``); they or the head dispute an entry;
* the head of the school (``plans.manage``) records a class or a school activity for several
  people, confirms entries (all or none), rejects one, assesses plan items, computes and
  confirms the school's results;
* a learning system posts an online module completed, through a system administrator's
  (superuser's) account: idempotent by its ``external_ref`` (201 the first time, then 200 with
  the entry recorded first);
* whoever reads plans of a unit reads its needs, its children's figures and its school plan;
  the DTTS sub-columns of the needs only with ``staff.sensitive`` there (as the roll-up page).

A person, entry, item or unit out of the caller's reach is a 404; a step the caller may not
take on what they see is a 403; a refused step a 400 with the service's message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, perm_paths, require_superuser
from opentemis.accounts.read_audit import audit_read
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import request_actor
from opentemis.core.api import query_params
from opentemis.orgs.models import SchoolYear
from opentemis.orgs.selectors import get_school_year
from opentemis.plans import access, ledger, results, rollup, schoolplan
from opentemis.plans import serializers_ledger as s
from opentemis.plans.api import R404, PlanView, _valid, writes
from opentemis.plans.models import EntrySource, LedgerEntry, PlanItem, YearResult
from opentemis.staff.models import Person

YEAR = OpenApiParameter(
    "year", OpenApiTypes.STR, description="School year code; default: the current."
)


def _year(code: Any) -> SchoolYear:
    return get_school_year(code or None)


def _require_manager(actor: User) -> None:
    """For those who manage plans somewhere (403 before anything is read)."""
    paths = perm_paths(actor, Perm.MANAGE_PLANS)
    if paths is not None and not paths:
        raise PermissionDenied(_("You may not confirm BDTX hours of this unit."))


def _item(pk: int | None) -> PlanItem | None:
    if pk is None:
        return None
    item: PlanItem | None = PlanItem.objects.filter(pk=pk).first()
    if item is None:
        raise serializers.ValidationError({"item": [_("No item with this id.")]})
    return item


def _entries(entries: list[LedgerEntry], code: int = status.HTTP_200_OK) -> Response:
    rows = LedgerEntry.objects.filter(pk__in=[e.pk for e in entries]).select_related("school_year")
    return Response(s.EntrySerializer(rows.order_by("pk"), many=True).data, status=code)


def _entry(entry: LedgerEntry, code: int = status.HTTP_200_OK) -> Response:
    fresh = LedgerEntry.objects.select_related("school_year").get(pk=entry.pk)
    return Response(s.EntrySerializer(fresh).data, status=code)


# --- the ledger -----------------------------------------------------------------------------


class PersonLedgerView(PlanView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[YEAR],
        responses={200: s.PersonLedgerSerializer, 404: R404},
        description=gettext_lazy(
            "A person's ledger of the year: the entries, the confirmed periods per programme "
            "against the requirement, and the periods not counted yet (awaiting or disputed) "
            "apart. For the person, the heads above and those who read plans of the unit."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        person = ledger.get_person(actor=actor, pk=pk)
        year = _year(query_params(request).get("year"))
        book = ledger.person_ledger(actor=actor, person=person, school_year=year)
        if not ledger.is_self(actor, person):
            audit_read(
                actor=actor,
                action="reads.bdtx_ledger",
                unit=person.unit,
                obj=person,
                details={"school_year": year.code},
            )
        return Response(s.PersonLedgerSerializer(book).data)

    @extend_schema(
        request={
            "application/json": s.EntryAddSerializer,
            "multipart/form-data": s.EntryAddSerializer,
        },
        responses=writes(s.EntrySerializer, 201),
        description=gettext_lazy(
            "Add your own self-study (with a file or a link as evidence) or an external course "
            "(with its certificate as a file, multipart): it awaits your principal."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        person = ledger.get_person(actor=actor, pk=pk)
        if not ledger.is_self(actor, person):
            raise Http404
        body = _valid(s.EntryAddSerializer, request.data)
        entry = ledger.entry_add(
            actor=actor,
            person=person,
            school_year=_year(body.get("year")),
            source=body["source"],
            programme=body["programme"],
            hours=body["hours"],
            date=body["date"],
            description=body["description"],
            item=_item(body.get("item")),
            uploaded_file=body.get("file"),
            url=body.get("url") or "",
        )
        return _entry(entry, status.HTTP_201_CREATED)


class EntryRecordView(PlanView):
    @extend_schema(
        request=s.EntryRecordSerializer,
        responses=writes(s.EntrySerializer(many=True), 201),
        description=gettext_lazy(
            "Record a face-to-face class attended or a school professional activity for "
            "several people at once: confirmed as recorded (your own hours wait for your "
            "superior). All or none."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        _require_manager(actor)
        body = _valid(s.EntryRecordSerializer, request.data)
        pks = set(body["people"])
        people = list(Person.objects.filter(pk__in=pks).order_by("pk"))
        if len(people) != len(pks):
            raise Http404
        entries = ledger.entry_record(
            actor=actor,
            people=people,
            school_year=_year(body.get("year")),
            source=body["source"],
            programme=body["programme"],
            hours=body["hours"],
            date=body["date"],
            description=body["description"],
        )
        return _entries(entries, status.HTTP_201_CREATED)


class EntryPostView(PlanView):
    @extend_schema(
        request=s.EntryPostSerializer,
        responses={**writes(s.EntrySerializer), 201: s.EntrySerializer},
        description=gettext_lazy(
            "A learning system posts an online module completed (confirmed), through a system "
            "administrator's account. Idempotent by external_ref: 201 when recorded, 200 with "
            "the entry recorded first when it already was."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        require_superuser(actor)
        body = _valid(s.EntryPostSerializer, request.data)
        person = Person.objects.filter(pk=body["person"]).first()
        if person is None:
            raise serializers.ValidationError({"person": [_("No person with this id.")]})
        year = _year(body.get("year"))
        ref = body["external_ref"].strip()
        known = LedgerEntry.objects.filter(
            person=person, school_year=year, source=EntrySource.ONLINE, external_ref=ref
        ).exists()
        entry = ledger.entry_post(
            actor=actor,
            person=person,
            school_year=year,
            programme=body["programme"],
            hours=body["hours"],
            date=body["date"],
            description=body["description"],
            external_ref=ref,
            item=_item(body.get("item")),
        )
        return _entry(entry, status.HTTP_200_OK if known else status.HTTP_201_CREATED)


class EntryConfirmView(PlanView):
    @extend_schema(
        request=s.EntriesSerializer,
        responses=writes(s.EntrySerializer(many=True)),
        description=gettext_lazy(
            "Confirm entries at once: all or none (one you may not confirm refuses the lot and "
            "nothing is written)."
        ),
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        _require_manager(actor)
        body = _valid(s.EntriesSerializer, request.data)
        pks = set(body["entries"])
        entries = list(LedgerEntry.objects.filter(pk__in=pks))
        if len(entries) != len(pks):  # missing, or outside the caller's scope
            raise Http404
        # Who may confirm each (404 out of reach, 403 one's own): ledger.require_manager.
        return _entries(ledger.entries_confirm(actor=actor, entries=entries))


class EntryRejectView(PlanView):
    @extend_schema(
        request=s.EntryReasonSerializer,
        responses=writes(s.EntrySerializer),
        description=gettext_lazy("Reject an entry, saying why (it no longer counts)."),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        entry = ledger.get_entry(actor=actor, pk=pk)
        body = _valid(s.EntryReasonSerializer, request.data)
        return _entry(ledger.entry_reject(actor=actor, entry=entry, reason=body["reason"]))


class EntryDisputeView(PlanView):
    @extend_schema(
        request=s.EntryReasonSerializer,
        responses=writes(s.EntrySerializer),
        description=gettext_lazy(
            "Dispute an entry, saying why: it stops counting until the head confirms it again."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        entry = ledger.get_entry(actor=actor, pk=pk)
        body = _valid(s.EntryReasonSerializer, request.data)
        return _entry(ledger.entry_dispute(actor=actor, entry=entry, reason=body["reason"]))


# --- results --------------------------------------------------------------------------------


def _results(rows: Any) -> Response:
    pks = [r.pk for r in rows]
    fresh = (
        YearResult.objects.filter(pk__in=pks)
        .select_related("person", "school_year")
        .order_by("person__full_name", "person_id")
    )
    return Response(s.ResultSerializer(fresh, many=True).data)


class PersonResultView(PlanView):
    @extend_schema(
        responses={200: s.PersonResultSerializer, 404: R404},
        description=gettext_lazy(
            "A person's BDTX result of a school year and why (null while not computed)."
        ),
    )
    def get(self, request: Request, pk: int, year: str) -> Response:
        actor = request_actor(request)
        person = ledger.get_person(actor=actor, pk=pk)
        school_year = get_object_or_404(SchoolYear, code=year)
        result = results.person_result(actor=actor, person=person, school_year=school_year)
        return Response(
            s.PersonResultSerializer(
                {"person": person, "school_year": school_year, "result": result}
            ).data
        )


class UnitResultsView(PlanView):
    @extend_schema(
        parameters=[YEAR],
        responses={200: s.ResultSerializer(many=True), 404: R404},
        description=gettext_lazy("The results of the year in a unit's subtree."),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = access.readable_unit(actor, pk)
        year = _year(query_params(request).get("year"))
        rows = results.school_results(actor=actor, unit=unit, school_year=year)
        return Response(s.ResultSerializer(rows.select_related("school_year"), many=True).data)


class ResultsComputeView(PlanView):
    @extend_schema(
        request=s.YearBodySerializer,
        responses=writes(s.ResultSerializer(many=True)),
        description=gettext_lazy(
            "Compute (or bring up to date) the results of everyone of the unit's subtree with "
            "a plan of the year; your own is left to your superior."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = access.managed_unit(actor, pk)
        body = _valid(s.YearBodySerializer, request.data)
        year = _year(body.get("year"))
        return _results(results.results_compute_school(actor=actor, unit=unit, school_year=year))


class ResultsConfirmView(PlanView):
    @extend_schema(
        request=s.ResultsConfirmSerializer,
        responses=writes(s.ResultSerializer(many=True)),
        description=gettext_lazy(
            "Confirm the computed results of the unit's subtree (those given, or all not "
            "confirmed yet): each person gets the result in their evidence library."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = access.managed_unit(actor, pk)
        body = _valid(s.ResultsConfirmSerializer, request.data)
        year = _year(body.get("year"))
        chosen: list[YearResult] = []
        if body.get("results"):
            pks = set(body["results"])
            chosen = list(
                YearResult.objects.filter(
                    pk__in=pks, school_year=year, unit_path__startswith=unit.path
                )
            )
            if len(chosen) != len(pks):
                raise Http404
        done = results.results_confirm(actor=actor, unit=unit, school_year=year, results=chosen)
        return _results(done)


class ItemAssessView(PlanView):
    @extend_schema(
        request=s.AssessSerializer,
        responses=writes(s.AssessedItemSerializer),
        description=gettext_lazy(
            "Assess an item of an approved plan: a score on 10 and/or passed (Đạt / Chưa đạt); "
            "both empty clears the assessment."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        item = results.get_item_for_manager(actor=actor, pk=pk)
        body = _valid(s.AssessSerializer, request.data)
        done = results.item_assess(
            actor=actor, item=item, score=body.get("score"), passed=body.get("passed")
        )
        return Response(s.AssessedItemSerializer(done).data)


# --- roll-ups ---------------------------------------------------------------------------------


class NeedsView(PlanView):
    @extend_schema(
        parameters=[
            YEAR,
            OpenApiParameter(
                "include_submitted",
                OpenApiTypes.BOOL,
                description="Count the submitted plans too (default: the approved only).",
            ),
        ],
        responses={200: s.NeedsSerializer, 404: R404},
        description=gettext_lazy(
            "The training needs of a unit's subtree: people per programme-03 module and "
            "programme-01/02 content, per form and per title, with the sub-columns women, DTTS, "
            "women DTTS and disadvantaged area (DTTS ones null without staff.sensitive)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = access.readable_unit(actor, pk)
        params = query_params(request)
        year = _year(params.get("year"))
        flag = params.get("include_submitted", "").strip().lower()
        if flag not in ("", "0", "1", "true", "false"):
            raise serializers.ValidationError({"include_submitted": [_("Must be true or false.")]})
        needs = rollup.needs_for(
            actor=actor, unit=unit, school_year=year, include_submitted=flag in ("1", "true")
        )
        sensitive = has_perm_on(actor, Perm.VIEW_SENSITIVE, unit.path)
        return Response(s.NeedsSerializer(needs, context={"sensitive": sensitive}).data)


class ChildrenView(PlanView):
    @extend_schema(
        parameters=[YEAR],
        responses={200: s.ChildrenSerializer, 404: R404},
        description=gettext_lazy(
            "A unit's plans per state, confirmed periods and results, in all and per child "
            "unit, ranked by submission and by completion."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = access.readable_unit(actor, pk)
        year = _year(query_params(request).get("year"))
        figures = rollup.children_for(actor=actor, unit=unit, school_year=year)
        by_completion = [row.unit_id for row in figures.by_completion]  # ranks them too
        data = {
            "total": figures.total,
            "children": figures.by_submission,
            "by_completion": by_completion,
        }
        return Response(s.ChildrenSerializer(data).data)


class SchoolPlanView(PlanView):
    @extend_schema(
        parameters=[YEAR],
        responses={200: s.SchoolPlanSerializer, 404: R404},
        description=gettext_lazy(
            "A school's BDTX plan of the year: its staff's approved plans added up per form "
            "and per month, its own activities, and whether it was reported."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        unit = access.readable_unit(actor, pk)
        year = _year(query_params(request).get("year"))
        view = schoolplan.school_plan_view(actor=actor, unit=unit, school_year=year)
        return Response(s.SchoolPlanSerializer(view).data)
