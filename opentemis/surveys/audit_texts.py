"""What events of the satisfaction survey say in the audit log (see accounts/audit_text.py).
The answers are never recorded: the survey is anonymous."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "surveys.response_submit": Sentence(_("%(actor)s answered the survey %(object)s.")),
    }
)
