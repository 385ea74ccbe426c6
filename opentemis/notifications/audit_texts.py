"""What reminder events say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register


def _rates(rates: Any) -> str:
    if not isinstance(rates, dict):
        return str(rates)
    return "; ".join(
        f"{code}: {'—' if rate is None else number_format(rate, decimal_pos=1) + ' %'}"
        for code, rate in rates.items()
    )


register(
    actions={
        "reports.remind": Sentence(
            _("%(actor)s sent a reminder: %(notices)s notices, %(emails)s emails."),
            labels={
                "units": _("Units reminded"),
                "no_recipient": _("Units with nobody to remind"),
                "rates": _("Completion when reminded"),
                "notices": _("Notices"),
                "emails": _("Emails"),
                "forced": _("Sent again within the waiting time"),
            },
            formats={"rates": _rates},
        ),
    },
)
