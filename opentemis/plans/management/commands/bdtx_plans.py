"""`manage.py bdtx_plans draft|status|deadline|results|needs --unit CODE [--year 2025-2026]`.

* ``draft``: the draft plan of everyone working in the unit's subtree who has none for the
  year, as each would find it on opening their plan (``plans.bulk.draft_plans_for``); run it
  again and it makes only the missing ones.
* ``status``: how many plans of the subtree are in each state, and how many people have none.
* ``deadline --due YYYY-MM-DD --as USERNAME``: the personal-plan deadline the unit sets for its
  subtree, in the name of an account allowed to set it (``plans.services.deadline_set``).
* ``results --as USERNAME [--confirm]``: the year's results of everyone of the subtree with a
  plan, computed (``plans.results.results_compute_school``) and, with ``--confirm``, confirmed
  (``results_confirm``) in the name of an account that manages BDTX there.
* ``needs [--submitted]``: the training needs of the subtree, people per module or content and
  per study form, from the approved plans (and the submitted ones): ``plans.rollup.needs_read``.
  Totals, women and disadvantaged areas only: the DTTS sub-columns are sensitive data, for the
  roll-up page and the API to those who may read them.

Whoever runs a command administers the server: it works in the system scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.http import Http404

from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.orgs.selectors import school_year_for
from opentemis.plans import results, rollup, services
from opentemis.plans.bulk import draft_plans_for
from opentemis.plans.models import Outcome, Plan, PlanStatus, StudyForm
from opentemis.staff.models import EmploymentStatus, Person


class Command(BaseCommand):
    help = "BDTX plans of a unit: make the missing drafts, count them by state, set the deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("draft", "make the draft plans of everyone in the unit's subtree who has none"),
            ("status", "count the plans of the unit's subtree by state"),
            ("deadline", "set the personal-plan deadline of the unit's subtree"),
            ("results", "compute (and confirm) the year's results of the unit's subtree"),
            ("needs", "print the training needs of the unit's subtree per module and form"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--unit", required=True, help="unit code, e.g. SA")
            sub.add_argument("--year", help="school year code, e.g. 2025-2026 (default: current)")
            if name == "deadline":
                sub.add_argument("--due", required=True, help="the date, YYYY-MM-DD")
            if name in ("deadline", "results"):
                sub.add_argument(
                    "--as", dest="as_user", required=True, help="username who acts (audited)"
                )
            if name == "results":
                sub.add_argument(
                    "--confirm", action="store_true", help="confirm the computed results too"
                )
            if name == "needs":
                sub.add_argument(
                    "--submitted", action="store_true", help="count the submitted plans too"
                )

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope():  # the command line: the unit and the year named
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit with the code {options['unit']}.")
            year = school_year_for(options["year"])
            if year is None:
                raise CommandError(f"No school year {options['year'] or '(current)'}.")
            action = options["action"]
            if action == "draft":
                self._draft(unit, year)
            elif action == "status":
                self._status(unit, year)
            elif action == "results":
                self._results(unit, year, options["as_user"], options["confirm"])
            elif action == "needs":
                self._needs(unit, year, options["submitted"])
            else:
                self._deadline(unit, year, options["due"], options["as_user"])

    def _draft(self, unit: Unit, year: SchoolYear) -> None:
        result = draft_plans_for(unit, year)
        self.stdout.write(
            f"{unit.code} {year.code}: {result.created} draft plans made, "
            f"{result.existing} already there"
        )
        if result.without_title:
            codes = ", ".join(result.without_title[:20])
            more = " ..." if len(result.without_title) > 20 else ""
            self.stdout.write(
                f"{len(result.without_title)} without a BDTX programme (position or school "
                f"level missing): {codes}{more}"
            )

    def _status(self, unit: Unit, year: SchoolYear) -> None:
        plans = Plan.objects.filter(school_year=year, unit_path__startswith=unit.path)
        counts = dict(plans.values_list("status").annotate(n=Count("id")).order_by())
        staff = Person.objects.filter(
            unit_path__startswith=unit.path, employment_status=EmploymentStatus.WORKING
        )
        without = staff.exclude(pk__in=plans.values("person_id")).count()
        self.stdout.write(f"{unit.code} {year.code}")
        for status in PlanStatus:
            self.stdout.write(f"  {status.value:<10} {counts.get(status.value, 0)}")
        self.stdout.write(f"  {'no plan':<10} {without}")

    def _actor(self, username: str) -> User:
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"No account {username}.")
        return actor

    def _deadline(self, unit: Unit, year: SchoolYear, due_text: str, username: str) -> None:
        try:
            due = dt.date.fromisoformat(due_text)
        except ValueError:
            raise CommandError(f"Not a date: {due_text} (YYYY-MM-DD).") from None
        actor = self._actor(username)
        try:
            deadline = services.deadline_set(actor=actor, unit=unit, school_year=year, due=due)
        except Http404:
            raise CommandError(
                f"{username} may not set the plan deadline of {unit.code}."
            ) from None
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(f"{unit.code} {year.code}: plans due {deadline.due.isoformat()}")

    def _results(self, unit: Unit, year: SchoolYear, username: str, confirm: bool) -> None:
        actor = self._actor(username)
        try:
            computed = results.results_compute_school(actor=actor, unit=unit, school_year=year)
            confirmed = (
                results.results_confirm(actor=actor, unit=unit, school_year=year) if confirm else []
            )
        except (Http404, PermissionDenied):
            raise CommandError(f"{username} may not manage BDTX of {unit.code}.") from None
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        completed = sum(1 for r in computed if r.outcome == Outcome.COMPLETED)
        self.stdout.write(
            f"{unit.code} {year.code}: {len(computed)} results computed, {completed} completed"
        )
        people = dict(
            Person.objects.filter(pk__in=[r.person_id for r in computed]).values_list(
                "pk", "staff_code"
            )
        )
        for result in computed:
            why = "; ".join(result.reasons or [])
            self.stdout.write(
                f"  {people.get(result.person_id, '?'):<12} {result.outcome:<14} {why}"
            )
        if confirm:
            self.stdout.write(f"{len(confirmed)} results confirmed")

    def _needs(self, unit: Unit, year: SchoolYear, submitted: bool) -> None:
        needs = rollup.needs_read(unit=unit, school_year=year, include_submitted=submitted)
        forms = list(StudyForm.values)
        self.stdout.write(
            f"{unit.code} {year.code}: {needs.plans} plans ({', '.join(needs.statuses)})"
        )
        self.stdout.write(
            f"  {'prog':<4} {'code':<12} {'people':>6} {'women':>6} {'disadv':>6} "
            + " ".join(f"{f:>9}" for f in forms)
            + "  title"
        )
        for row in needs.rows:
            counts = " ".join(f"{row.by_form.get(f, rollup.Counts()).total:>9}" for f in forms)
            self.stdout.write(
                f"  {row.programme:<4} {row.code:<12} {row.people.total:>6} "
                f"{row.people.women:>6} {row.people.disadvantaged:>6} {counts}  {row.label}"
            )
