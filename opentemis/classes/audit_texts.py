"""What events of face-to-face classes say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register
from opentemis.classes.models import AttendanceStatus


def _status(value: object) -> str:
    labels = dict(AttendanceStatus.choices)
    return str(labels.get(str(value), value))


register(
    actions={
        "classes.class_update": Sentence(
            _("%(actor)s changed the face-to-face class %(object)s."),
            labels={
                "unit": _("Unit"),
                "attendance_min": _("Attendance threshold"),
                "code_minutes": _("Minutes a code stays valid"),
            },
        ),
        "classes.roster_fill": Sentence(
            _("%(actor)s filled the roster of the class %(object)s."),
            labels={"unit": _("Unit"), "members": _("Members")},
        ),
        "classes.member_add": Sentence(
            _("%(actor)s added a learner to the class %(object)s."),
            labels={"enrolment": _("Enrolment")},
        ),
        "classes.session_add": Sentence(
            _("%(actor)s added a session to the class %(object)s."),
            labels={"date": _("Date"), "periods": _("Periods")},
        ),
        "classes.session_cancel": Sentence(
            _("%(actor)s cancelled a session of the class %(object)s."),
            labels={"date": _("Date")},
        ),
        "classes.code_open": Sentence(
            _("%(actor)s opened an attendance code of the class %(object)s."),
            labels={"date": _("Date")},
        ),
        "classes.attendance_mark": Sentence(
            _("%(actor)s took attendance in the class %(object)s."),
            labels={"date": _("Date"), "enrolment": _("Enrolment"), "status": _("Attendance")},
            formats={"status": _status},
        ),
        "classes.class_close": Sentence(
            _("%(actor)s closed the class %(object)s and posted its hours."),
            labels={"posted": _("Entries posted")},
        ),
    }
)
