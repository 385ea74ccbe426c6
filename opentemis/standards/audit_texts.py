"""What events of the national configuration of frameworks say in the audit log (see
accounts/audit_text.py; who evaluates managers: evaluations/audit_texts.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "standards.load": Sentence(
            _("%(actor)s loaded version %(version)s of the framework %(object)s."),
            labels={"version": _("Version")},
        ),
        "standards.apply": Sentence(
            _("%(actor)s applied the framework %(object)s in %(year)s."),
            labels={"levels": _("School levels")},
        ),
        "standards.application_remove": Sentence(
            _("%(actor)s removed the application of %(object)s in %(year)s.")
        ),
    },
)
