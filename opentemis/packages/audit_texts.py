"""What events of SCORM and H5P packages say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "packages.upload": Sentence(
            _("%(actor)s uploaded a learning package to the course %(object)s."),
            labels={"activity": _("Activity"), "standard": _("Standard")},
        ),
    }
)
