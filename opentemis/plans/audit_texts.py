"""What events of BDTX plans say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "plans.open": Sentence(
            _("%(actor)s opened the BDTX plan %(object)s (draft made from the evaluation)."),
            labels={
                "items": _("Items"),
                "suggested": _("Suggested modules"),
                "evaluation": _("Source evaluation"),
            },
        ),
        "plans.update": Sentence(_("%(actor)s changed the BDTX plan %(object)s.")),
        "plans.item_add": Sentence(
            _("%(actor)s added an item to the BDTX plan %(object)s."),
            labels={"item": _("Item"), "hours": _("Periods")},
        ),
        "plans.item_update": Sentence(_("%(actor)s changed an item of the BDTX plan %(object)s.")),
        "plans.item_remove": Sentence(
            _("%(actor)s removed an item from the BDTX plan %(object)s."),
            labels={"item": _("Item")},
        ),
        "plans.submit": Sentence(
            _("%(actor)s submitted the BDTX plan %(object)s."), labels={"late": _("Late")}
        ),
        "plans.approve": Sentence(_("%(actor)s approved the BDTX plan %(object)s.")),
        "plans.return": Sentence(
            _("%(actor)s returned the BDTX plan %(object)s."), labels={"reason": _("Reason")}
        ),
        "plans.change_request": Sentence(
            _("%(actor)s asked to change the approved BDTX plan %(object)s."),
            labels={"reason": _("Reason")},
        ),
        "plans.change_accept": Sentence(
            _("%(actor)s accepted a change of the BDTX plan %(object)s.")
        ),
        "plans.change_refuse": Sentence(
            _("%(actor)s refused a change of the BDTX plan %(object)s."),
            labels={"note": _("Reason")},
        ),
        "plans.deadline_set": Sentence(
            _("%(actor)s set the BDTX plan deadline %(object)s."), labels={"due": _("Deadline")}
        ),
        "plans.ledger_add": Sentence(
            _("%(actor)s added BDTX hours %(object)s (awaiting confirmation)."),
            labels={"programme": _("Programme"), "hours": _("Periods"), "date": _("Date")},
        ),
        "plans.ledger_record": Sentence(
            _("%(actor)s recorded BDTX hours %(object)s."),
            labels={"programme": _("Programme"), "hours": _("Periods"), "date": _("Date")},
        ),
        "plans.ledger_post": Sentence(
            _("A learning system posted BDTX hours %(object)s."),
            labels={"programme": _("Programme"), "hours": _("Periods"), "ref": _("Reference")},
        ),
        "plans.ledger_confirm": Sentence(_("%(actor)s confirmed BDTX hours %(object)s.")),
        "plans.ledger_reject": Sentence(
            _("%(actor)s rejected BDTX hours %(object)s."), labels={"reason": _("Reason")}
        ),
        "plans.ledger_dispute": Sentence(
            _("%(actor)s disputed BDTX hours %(object)s."), labels={"reason": _("Reason")}
        ),
        "plans.item_assess": Sentence(
            _("%(actor)s assessed an item of the BDTX plan %(object)s."),
            labels={"score": _("Score"), "passed": _("Passed")},
        ),
        "plans.result_compute": Sentence(
            _("%(actor)s computed the BDTX result %(object)s."), labels={"reasons": _("Reasons")}
        ),
        "plans.results_compute": Sentence(
            _("%(actor)s computed the BDTX results of %(object)s."),
            labels={"people": _("People"), "completed": _("Completed")},
        ),
        "plans.results_confirm": Sentence(
            _("%(actor)s confirmed the BDTX result %(object)s."), labels={"links": _("Linked")}
        ),
        "plans.result_evidence_link": Sentence(
            _("%(actor)s cited the BDTX result as evidence in the evaluation %(object)s."),
            labels={"criterion": _("Criterion")},
        ),
        # The audit of reads (accounts/read_audit.py, decision 0012).
        "reads.bdtx_results": Sentence(
            _("%(actor)s downloaded the BDTX results of %(object)s (%(format)s)."),
            labels={"ids": _("People"), "format": _("File type"), "school_year": _("School year")},
            formats={"format": lambda v: str(v).upper()},
        ),
        "reads.bdtx_ledger": Sentence(
            _("%(actor)s read the BDTX ledger of %(object)s."),
            labels={"school_year": _("School year")},
        ),
    },
)

# The school plan (plans/schoolplan.py).
register(
    actions={
        "plans.school_activity_add": Sentence(
            _("%(actor)s added an activity to the school BDTX plan %(object)s."),
            labels={"activity": _("Activity"), "month": _("Month")},
        ),
        "plans.school_activity_update": Sentence(
            _("%(actor)s changed an activity of the school BDTX plan %(object)s."),
            labels={"activity": _("Activity")},
        ),
        "plans.school_activity_remove": Sentence(
            _("%(actor)s removed an activity from the school BDTX plan %(object)s."),
            labels={"activity": _("Activity")},
        ),
        "plans.school_plan_report": Sentence(
            _("%(actor)s reported the school BDTX plan %(object)s to the superior."),
            labels={"late": _("Late")},
        ),
        "plans.school_plan_reopen": Sentence(
            _("%(actor)s reopened the school BDTX plan %(object)s."),
        ),
    },
)
