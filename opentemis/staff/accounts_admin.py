"""Bulk provisioning: an account for every working staff member of a unit who has none, and the
xlsx of initial passwords handed to the unit (docs/decisions/0003-initial-passwords.md).

In the staff app, above accounts: it reads staff records to create the accounts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.permissions import require_perm_on
from opentemis.accounts.roles import Perm, Role
from opentemis.accounts.services import audit, generate_password
from opentemis.orgs.models import Unit
from opentemis.staff.models import EmploymentStatus, Person

PROVISION_SYNC_LIMIT = 3000


@dataclass
class ProvisionedAccount:
    staff_code: str
    full_name: str
    unit_name: str
    username: str
    password: str


def _default_role(person: Person) -> str:
    codes = {p.code for p in person.positions.all()}
    if "HT" in codes:
        return Role.PRINCIPAL
    return Role.TEACHER


@transaction.atomic
def accounts_provision(
    *, actor: User, unit: Unit, limit: int | None = PROVISION_SYNC_LIMIT
) -> list[ProvisionedAccount]:
    """Create an account for every working staff member of ``unit``'s subtree who has none.

    Username = staff code; a random initial password, returned once (for the xlsx) and stored
    hashed; the user must change it at first login. Principals get the principal role on their
    school, everybody else the teacher role on their unit.
    """
    require_perm_on(actor, Perm.MANAGE_ACCOUNTS, unit.path)
    people = (
        Person.objects.filter(
            unit_path__startswith=unit.path,
            employment_status=EmploymentStatus.WORKING,
            user__isnull=True,
        )
        .select_related("unit")
        .prefetch_related("positions")
        .order_by("unit_path", "search_text")
    )
    total = people.count()
    if limit is not None and total > limit:
        raise ValidationError(
            _(
                "%(count)s people at once is too many for one request: provision a smaller unit, "
                "or run `opentemis provision_accounts --unit %(code)s`."
            )
            % {"count": total, "code": unit.code}
        )
    # Usernames are unique whatever their case (a constraint on Lower(username)).
    taken = set(
        User.objects.annotate(login=Lower("username"))
        .filter(login__in=[p.staff_code.lower() for p in people])
        .values_list("login", flat=True)
    )
    results: list[ProvisionedAccount] = []
    users: list[User] = []
    for person in people:
        if person.staff_code.lower() in taken:
            continue
        taken.add(person.staff_code.lower())
        password = generate_password()
        users.append(
            User(
                username=person.staff_code,
                first_name=person.full_name[:150],
                email=person.email,
                person=person,
                must_change_password=True,
                password=make_password(password, hasher="pbkdf2_initial"),
            )
        )
        results.append(
            ProvisionedAccount(
                person.staff_code, person.full_name, person.unit.name, person.staff_code, password
            )
        )
    created = User.objects.bulk_create(users, batch_size=500)
    # bulk_create returns primary keys on PostgreSQL and SQLite (3.35+).
    by_username = {u.username: u for u in created}
    grants = []
    for person in people:
        user = by_username.get(person.staff_code)
        if user is None:
            continue
        grants.append(
            RoleAssignment(
                user=user, role=_default_role(person), unit=person.unit, granted_by=actor
            )
        )
    RoleAssignment.objects.bulk_create(grants, batch_size=500, ignore_conflicts=True)
    audit(
        actor=actor,
        action="accounts.provision",
        unit=unit,
        obj=unit,
        changes={"created": len(results)},
    )
    return results


def provisioned_accounts_xlsx(accounts: Iterable[ProvisionedAccount], *, unit_name: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on its one worksheet
    ws.title = _("Accounts")[:31]
    ws.append([_("Initial accounts of %(unit)s") % {"unit": unit_name}])
    ws.append([_("Each person must change the password at first sign-in. Keep this file private.")])
    header = [
        _("No."),
        _("Staff code"),
        _("Full name"),
        _("Unit"),
        _("Username"),
        _("Initial password"),
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for i, acc in enumerate(accounts, start=1):
        ws.append([i, acc.staff_code, acc.full_name, acc.unit_name, acc.username, acc.password])
    for col, width in zip("ABCDEF", (6, 16, 32, 36, 16, 18), strict=True):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
