"""Evaluation cycles: an officer opens one over a unit's subtree for a school year, with the
deadlines of the steps, and finishes it when the year's evaluation is over."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.text import normalize_text
from opentemis.evaluations.models import Cycle, CycleStatus
from opentemis.orgs.models import SchoolYear, Unit, path_prefixes
from opentemis.standards.models import Framework
from opentemis.standards.services import framework_apply_defaults, framework_lock


def _check_dates(self_due: dt.date, opinions_due: dt.date, review_due: dt.date) -> None:
    if not self_due <= opinions_due <= review_due:
        raise ValidationError(
            _(
                "Deadlines must follow the steps: self-evaluation, then colleagues' opinions, "
                "then the review."
            )
        )


@transaction.atomic
def cycle_open(
    *,
    actor: User,
    unit: Unit,
    school_year: SchoolYear,
    name: str,
    self_due: dt.date,
    opinions_due: dt.date,
    review_due: dt.date,
) -> Cycle:
    """Open an evaluation cycle for ``school_year`` over ``unit``'s subtree."""
    if not has_perm_on(actor, Perm.MANAGE_CYCLES, unit.path):
        raise PermissionDenied
    _check_dates(self_due, opinions_due, review_due)
    overlapping = Cycle.objects.filter(school_year=school_year, status=CycleStatus.OPEN).filter(
        models.Q(unit_path__startswith=unit.path)
        | models.Q(unit_path__in=path_prefixes(unit.path, include_self=False))
    )
    if overlapping.exists():
        raise ValidationError(
            _("A cycle for %(year)s already covers part of this unit.") % {"year": school_year}
        )
    framework_apply_defaults(school_year=school_year)
    cycle: Cycle = Cycle.objects.create(
        school_year=school_year,
        unit=unit,
        unit_path=unit.path,
        name=normalize_text(name)[:200],
        self_due=self_due,
        opinions_due=opinions_due,
        review_due=review_due,
        opened_by=actor,
    )
    audit(
        actor=actor,
        action="cycle.open",
        unit=unit,
        obj=cycle,
        changes={"after": {"name": cycle.name, "deadlines": [self_due, opinions_due, review_due]}},
    )
    return cycle


@transaction.atomic
def cycle_finish(*, actor: User, cycle: Cycle) -> Cycle:
    """Close a cycle for good: nothing in it is edited, reviewed or reopened any more (a result
    can still be acknowledged: ``access.allowed_actions``), and the framework versions its
    evaluations used are locked, never to change or be deleted (decision 0005): the records
    keep the criteria and rules they were rated by.

    One transaction: the status, the locks and the audit row (which names the versions locked)
    are written together or not at all.
    """
    if not has_perm_on(actor, Perm.MANAGE_CYCLES, cycle.unit_path):
        raise PermissionDenied
    now = timezone.now()
    # Guarded by the status read in the same statement: two officers finishing at once finish
    # (and audit) once.
    finished = Cycle.objects.filter(pk=cycle.pk, status=CycleStatus.OPEN).update(
        status=CycleStatus.FINISHED, finished_at=now
    )
    if not finished:
        raise ValidationError(_("This cycle is already finished."))
    cycle.status, cycle.finished_at = CycleStatus.FINISHED, now
    used = Framework.objects.filter(evaluations__cycle=cycle).distinct().order_by("code", "version")
    locked = []
    for framework in used:
        framework_lock(framework=framework)
        locked.append(str(framework))
    audit(
        actor=actor,
        action="cycle.finish",
        unit_id=cycle.unit_id,
        obj=cycle,
        changes={"after": {"frameworks": locked}},
    )
    return cycle
