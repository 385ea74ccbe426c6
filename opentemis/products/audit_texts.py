"""What events of the final product say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "products.product_save": Sentence(
            _("%(actor)s changed the final product %(object)s."),
            labels={"criteria": _("Criteria of the rubric")},
        ),
        "products.submit": Sentence(
            _("%(actor)s handed in a final product (%(object)s)."),
            labels={"number": _("Submission"), "revision": _("Version")},
        ),
        "products.grade": Sentence(
            _("%(actor)s graded a final product (%(object)s)."),
            labels={"status": _("Result"), "score": _("Score")},
        ),
        "products.regrade": Sentence(
            _("%(actor)s changed the grade of a final product (%(object)s)."),
            labels={"status": _("Result"), "score": _("Score")},
        ),
    }
)
