"""Roles and what each allows. A role is granted on a unit and covers its whole subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    UNIT_OFFICER = "unit_officer", _("Unit officer")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    PRINCIPAL = "principal", _("Principal")
    TEACHER = "teacher", _("Teacher")
    CORE_TEACHER = "core_teacher", _("Core teacher")
    LECTURER = "lecturer", _("Lecturer")
    VIEWER = "viewer", _("Read-only viewer")


class Perm:
    VIEW_UNITS = "units.view"
    MOVE_UNITS = "units.move"
    CHANGE_UNITS = "units.change"
    VIEW_STAFF = "staff.view"
    CHANGE_STAFF = "staff.change"
    IMPORT_STAFF = "staff.import"
    MANAGE_ACCOUNTS = "accounts.manage"
    VIEW_AUDIT = "audit.view"


_ALL = {
    Perm.VIEW_UNITS,
    Perm.MOVE_UNITS,
    Perm.CHANGE_UNITS,
    Perm.VIEW_STAFF,
    Perm.CHANGE_STAFF,
    Perm.IMPORT_STAFF,
    Perm.MANAGE_ACCOUNTS,
    Perm.VIEW_AUDIT,
}
_SCHOOL_MANAGE = {
    Perm.VIEW_UNITS,
    Perm.VIEW_STAFF,
    Perm.CHANGE_STAFF,
    Perm.IMPORT_STAFF,
    Perm.MANAGE_ACCOUNTS,
    Perm.VIEW_AUDIT,
}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(_ALL),
    Role.UNIT_OFFICER: frozenset(_ALL),
    Role.SCHOOL_ADMIN: frozenset(_SCHOOL_MANAGE),
    Role.PRINCIPAL: frozenset(_SCHOOL_MANAGE),
    Role.VIEWER: frozenset({Perm.VIEW_UNITS, Perm.VIEW_STAFF}),
    # Teachers, core teachers and lecturers see their own record; their work arrives with the
    # evaluation and training issues.
    Role.TEACHER: frozenset(),
    Role.CORE_TEACHER: frozenset(),
    Role.LECTURER: frozenset({Perm.VIEW_UNITS}),
}
