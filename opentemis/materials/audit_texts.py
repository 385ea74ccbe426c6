"""What events of course materials say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "materials.page_save": Sentence(
            _("%(actor)s saved the page %(object)s."), labels={"characters": _("Characters")}
        ),
        "materials.asset_upload": Sentence(
            _("%(actor)s uploaded a file to %(object)s."),
            labels={"name": _("File name"), "size": _("Size (bytes)")},
        ),
        "materials.asset_delete": Sentence(
            _("%(actor)s deleted a file of %(object)s."), labels={"name": _("File name")}
        ),
        "materials.video_upload": Sentence(
            _("%(actor)s uploaded the video of %(object)s."),
            labels={"size": _("Size (bytes)"), "duration": _("Duration (seconds)")},
        ),
    }
)
