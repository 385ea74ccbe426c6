"""Writes on the unit tree: create, update, move. Each is atomic and audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import grants_changed, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold, nfc
from opentemis.orgs.models import SchoolLevel, Unit, UnitMove, UnitStatus
from opentemis.orgs.signals import units_moved


def _level_objects(levels: Iterable[str]) -> list[SchoolLevel]:
    codes = {c.strip().upper() for c in levels if c and c.strip()}
    found = list(SchoolLevel.objects.filter(code__in=codes))
    if len(found) != len(codes):
        unknown = sorted(codes - {lvl.code for lvl in found})
        raise ValidationError(
            _("Unknown school level(s): %(codes)s") % {"codes": ", ".join(unknown)}
        )
    return found


@transaction.atomic
def unit_create(
    *,
    actor: User,
    parent: Unit | None,
    code: str,
    name: str,
    kind: str,
    levels: Iterable[str] = (),
    disadvantaged_area: bool = False,
) -> Unit:
    if parent is None:
        if not actor.is_superuser:
            raise ValidationError(_("Only a system administrator can create a top-level unit."))
    else:
        require_perm_on(actor, Perm.CHANGE_UNITS, parent.path)
    fields = {
        "code": nfc(code).upper(),
        "name": nfc(name),
        "search_name": fold(name),
        "kind": kind,
        "disadvantaged_area": disadvantaged_area,
    }
    level_objs = _level_objects(levels)
    # treebeard computes the new path from the last sibling, which must be seen unscoped.
    with system_scope():
        if Unit.objects.filter(code=fields["code"]).exists():
            raise ValidationError(
                _("Unit code %(code)s already exists.") % {"code": fields["code"]}
            )
        unit: Unit = (
            Unit.objects.add_root(fields)
            if parent is None
            else Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)
        )
        unit.levels.set(level_objs)
    audit(actor=actor, action="unit.create", unit=unit, obj=unit, changes={"after": fields})
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: User,
    unit: Unit,
    name: str,
    kind: str,
    levels: Iterable[str],
    disadvantaged_area: bool,
    status: str,
) -> Unit:
    require_perm_on(actor, Perm.CHANGE_UNITS, unit.path)
    before = {
        "name": unit.name,
        "kind": unit.kind,
        "disadvantaged_area": unit.disadvantaged_area,
        "status": unit.status,
        "levels": sorted(unit.levels.values_list("code", flat=True)),
    }
    unit.name = nfc(name)
    unit.search_name = fold(name)
    unit.kind = kind
    unit.disadvantaged_area = disadvantaged_area
    unit.status = status if status in UnitStatus.values else unit.status
    unit.save()
    unit.levels.set(_level_objects(levels))
    after = {
        "name": unit.name,
        "kind": unit.kind,
        "disadvantaged_area": unit.disadvantaged_area,
        "status": unit.status,
        "levels": sorted(unit.levels.values_list("code", flat=True)),
    }
    audit(
        actor=actor,
        action="unit.update",
        unit=unit,
        obj=unit,
        changes={"before": before, "after": after},
    )
    return unit


@transaction.atomic
def units_move(*, actor: User, units: list[Unit], new_parent: Unit, reason: str = "") -> uuid.UUID:
    """Re-parent ``units`` (with their subtrees, staff and history) under ``new_parent``.

    One action, one transaction, one batch id: e.g. every school of an abolished district
    office moved to the Sở on 1/7/2025. Staff follow because they point at the unit, not at a
    path (their copy of the path is rewritten on :data:`orgs.signals.units_moved`); each move is
    recorded in ``UnitMove``.
    """
    require_perm_on(actor, Perm.MOVE_UNITS, new_parent.path)
    batch = uuid.uuid4()
    for unit in units:
        require_perm_on(actor, Perm.MOVE_UNITS, unit.path)
        if new_parent.path.startswith(unit.path):
            raise ValidationError(
                _("%(unit)s cannot be moved under itself or its own sub-unit.")
                % {"unit": unit.name}
            )
    with system_scope():
        for unit in units:
            fresh = Unit.objects.get(pk=unit.pk)
            target = Unit.objects.get(pk=new_parent.pk)
            old_parent = Unit.objects.get_parent(fresh)
            if old_parent is not None and old_parent.pk == target.pk:
                continue
            old_path = fresh.path
            Unit.objects.move(fresh, target, pos="last-child")
            fresh.refresh_from_db()
            # Role grants on the moved subtree now hold other paths: stored grants are stale.
            grants_changed(roles__unit__path__startswith=fresh.path)
            UnitMove.objects.create(
                unit=fresh,
                old_parent=old_parent,
                new_parent=target,
                old_path=old_path,
                new_path=fresh.path,
                batch=batch,
                reason=nfc(reason),
                moved_by=actor,
            )
            audit(
                actor=actor,
                action="unit.move",
                unit=fresh,
                obj=fresh,
                changes={
                    "from": old_parent.name if old_parent else None,
                    "to": target.name,
                    "reason": reason,
                },
            )
        # Apps keeping a copy of unit paths (staff) rewrite theirs, in this transaction.
        units_moved.send(sender=Unit, prefix=new_parent.path)
    return batch
