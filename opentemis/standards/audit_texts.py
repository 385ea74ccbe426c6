"""What events of the national configuration (frameworks, who evaluates managers) say in the
audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register
from opentemis.evaluations.models import EvaluatorKind
from opentemis.orgs.models import SchoolLevel
from opentemis.staff.models import Position


def _position(code: Any) -> str:
    name = Position.objects.filter(code=code).values_list("name", flat=True).first()
    return name or str(code)


def _level(code: Any) -> str:
    if code in ("", "*", None):
        return str(_("every school level"))
    name = SchoolLevel.objects.filter(code=code).values_list("name", flat=True).first()
    return name or str(code)


_RULE = {
    "position": _("Position"),
    "level": _("School level"),
    "evaluator": _("Evaluator"),
    "kind": _("Unit kind of the superior"),
}

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
        "standards.evaluator_rule_save": Sentence(
            _("%(actor)s set who evaluates %(position)s (%(level)s): %(evaluator)s."),
            labels=_RULE,
            formats={
                "position": _position,
                "level": _level,
                "evaluator": lambda v: str(dict(EvaluatorKind.choices).get(v, v)),
            },
        ),
        "standards.evaluator_rule_remove": Sentence(
            _("%(actor)s removed a rule on who evaluates managers.")
        ),
    },
)
