"""A school's BDTX results of a year as PDF and Excel: one :class:`Form` (the layout of
``evaluations.printing``) rendered by its PDF and spreadsheet renderers, so both files say the
same. One row per person: confirmed periods against the requirement per programme, the result
("Hoàn thành" / "Không hoàn thành") with its reasons, and whether the head confirmed it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from opentemis.evaluations.printing import pdf, xlsx
from opentemis.evaluations.printing.layout import Column, Form, Paragraph, Row, Signature, Table
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.plans.models import Outcome, YearResult
from opentemis.plans.results import outcome_label
from opentemis.plans.rules import PROGRAMMES

FORMATS = ("pdf", "xlsx")


def _periods(value: object) -> str:
    number = Decimal(str(value or 0))
    text = f"{number.normalize():f}" if number != number.to_integral() else str(int(number))
    return text.replace(".", ",")


def results_form(
    *, unit: Unit, parent: Unit | None, school_year: SchoolYear, rows: Sequence[YearResult]
) -> Form:
    group = _("Periods confirmed / required")
    columns = [
        Column(_("No."), 10, "C"),
        Column(_("Full name"), 48),
        *[Column(_("Prog. %(p)s") % {"p": p}, 20, "C", group) for p in PROGRAMMES],
        Column(_("Result"), 28, "C"),
        Column(_("Reasons"), 103),
        Column(_("Confirmed"), 18, "C"),
    ]
    table = Table(columns=columns)
    for number, result in enumerate(rows, start=1):
        hours = result.hours or {}
        required = result.required or {}
        table.rows.append(
            Row(
                [
                    str(number),
                    result.person.full_name,
                    *[
                        f"{_periods(hours.get(p))}/{required.get(p, 0)}" if required.get(p) else "—"
                        for p in PROGRAMMES
                    ],
                    outcome_label(result.outcome),
                    "; ".join(result.reasons or []) or "—",
                    _("Yes") if result.confirmed_at else _("No"),
                ]
            )
        )
    done = sum(1 for r in rows if r.outcome == Outcome.COMPLETED)
    after = [
        Paragraph(
            _("%(done)s of %(all)s people completed their BDTX plan.")
            % {"done": done, "all": len(rows)},
            bold=True,
        )
    ]
    rule: dict[str, str] = next((r.rule for r in rows if r.rule), {})
    if rule.get("source") or (rows and rows[0].regulation_version):
        after.append(
            Paragraph(
                _("Judged by: %(source)s; regulation: %(version)s.")
                % {
                    "source": rule.get("source") or "—",
                    "version": (rows[0].regulation_version if rows else "") or "—",
                },
                italic=True,
            )
        )
    today = timezone.localdate()
    return Form(
        code="BDTX-KQ",
        title=_("BDTX results of the school year"),
        filename=f"ket-qua-bdtx-{slugify(unit.code or unit.pk)}-{school_year.code}",
        orientation="L",
        agency=[(parent.name if parent else "").upper(), unit.name.upper()],
        subtitle=[_("School year %(year)s") % {"year": school_year.code}],
        table=table,
        after=after,
        place_date=_("…, day %(d)s month %(m)s year %(y)s")
        % {"d": today.day, "m": today.month, "y": today.year},
        signatures=[Signature(_("PRINCIPAL"), note=_("(Sign and write the full name)"))],
    )


def render(form: Form, fmt: str) -> tuple[bytes, str]:
    """The file's bytes and name."""
    if fmt == "xlsx":
        return xlsx.render(form), f"{form.filename}.xlsx"
    return pdf.render(form), f"{form.filename}.pdf"
