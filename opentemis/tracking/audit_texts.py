"""What events of the weekly progress say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "tracking.remind": Sentence(
            _("%(actor)s reminded the lagging schools of the weekly progress."),
            labels={
                "week": _("Week"),
                "scope": _("Courses"),
                "units": _("Lagging units"),
                "schools": _("Schools reminded"),
                "already_reminded": _("Already reminded this week"),
                "people": _("People reached"),
            },
        ),
        "tracking.snapshot": Sentence(
            _("%(actor)s took the weekly progress snapshot again."),
            labels={"week": _("Week")},
        ),
    }
)
