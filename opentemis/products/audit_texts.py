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
        "products.claim": Sentence(
            _("%(actor)s claimed a final product from the overflow pool (%(object)s)."),
            labels={"lease_expires": _("Held until"), "previous": _("Previously held by")},
        ),
        "products.release": Sentence(
            _("%(actor)s gave a claimed final product back to the pool (%(object)s)."),
            labels={"holder": _("Held by")},
        ),
        "products.appeal": Sentence(
            _("%(actor)s appealed the grade of a final product (%(object)s)."),
            labels={"reason": _("Reason")},
        ),
        "products.second_mark": Sentence(
            _("%(actor)s second-marked a final product (%(object)s)."),
            labels={"passed": _("Passed"), "agrees": _("Agrees with the first grade")},
        ),
        "products.appeal_decide": Sentence(
            _("%(actor)s decided the appeal of a final product (%(object)s)."),
            labels={"decision": _("Decision"), "first": _("First grade")},
        ),
    }
)
