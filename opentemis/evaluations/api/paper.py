"""REST API of the paper fallback: a school that evaluated on paper sends the filled-in template.

* ``GET /api/v1/evaluations/paper/template/?unit=&cycle=``: the template (.xlsx), the same file
  as the page's download;
* ``POST /api/v1/evaluations/paper/?unit=&cycle=&dry_run=1`` (multipart ``file``): with
  ``dry_run=1`` (the default) the file is only checked; with ``dry_run=0`` it is checked again
  and saved, every row or none (:func:`~opentemis.evaluations.paper.paper_import_apply`).
  Either way the answer is :class:`PaperImportSerializer`: 200 when the file is valid, 422 when
  it is not (the errors say where: sheet, row, column). Nothing is kept between the two calls:
  the client sends the file again to save it.

The same checks as the pages (:func:`~opentemis.evaluations.paper.common.school_and_cycle`):
only the school's evaluator of teachers (its principal) or a superuser gets past them; anyone
else gets a 404, the school is not even confirmed to exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.read_audit import audit_read
from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS, query_params
from opentemis.core.http import XLSX, xlsx_response
from opentemis.core.imports.api import ImportIssueSerializer
from opentemis.evaluations.api.common import EvaluationErrorsMixin
from opentemis.evaluations.models import Cycle, Evaluation
from opentemis.evaluations.paper import (
    PaperCheck,
    PaperResult,
    PaperRow,
    paper_import_apply,
    paper_import_check,
    paper_template_xlsx,
)
from opentemis.evaluations.paper.common import school_and_cycle
from opentemis.evaluations.serializers import ApiNamesMixin, UnitRefSerializer
from opentemis.orgs.models import Unit

# --- serializers (the query, the upload, the answer) ----------------------------------------


class PaperQuerySerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(min_value=1, help_text=gettext_lazy("The school's id."))
    cycle = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("The cycle's id; default: the current cycle covering the school."),
    )


class PaperImportQuerySerializer(PaperQuerySerializer):
    dry_run = serializers.BooleanField(
        default=True,
        help_text=gettext_lazy(
            "1 (default): only check the file. 0: check it and save every row, or nothing."
        ),
    )


class PaperUploadSerializer(serializers.Serializer[Any]):
    # An empty file is the importer's to refuse, with its own message (422, not 400).
    file = serializers.FileField(
        allow_empty_file=True, help_text=gettext_lazy("The filled-in template (.xlsx).")
    )


class PaperPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    staff_code = serializers.CharField()
    full_name = serializers.CharField()


class PaperRowSerializer(serializers.Serializer[Any]):
    """A valid row: whom it is about, the levels read, the written and the computed rating."""

    sheet = serializers.CharField()
    row = serializers.IntegerField()
    person = PaperPersonSerializer()
    framework = serializers.CharField(help_text=gettext_lazy("The standard's code."))
    kind = serializers.CharField()
    levels = serializers.DictField(
        child=serializers.CharField(), help_text=gettext_lazy("Criterion number -> level code.")
    )
    written_rating = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("The overall rating written in the file, if any.")
    )
    written_label = serializers.CharField(allow_null=True)
    computed_rating = serializers.CharField(
        help_text=gettext_lazy("The overall rating the regulation gives these levels: it is saved.")
    )
    computed_label = serializers.CharField()
    disagrees = serializers.BooleanField()
    explanation = serializers.ListField(
        child=serializers.CharField(),
        help_text=gettext_lazy("Why the computed rating differs from the written one."),
    )
    outcome = serializers.ChoiceField(
        choices=["create", "update", "unchanged"],
        help_text=gettext_lazy(
            "create or update: the evaluation is (to be) finalised from this row; unchanged: "
            "already saved with these results."
        ),
    )
    evaluation = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy("The evaluation's id; null while it does not exist yet."),
    )


class PaperSkippedSerializer(serializers.Serializer[Any]):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    name = serializers.CharField()


class PaperCountsSerializer(ApiNamesMixin):
    rows = serializers.IntegerField(help_text=gettext_lazy("Valid rows."))
    to_save = serializers.IntegerField()
    to_create = serializers.IntegerField()
    to_update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text=gettext_lazy("Rows without any level."))
    disagreements = serializers.IntegerField()
    errors_ = serializers.IntegerField()


class PaperSavedSerializer(serializers.Serializer[Any]):
    written = serializers.BooleanField(help_text=gettext_lazy("Whether anything was saved."))
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class PaperImportSerializer(ApiNamesMixin):
    """The check of a file (``dry_run``) or what saving it did (``saved``)."""

    ok = serializers.BooleanField(help_text=gettext_lazy("No errors."))
    dry_run = serializers.BooleanField()
    detail = serializers.CharField(help_text=gettext_lazy("The outcome in one sentence."))
    unit = UnitRefSerializer()
    cycle = serializers.IntegerField()
    file_name = serializers.CharField()
    counts = PaperCountsSerializer()
    saved = PaperSavedSerializer(
        allow_null=True, help_text=gettext_lazy("What was saved; null on a dry run.")
    )
    rows = PaperRowSerializer(many=True)
    disagreements = PaperRowSerializer(
        many=True,
        help_text=gettext_lazy(
            "Rows whose written overall rating differs from the computed one (which is saved)."
        ),
    )
    skipped = PaperSkippedSerializer(many=True)
    errors_ = ImportIssueSerializer(many=True)
    errors_truncated = serializers.BooleanField(
        help_text=gettext_lazy("Only the first errors are listed.")
    )


# --- answers --------------------------------------------------------------------------------


def _outcome(row: PaperRow) -> str:
    if row.unchanged:
        return "unchanged"
    return "create" if row.evaluation is None else "update"


def _row(row: PaperRow, saved_ids: dict[int, int]) -> dict[str, Any]:
    """What ``PaperRowSerializer`` reads of a row (its person, and what is computed here)."""
    evaluation = row.evaluation.pk if row.evaluation is not None else None
    return {
        "sheet": row.sheet,
        "row": row.row,
        "person": row.person,
        "framework": row.framework.code,
        "kind": row.kind,
        "levels": row.levels,
        "written_rating": row.written,
        "written_label": row.written_label or None,
        "computed_rating": row.computed,
        "computed_label": row.computed_label,
        "disagrees": row.disagrees,
        "explanation": row.explanation,
        "outcome": _outcome(row),
        "evaluation": evaluation or saved_ids.get(row.person.pk),
    }


def _detail(check: PaperCheck, result: PaperResult | None) -> str:
    if not check.ok:
        return _(
            "The file has errors, so nothing was saved. Correct the rows listed in errors and "
            "send the file again."
        )
    if result is None and check.to_save:
        return _(
            "The file is valid; nothing was saved yet. Send it again with dry_run=0 to save it."
        )
    if result is None or not result.written:
        return _("Nothing to save: every row is already saved with these results.")
    return _(
        "Saved: %(created)s evaluations created and %(updated)s updated, all finalised; "
        "%(unchanged)s were already saved with these results."
    ) % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


def _values(
    unit: Unit, cycle: Cycle, check: PaperCheck, result: PaperResult | None
) -> dict[str, Any]:
    """What ``PaperImportSerializer``'s fields read: the objects (the school, what saving did,
    the issues), and the counts and rows computed here."""
    saved_ids: dict[int, int] = {}
    if result is not None and result.written:
        people = [r.person.pk for r in check.rows if r.evaluation is None]
        saved_ids = dict(
            Evaluation.objects.filter(cycle=cycle, person_id__in=people).values_list(
                "person_id", "pk"
            )
        )
    rows = [_row(r, saved_ids) for r in check.rows]
    return {
        "ok": check.ok,
        "dry_run": result is None,
        "detail": _detail(check, result),
        "unit": unit,
        "cycle": cycle.pk,
        "file_name": check.file_name,
        "counts": {
            "rows": len(rows),
            "to_save": len(check.to_save),
            "to_create": sum(1 for r in rows if r["outcome"] == "create"),
            "to_update": sum(1 for r in rows if r["outcome"] == "update"),
            "unchanged": len(check.unchanged),
            "skipped": len(check.skipped),
            "disagreements": len(check.disagreements),
            "errors": len(check.errors),
        },
        "saved": result,
        "rows": rows,
        "disagreements": [row for row in rows if row["disagrees"]],
        "skipped": [{"sheet": s, "row": n, "name": name} for s, n, name in check.skipped],
        "errors": check.errors,
        "errors_truncated": check.errors_truncated,
    }


# --- views ----------------------------------------------------------------------------------


_R400 = OpenApiResponse(description=gettext_lazy("Invalid query parameters, or no file sent."))
_R404 = OpenApiResponse(
    description=gettext_lazy(
        "No such school or cycle, or you do not evaluate the teachers of this school."
    )
)
_R503 = OpenApiResponse(description=gettext_lazy("Database unavailable; nothing was saved."))


class _PaperView(EvaluationErrorsMixin, APIView):
    permission_classes = API_PERMISSIONS

    def _school_and_cycle(self, params: serializers.Serializer[Any]) -> tuple[Unit, Cycle]:
        params.is_valid(raise_exception=True)
        return school_and_cycle(
            actor=request_actor(self.request),
            unit_pk=params.validated_data["unit"],
            cycle_id=params.validated_data.get("cycle"),
        )


class PaperTemplateView(_PaperView):
    """The paper template of a school for a cycle."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A client asking only for the workbook (Accept: the .xlsx type) gets it, not a 406;
        # an error then comes as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="evaluations_paper_template",
        parameters=[PaperQuerySerializer],
        responses={
            (200, XLSX): OpenApiResponse(response=OpenApiTypes.BINARY),
            (400, "application/json"): _R400,
            (404, "application/json"): _R404,
        },
        description=gettext_lazy(
            "The template for entering a paper evaluation (.xlsx): a sheet per standard, "
            "prefilled with the school's staff you evaluate whose result is not final yet. "
            "For the school's principal (or a superuser); anyone else gets 404."
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        unit, cycle = self._school_and_cycle(PaperQuerySerializer(data=query_params(request)))
        actor = request_actor(request)
        content = paper_template_xlsx(actor=actor, unit=unit, cycle=cycle)
        audit_read(actor=actor, action="reads.paper_template", unit=unit, obj=unit, via="api")
        return xlsx_response(content, f"danh-gia-tren-giay-{unit.code}-{cycle.school_year}.xlsx")


class PaperImportView(_PaperView):
    """Check a filled-in template, or save it."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="evaluations_paper_import",
        parameters=[PaperImportQuerySerializer],
        request={"multipart/form-data": PaperUploadSerializer},
        responses={
            200: PaperImportSerializer,
            422: OpenApiResponse(
                response=PaperImportSerializer,
                description=gettext_lazy("The file has errors; nothing was saved."),
            ),
            400: _R400,
            404: _R404,
            503: _R503,
        },
        description=gettext_lazy(
            "Send a filled-in paper template (multipart field 'file'). With dry_run=1 (the "
            "default) it is only checked: every valid row with its written and computed overall "
            "rating, the errors with their sheet, row and column, the rows skipped. With "
            "dry_run=0 it is checked again and, if there is no error, every row is saved as a "
            "finalised evaluation with the computed rating; one error saves nothing. 200 when "
            "the file is valid, 422 when it is not."
        ),
    )
    def post(self, request: Request) -> Response:
        params = PaperImportQuerySerializer(data=query_params(request))
        unit, cycle = self._school_and_cycle(params)
        body = PaperUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        actor = request_actor(request)
        result: PaperResult | None = None
        if params.validated_data["dry_run"]:
            check = paper_import_check(actor=actor, unit=unit, cycle=cycle, file=upload)
        else:
            result = paper_import_apply(actor=actor, unit=unit, cycle=cycle, file=upload)
            check = result.check
        code = status.HTTP_200_OK if check.ok else status.HTTP_422_UNPROCESSABLE_ENTITY
        answer = PaperImportSerializer(_values(unit, cycle, check, result))
        return Response(answer.data, status=code)
