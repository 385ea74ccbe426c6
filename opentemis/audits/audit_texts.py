"""What the independent verification's events say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

_SAMPLE = {
    "year": _("School year"),
    "seed": _("Seed"),
    "size": _("Number of people"),
    "share": _("Share (%)"),
    "population": _("Completions in all"),
    "drawn": _("Drawn"),
    "ids": _("Enrolments drawn"),
}

register(
    actions={
        "audits.sample_draw": Sentence(
            _("%(actor)s drew a random sample of completions."), labels=_SAMPLE
        ),
        "audits.sample_export": Sentence(
            _("%(actor)s downloaded a random sample of completions."), labels=_SAMPLE
        ),
        "reads.audits_completions": Sentence(
            _("%(actor)s read the completions and their evidence (auditor).")
        ),
        "reads.audits_completion": Sentence(
            _("%(actor)s read the evidence of a completion of %(object)s (auditor)."),
            labels={"course": _("Course")},
        ),
        "reads.audits_product_file": Sentence(
            _("%(actor)s opened the file of a final product (auditor)."),
            labels={"enrolment": _("Enrolment")},
        ),
    }
)
