"""Importing a paper evaluation: check every row, then save all of it or nothing.

The import runs on the project's import framework (:mod:`opentemis.core.imports`): the file is
read by :mod:`.reading` through the one safe reader, problems are located issues, and the
check and the save are :func:`~opentemis.core.imports.flow.run_import`'s dry run and real run
(the save checks the file again, in its transaction). Rows are matched to the school's people
by staff code and validated; the overall rating is recomputed with :func:`rate_levels`
(TT 20/2018 Khoản 2 Điều 10, TT 14/2018 Điều 10): the law decides, the written rating is only
compared with it.

A result already final (finalised or acknowledged) is never changed by a file: a row with the
same levels and rating is "unchanged" (so importing the same file twice is a no-op), any other
row about it is an error; changing a final result goes through an officer's reopen.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.imports.flow import ImportRun, run_import
from opentemis.core.imports.issues import Issues
from opentemis.core.imports.reader import FileRejected
from opentemis.core.scoping import actor_scope
from opentemis.core.text import fold
from opentemis.evaluations import access, services
from opentemis.evaluations.models import LOCKED_STATUSES, Cycle, Evaluation, Status
from opentemis.evaluations.paper.common import require_importer, school_people
from opentemis.evaluations.paper.reading import _RawRow, _read_workbook
from opentemis.evaluations.paper.results import ERROR_CAP, PaperCheck, PaperResult, PaperRow
from opentemis.evaluations.paper.sheets import (
    CODE_HEADER,
    NAME_HEADER,
    OVERALL_HEADER,
    FrameworkResolver,
    PaperSheet,
    criterion_header,
    parse_level,
    sheets_for,
)
from opentemis.orgs.models import Unit
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.standards.applicability import require_applies
from opentemis.standards.rules import Level, RatingResult

logger = logging.getLogger(__name__)

__all__ = ["PaperCheck", "PaperResult", "PaperRow"]


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


def paper_import_check(*, actor: User, unit: Unit, cycle: Cycle, file: Any) -> PaperCheck:
    """Validate a filled-in template and recompute each rating; nothing is saved.

    ``file`` is a path, bytes or a binary file object. 404 unless the actor evaluates the
    teachers of ``unit`` and ``cycle`` covers it.
    """
    return _run(actor=actor, unit=unit, cycle=cycle, file=file, dry_run=True).check


def paper_import_apply(*, actor: User, unit: Unit, cycle: Cycle, file: Any) -> PaperResult:
    """Check the file again and, if every row is valid, save every row in one transaction.

    Each person's evaluation in ``cycle`` is created or updated as finalised: the paper levels
    become the reviewer's levels (and the self-evaluation's, unless the person submitted one
    online), the overall rating is the computed one, the actor is the reviewer, training needs
    are recorded and each change is audited ("evaluation.paper_import", before and after).
    """
    return _run(actor=actor, unit=unit, cycle=cycle, file=file, dry_run=False)


def _run(*, actor: User, unit: Unit, cycle: Cycle, file: Any, dry_run: bool) -> PaperResult:
    require_importer(actor, unit, cycle)
    result = PaperResult()
    check = result.check

    def run_check(run: ImportRun) -> PaperCheck:
        check.file_name = run.source.name
        _check(actor=actor, unit=unit, cycle=cycle, run=run, check=check)
        return check

    def write(check: PaperCheck) -> bool:
        for row in check.rows:
            if row.unchanged:
                result.unchanged += 1
                continue
            _save_row(actor=actor, cycle=cycle, row=row, file_name=check.file_name)
            if row.evaluation is None:
                result.created += 1
            else:
                result.updated += 1
        return bool(result.created or result.updated)

    with actor_scope(actor):
        outcome = run_import(
            file=file,
            check=run_check,
            write=write,
            dry_run=dry_run,
            cap=ERROR_CAP,
            conflicts=(services.ConflictError,),
            conflict_message=_(
                "Some of these evaluations were changed online while the file was being "
                "saved, so nothing was saved. Upload the file again to see the current state."
            ),
        )
    check.errors = outcome.issues
    check.errors_truncated = outcome.truncated
    result.written = outcome.written
    if not outcome.ok:  # rolled back: nothing of what was counted happened
        result.created = result.updated = result.unchanged = 0
    return result


def _save_row(*, actor: User, cycle: Cycle, row: PaperRow, file_name: str) -> None:
    now = timezone.now()
    evaluation = row.evaluation
    fields: dict[str, Any] = {
        "review_levels": row.levels,
        "final_rating": row.computed,
        "status": Status.FINALISED,
        "finalised_at": now,
        "reviewer": actor,
        "returned_reason": "",
    }
    # A self-evaluation the person submitted online is theirs and stays as it is; otherwise the
    # paper form is the only record of it, and its levels are the ones the school decided on.
    keeps_self = (
        evaluation is not None
        and evaluation.status == Status.SUBMITTED
        and services.is_complete(row.framework, evaluation.self_levels)
    )
    if not keeps_self:
        submitted_at = evaluation.submitted_at if evaluation is not None else None
        fields.update(self_levels=row.levels, self_rating=row.computed)
        fields["submitted_at"] = submitted_at or now
    if evaluation is None:
        evaluation = Evaluation.objects.create(
            cycle=cycle,
            person=row.person,
            framework=row.framework,
            kind=row.kind,
            unit_id=row.person.unit_id,
            unit_path=row.person.unit_path,
            updated_by=actor,
            **fields,
        )
        changes: dict[str, Any] = {"before": {}, "after": dict(fields)}
    else:
        changes = services.field_changes(evaluation, fields)
        services.guarded_update(
            evaluation, version=evaluation.version, actor=actor, submitted=fields, **fields
        )
    services.record_training_needs(evaluation)
    changes["paper"] = {
        "file": Path(file_name).name[-200:],
        "sheet": row.sheet,
        "row": row.row,
        "written_rating": row.written or "",
    }
    audit(
        actor=actor,
        action="evaluation.paper_import",
        unit_id=evaluation.unit_id,
        obj=evaluation,
        changes=changes,
    )


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


def _check(*, actor: User, unit: Unit, cycle: Cycle, run: ImportRun, check: PaperCheck) -> None:
    if not cycle.is_open:
        raise FileRejected(
            _("This cycle is closed: paper results can no longer be imported into it.")
        )
    people = school_people(unit)
    evaluations = _evaluations(cycle, people, lock=run.lock)
    sheets = sheets_for(
        unit=unit,
        cycle=cycle,
        extra=[(e.framework, e.kind) for e in evaluations.values()],
    )
    raw = _read_workbook(run.source, sheets, run.issues)
    if not any(r.has_results for r in raw) and not run.issues:
        raise FileRejected(
            _(
                "The file has no results: fill in the levels of at least one person and "
                "upload it again."
            )
        )
    check.rows = _check_rows(
        actor=actor,
        unit=unit,
        cycle=cycle,
        raw=raw,
        sheets=sheets,
        people=people,
        evaluations=evaluations,
        issues=run.issues,
        skipped=check.skipped,
    )


def _evaluations(cycle: Cycle, people: list[Person], *, lock: bool) -> dict[int, Evaluation]:
    qs = Evaluation.objects.filter(cycle=cycle, person__in=[p.pk for p in people])
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = {e.person_id: e for e in qs.select_related("framework")}
    by_id = {p.pk: p for p in people}
    for evaluation in found.values():
        evaluation.person = by_id[evaluation.person_id]
        evaluation.cycle = cycle
    return found


def _check_rows(
    *,
    actor: User,
    unit: Unit,
    cycle: Cycle,
    raw: list[_RawRow],
    sheets: list[PaperSheet],
    people: list[Person],
    evaluations: dict[int, Evaluation],
    issues: Issues,
    skipped: list[tuple[str, int, str]],
) -> list[PaperRow]:
    by_code = {p.staff_code.upper(): p for p in people}
    sheet_of = {s.framework.pk: s for s in sheets}
    resolve = FrameworkResolver(cycle)
    first_row: dict[int, tuple[str, int]] = {}
    valid: list[PaperRow] = []
    for row in raw:
        where: dict[str, Any] = {"sheet": row.sheet.name, "row": row.number}
        if not row.has_results and not row.bad:
            skipped.append((row.sheet.name, row.number, row.name or row.code))
            continue
        if not row.code:
            issues.add(
                _(
                    "the staff code is missing; the levels cannot be matched to a person "
                    "without it. Copy the code from the staff list."
                ),
                column=CODE_HEADER,
                **where,
            )
            continue
        person = by_code.get(row.code.upper())
        if person is None:
            issues.add(
                _(
                    "no one with the staff code «%(code)s» is recorded at %(school)s; check "
                    "the code (the template lists the school's staff)."
                )
                % {"code": row.code, "school": unit.name},
                column=CODE_HEADER,
                value=row.code,
                **where,
            )
            continue
        first = first_row.setdefault(person.pk, (row.sheet.name, row.number))
        if first != (row.sheet.name, row.number):
            issues.add(
                _(
                    "%(name)s (code «%(code)s») is already on sheet «%(sheet)s», row %(row)s; "
                    "keep one row per person."
                )
                % {
                    "name": person.full_name,
                    "code": person.staff_code,
                    "sheet": first[0],
                    "row": first[1],
                },
                column=CODE_HEADER,
                **where,
            )
            continue
        if row.name and fold(row.name) != fold(person.full_name):
            issues.add(
                _(
                    "the staff code «%(code)s» belongs to %(recorded)s, not to «%(written)s»; "
                    "check the code and the name."
                )
                % {"code": person.staff_code, "recorded": person.full_name, "written": row.name},
                column=NAME_HEADER,
                value=row.name,
                **where,
            )
            continue
        if person.employment_status != EmploymentStatus.WORKING:
            issues.add(
                _(
                    "%(name)s is recorded as “%(status)s”, not working at the school; only "
                    "working staff are evaluated. Delete the row or correct the staff record."
                )
                % {"name": person.full_name, "status": person.get_employment_status_display()},
                column=CODE_HEADER,
                **where,
            )
            continue
        if actor.person_id == person.pk:
            issues.add(
                _(
                    "this is your own evaluation: it is given by your evaluator, not by you. "
                    "Delete the row."
                ),
                column=CODE_HEADER,
                **where,
            )
            continue
        evaluation = evaluations.get(person.pk)
        if evaluation is not None:
            framework, kind = evaluation.framework, evaluation.kind
            if not evaluation.is_locked:
                try:  # started against a standard that does not apply to them: refused
                    require_applies(
                        framework=framework,
                        school_year=cycle.school_year,
                        person=person,
                        table=resolve.table,
                    )
                except ValidationError as exc:
                    issues.add(" ".join(exc.messages), column=CODE_HEADER, **where)
                    continue
        else:
            try:
                framework, kind = resolve(person)
            except ValidationError as exc:
                issues.add(" ".join(exc.messages), column=CODE_HEADER, **where)
                continue
        if framework.pk != row.sheet.framework.pk:
            target = sheet_of.get(framework.pk)
            issues.add(
                _(
                    "%(name)s is evaluated against %(standard)s, not against the standard of "
                    "this sheet; move the row to the sheet «%(sheet)s»."
                )
                % {
                    "name": person.full_name,
                    "standard": framework.legal_ref or framework.code,
                    "sheet": target.name if target else "—",
                },
                column=CODE_HEADER,
                **where,
            )
            continue
        if not access.can_review_person(actor, person, kind=kind):
            issues.add(
                _(
                    "you are not the evaluator of %(name)s (a principal is evaluated by the "
                    "superior unit); delete the row."
                )
                % {"name": person.full_name},
                column=CODE_HEADER,
                **where,
            )
            continue
        levels = _levels(row, issues)
        written = _written(row, issues)
        if levels is None or written is None or row.bad:
            continue
        rating = services.rate_levels(framework, levels)
        computed = rating.level.code
        unchanged = False
        if evaluation is not None and evaluation.status in LOCKED_STATUSES:
            if evaluation.review_levels == levels and evaluation.final_rating == computed:
                unchanged = True
            else:
                issues.add(
                    _(
                        "the evaluation of %(name)s is already final (%(status)s) with other "
                        "levels; a file never overwrites it. To change it, an officer must "
                        "reopen it first; otherwise delete the row."
                    )
                    % {"name": person.full_name, "status": evaluation.get_status_display()},
                    column=CODE_HEADER,
                    **where,
                )
                continue
        valid.append(
            PaperRow(
                sheet=row.sheet.name,
                row=row.number,
                person=person,
                framework=framework,
                kind=kind,
                levels=levels,
                written=written or None,
                computed=computed,
                explanation=_why(rating, written or None),
                evaluation=evaluation,
                unchanged=unchanged,
            )
        )
    return valid


def _levels(row: _RawRow, issues: Issues) -> dict[str, str] | None:
    levels: dict[str, str] = {}
    ok = True
    for number in row.sheet.criteria:
        text = row.levels.get(number, "")
        column = criterion_header(number)
        where: dict[str, Any] = {"sheet": row.sheet.name, "row": row.number, "column": column}
        if number in row.formulas:
            ok = False
            continue
        if not text:
            issues.add(_("the level is missing; write Chưa đạt, Đạt, Khá or Tốt."), **where)
            ok = False
            continue
        code = parse_level(text)
        if code is None:
            issues.add(_not_a_level(text), value=text, **where)
            ok = False
            continue
        levels[str(number)] = code
    return levels if ok else None


def _written(row: _RawRow, issues: Issues) -> str | None:
    """The written overall rating's code, "" when empty, None after reporting a bad value."""
    if not row.overall:
        return ""
    code = parse_level(row.overall)
    if code is None:
        issues.add(
            _not_a_level(row.overall),
            sheet=row.sheet.name,
            row=row.number,
            column=OVERALL_HEADER,
            value=row.overall,
        )
        return None
    return code


def _not_a_level(text: str) -> str:
    return _("«%(value)s» is not a level; write Chưa đạt, Đạt, Khá or Tốt (or CĐ, Đ, K, T).") % {
        "value": text
    }


def _why(rating: RatingResult, written: str | None) -> list[str]:
    """Why the law gives ``rating`` rather than the ``written`` rating (empty if they agree)."""
    if written is None or written == rating.level.code:
        return []
    wanted = Level.from_code(written)
    if wanted > rating.level:
        shortfalls = {lvl: r for lvl, r in rating.shortfalls.items() if lvl <= wanted}
        return RatingResult(level=rating.level, shortfalls=shortfalls).explanation()
    return [
        _(
            "The levels meet every condition of level %(level)s, so the overall rating is "
            "%(level)s, not %(written)s."
        )
        % {"level": rating.level.label, "written": wanted.label}
    ]
