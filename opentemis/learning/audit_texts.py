"""What events of courses say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register

register(
    actions={
        "learning.course_create": Sentence(
            _("%(actor)s created the course %(object)s."),
            labels={"code": _("Code"), "title": _("Title")},
        ),
        "learning.course_update": Sentence(
            _("%(actor)s changed the course %(object)s."),
            labels={
                "title": _("Title"),
                "summary": _("Summary"),
                "hours": _("Periods"),
                "starts": _("Opens"),
                "due": _("Deadline"),
                "audience": _("Audience"),
                "completion_rule": _("Completion rule"),
            },
        ),
        "learning.course_open": Sentence(_("%(actor)s opened the course %(object)s.")),
        "learning.course_close": Sentence(_("%(actor)s closed the course %(object)s.")),
        "learning.deadline_set": Sentence(
            _("%(actor)s set a deadline of the course %(object)s."),
            labels={"due": _("Deadline")},
        ),
        "learning.grader_set": Sentence(
            _("%(actor)s named a grader of the course %(object)s."),
            labels={"user": _("Grader"), "unit": _("Unit")},
        ),
        "learning.enrol": Sentence(
            _("%(actor)s enrolled a person in the course %(object)s."),
            labels={"person": _("Person")},
        ),
    }
)
