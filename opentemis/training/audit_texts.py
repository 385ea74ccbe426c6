"""What events of the BDTX reference data say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "training.catalogue_load": Sentence(
            _("%(actor)s loaded version %(version)s of the catalogue %(object)s."),
            labels={"version": _("Version")},
        ),
        "training.requirements_load": Sentence(
            _("%(actor)s loaded the BDTX requirements of %(object)s."),
            labels={"count": _("Number")},
        ),
        "training.catalogue_lock": Sentence(_("%(actor)s locked the catalogue %(object)s.")),
        "training.catalogue_in_use": Sentence(
            _("The catalogue %(object)s was locked: a plan submitted by %(actor)s uses it.")
        ),
        "training.catalogue_new_version": Sentence(
            _("%(actor)s created the catalogue version %(object)s."),
            labels={"based_on": _("Based on version")},
        ),
        "training.module_update": Sentence(_("%(actor)s changed the module %(object)s.")),
        "training.content_add": Sentence(_("%(actor)s added the programme-02 content %(object)s.")),
        "training.content_update": Sentence(
            _("%(actor)s changed the programme-02 content %(object)s.")
        ),
        "training.content_delete": Sentence(
            _("%(actor)s removed the programme-02 content %(object)s.")
        ),
    },
)
