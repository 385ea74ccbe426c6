"""The xlsx of initial passwords handed to a unit after bulk provisioning."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from opentemis.accounts.services import ProvisionedAccount


def provisioned_accounts_xlsx(accounts: Iterable[ProvisionedAccount], *, unit_name: str) -> bytes:
    wb = Workbook()
    ws = wb.active
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
