"""What unit events say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register
from opentemis.orgs.models import SchoolLevel


def _levels(codes: Any) -> str:
    codes = codes if isinstance(codes, list) else [codes]
    names = dict(SchoolLevel.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(names.get(c, c) for c in codes) or "—"


register(
    actions={
        "unit.create": Sentence(_("%(actor)s created the unit %(object)s.")),
        "unit.update": Sentence(_("%(actor)s changed the unit %(object)s.")),
        "unit.move": Sentence(_("%(actor)s moved %(object)s from %(from)s to %(to)s.")),
    },
    labels={"from": _("From"), "to": _("To"), "levels": _("School levels")},
    values={"levels": _levels},
)
