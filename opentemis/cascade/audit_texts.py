"""What events of the cascade say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register
from opentemis.cascade.conditions import CONDITION_NAMES
from opentemis.cascade.models import SupportForm, SupportPlanStatus
from opentemis.staff.models import CoreKind


def _kind(value: Any) -> str:
    return str(dict(CoreKind.choices).get(value, value))


def _conditions(value: Any) -> str:
    codes = value if isinstance(value, list) else [value]
    return ", ".join(str(CONDITION_NAMES.get(c, c)) for c in codes) or "—"


def _status(value: Any) -> str:
    return str(dict(SupportPlanStatus.choices).get(value, value))


def _form(value: Any) -> str:
    return str(dict(SupportForm.choices).get(value, value))


register(
    actions={
        "cascade.core_designate": Sentence(
            _("%(actor)s designated %(object)s core staff."),
            labels={
                "year": _("School year"),
                "kind": _("Core staff kind"),
                "subject": _("Subject"),
                "level": _("School level"),
                "passed": _("All conditions met"),
                "failing": _("Conditions not met"),
                "override_reason": _("Reason for designating anyway"),
            },
            formats={"kind": _kind, "failing": _conditions},
        ),
        "cascade.core_revoke": Sentence(
            _("%(actor)s ended the core staff designation of %(object)s."),
            labels={"year": _("School year")},
        ),
        "cascade.caseload_balance": Sentence(
            _("%(actor)s assigned the mass teachers of %(object)s to core teachers."),
            labels={
                "year": _("School year"),
                "assigned": _("Assigned"),
                "unassigned": _("Left unassigned"),
                "cores": _("Core teachers"),
            },
        ),
        "cascade.caseload_assign": Sentence(
            _("%(actor)s assigned %(object)s to a core teacher by hand."),
            labels={"year": _("School year"), "core": _("Core teacher"), "reason": _("Reason")},
        ),
        "cascade.caseload_move": Sentence(
            _("%(actor)s moved the colleagues of %(object)s to another core teacher."),
            labels={
                "year": _("School year"),
                "to": _("To"),
                "moved": _("Moved"),
                "reason": _("Reason"),
            },
        ),
        "cascade.caseload_upload": Sentence(
            _("%(actor)s uploaded the caseloads of %(object)s."),
            labels={"year": _("School year"), "created": _("Created"), "moved": _("Moved")},
        ),
        "cascade.support_plan": Sentence(
            _("%(actor)s saved the peer-support plan of %(object)s."),
            labels={"year": _("School year"), "status": _("Status")},
            formats={"status": _status},
        ),
        "cascade.support_activity": Sentence(
            _("%(actor)s recorded a support activity of %(object)s."),
            labels={
                "year": _("School year"),
                "date": _("Date"),
                "form": _("Form"),
                "colleagues": _("Colleagues"),
            },
            formats={"form": _form},
        ),
    }
)
