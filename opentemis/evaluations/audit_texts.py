"""What cycle and evaluation events say, in the audit log and in an evaluation's history
(see accounts/audit_text.py). Levels are named by the rating engine (standards/rules.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, person_name, register
from opentemis.accounts.models import User
from opentemis.evaluations.models import Evaluation, EvaluatorKind
from opentemis.orgs.models import SchoolLevel
from opentemis.staff.models import Position
from opentemis.standards.rules import Level


def level_name(code: Any) -> str:
    try:
        return Level.from_code(code).label
    except KeyError:
        return str(code)


def _by_criterion(say: Callable[[Any], str]) -> Callable[[Any], str]:
    def by_criterion(values: Any) -> str:
        if not isinstance(values, dict):
            return say(values)
        items = sorted(values.items(), key=lambda kv: int(kv[0]) if str(kv[0]).isdigit() else 0)
        return "; ".join(
            gettext("criterion %(n)s: %(value)s") % {"n": k, "value": say(v)} for k, v in items
        )

    return by_criterion


def _text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _reviewer(username: Any) -> str:
    user = User.objects.filter(username=username).select_related("person").first()
    return person_name(user) if user is not None else str(username)


def _evaluations(ids: list[str]) -> dict[str, str]:
    rows = Evaluation.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {str(pk): name for pk, name in rows.values_list("pk", "person__full_name")}


register(
    actions={
        "cycle.open": Sentence(
            _("%(actor)s opened the evaluation cycle %(object)s."),
            labels={"deadlines": _("Deadlines")},
        ),
        "cycle.finish": Sentence(
            _("%(actor)s closed the evaluation cycle %(object)s."),
            labels={"frameworks": _("Standards locked")},
        ),
        "evaluation.start": Sentence(
            _("%(actor)s started the self-evaluation of %(object)s."),
            _("%(actor)s started the self-evaluation."),
        ),
        "evaluation.draft": Sentence(
            _("%(actor)s saved the draft self-evaluation of %(object)s."),
            _("%(actor)s saved the draft."),
        ),
        "evaluation.submit": Sentence(
            _("%(actor)s submitted the self-evaluation of %(object)s."),
            _("%(actor)s submitted the self-evaluation."),
        ),
        "evaluation.evidence_attach": Sentence(
            _("%(actor)s attached evidence to criterion %(criterion)s of %(object)s."),
            _("%(actor)s attached evidence to criterion %(criterion)s."),
        ),
        "evaluation.evidence_detach": Sentence(
            _("%(actor)s removed evidence from criterion %(criterion)s of %(object)s."),
            _("%(actor)s removed evidence from criterion %(criterion)s."),
        ),
        "evaluation.opinion": Sentence(
            _("%(actor)s gave an opinion on the self-evaluation of %(object)s."),
            _("%(actor)s gave an opinion."),
        ),
        "evaluation.review": Sentence(
            _("%(actor)s saved the review of %(object)s."),
            _("%(actor)s saved the review."),
        ),
        "evaluation.return": Sentence(
            _("%(actor)s returned the self-evaluation of %(object)s for revision."),
            _("%(actor)s returned the self-evaluation for revision."),
        ),
        "evaluation.finalise": Sentence(
            _("%(actor)s finalised the evaluation of %(object)s: %(final_rating)s."),
            _("%(actor)s finalised the evaluation: %(final_rating)s."),
        ),
        "evaluation.acknowledge": Sentence(
            _("%(actor)s acknowledged the result of %(object)s."),
            _("%(actor)s acknowledged the result."),
        ),
        "evaluation.reopen": Sentence(
            _("%(actor)s reopened the finalised evaluation of %(object)s."),
            _("%(actor)s reopened the finalised evaluation."),
        ),
        # The audit of reads (accounts/read_audit.py, decision 0012): forms printed of others.
        "reads.evaluation_form": Sentence(
            _("%(actor)s downloaded the form %(form)s (%(format)s)."),
            labels={"ids": _("Evaluation ids"), "form": _("Form"), "format": _("File type")},
            formats={"format": lambda v: str(v).upper()},
        ),
        "reads.evaluation_forms_all": Sentence(
            _("%(actor)s started printing every evaluation form of %(object)s."),
            labels={"job": _("Job")},
        ),
        "reads.paper_template": Sentence(
            _(
                "%(actor)s downloaded the paper-evaluation template of %(object)s, with its "
                "staff's names."
            )
        ),
        "evaluation.paper_import": Sentence(
            _("%(actor)s entered the paper evaluation of %(object)s from a file."),
            _("%(actor)s entered the paper evaluation from a file."),
            labels={"file": _("File"), "sheet": _("Sheet"), "row": _("Row")},
        ),
    },
    labels={
        "self_levels": _("Self-evaluated levels"),
        "self_notes": _("Notes per criterion"),
        "self_rating": _("Self-evaluated rating"),
        "review_levels": _("Reviewed levels"),
        "review_comments": _("Reviewer's comments per criterion"),
        "final_rating": _("Final rating"),
        "priority_criteria": _("Criteria to improve first"),
        "submitted_at": _("Submitted at"),
        "finalised_at": _("Finalised at"),
        "acknowledged_at": _("Acknowledged at"),
        "returned_reason": _("Reason for returning"),
        "reviewer": _("Reviewer"),
        "level": _("Level"),
        "status": _("Status"),
        "criterion": _("Criterion"),
        "evidence": _("Evidence item"),
        "paper": _("Paper form"),
        "written_rating": _("Rating written on paper"),
    },
    values={
        "self_levels": _by_criterion(level_name),
        "review_levels": _by_criterion(level_name),
        "self_notes": _by_criterion(_text),
        "review_comments": _by_criterion(_text),
        "self_rating": level_name,
        "final_rating": level_name,
        "level": level_name,
        "written_rating": level_name,
        "reviewer": _reviewer,
    },
    objects={"evaluations.evaluation": _evaluations},
)


# Who evaluates managers (evaluator_rules.py): national configuration, hence its standards.* codes.
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
