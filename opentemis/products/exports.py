"""The per-grader workload of a course as an Excel file (issue 14 item 3; decision 0021): the
page's table in the printed-form layout of ``evaluations.printing`` (one renderer for every
form of the site). Hours with one decimal and a comma, as the page shows them."""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from opentemis.evaluations.printing import xlsx
from opentemis.evaluations.printing.layout import Column, Form, Paragraph, Row, Table
from opentemis.products.selectors import GraderLoad, Workload


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _name(load: GraderLoad) -> str:
    person = getattr(load.user, "person", None)
    if person is not None:
        return str(person.full_name)
    return load.user.first_name or load.user.get_username()


def workload_form(load: Workload) -> Form:
    columns = [
        Column(_("No."), 10, "C"),
        Column(_("Grader"), 55),
        Column(_("Waiting"), 18, "C"),
        Column(_("Overdue"), 18, "C"),
        Column(_("Taken from the pool"), 22, "C"),
        Column(_("Graded this week"), 22, "C"),
        Column(_("Graded in all"), 22, "C"),
        Column(_("Median (hours)"), 22, "C"),
        Column(_("90th percentile (hours)"), 24, "C"),
        Column(_("Second marking differs"), 24, "C"),
    ]
    table = Table(columns=columns)
    for number, row in enumerate(load.rows, start=1):
        table.rows.append(
            Row(
                [
                    str(number),
                    _name(row),
                    str(row.assigned_pending),
                    str(row.overdue),
                    str(row.claimed),
                    str(row.graded_week),
                    str(row.graded_total),
                    _hours(row.median_hours),
                    _hours(row.p90_hours),
                    str(row.disagreements),
                ]
            )
        )
    week = timezone.localtime(load.week_start).strftime("%d/%m/%Y")
    return Form(
        code="CHAM-SP",
        title=_("Grading workload"),
        filename=f"khoi-luong-cham-{slugify(load.course.code or str(load.course.pk))}",
        orientation="L",
        subtitle=[load.course.title],
        table=table,
        after=[
            Paragraph(
                _(
                    "Hours from hand-in to grade. Overdue: assigned and waiting more than "
                    "%(h)s hours. This week: since %(d)s."
                )
                % {"h": f"{load.overflow_hours:g}", "d": week},
                italic=True,
            )
        ],
    )


def workload_xlsx(load: Workload) -> tuple[bytes, str]:
    """The file's bytes and name."""
    form = workload_form(load)
    return xlsx.render(form), f"{form.filename}.xlsx"
