"""What events of the certificates app say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

_LABELS = {
    "code": _("Code"),
    "new_code": _("New code"),
    "reason": _("Reason"),
    "kind": _("Kind of certificate"),
    "title": _("Title"),
    "person": _("Holder"),
}

register(
    actions={
        "certificates.issue": Sentence(_("%(actor)s issued %(object)s."), labels=_LABELS),
        "certificates.reissue": Sentence(
            _("%(actor)s re-issued %(object)s after a correction."), labels=_LABELS
        ),
        "certificates.revoke": Sentence(_("%(actor)s revoked %(object)s."), labels=_LABELS),
        "certificates.issuer_save": Sentence(
            _("%(actor)s changed the certificate issuer %(object)s."),
            labels={
                "name": _("Name printed"),
                "active": _("Issues certificates"),
                "created": _("New"),
            },
        ),
        "certificates.programme_save": Sentence(
            _("%(actor)s changed the certified programme %(object)s."),
            labels={"code": _("Code"), "modules": _("Modules"), "active": _("Certified")},
        ),
    }
)
