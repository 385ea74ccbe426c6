"""What events of the forum say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register
from opentemis.forums.models import Grouping

POST = {"post": _("Post")}

register(
    actions={
        "forums.forum_save": Sentence(
            _("%(actor)s changed the forum %(object)s."),
            labels={"grouping": _("Groups"), "min_posts": _("Posts needed")},
            formats={"grouping": lambda value: str(dict(Grouping.choices).get(value, value))},
        ),
        "forums.answer_mark": Sentence(
            _("%(actor)s marked the answer of the question %(object)s."), labels=POST
        ),
        "forums.answer_unmark": Sentence(
            _("%(actor)s unmarked the answer of the question %(object)s."), labels=POST
        ),
        "forums.post_hide": Sentence(
            _("%(actor)s hid a post of the question %(object)s."), labels=POST
        ),
        "forums.post_show": Sentence(
            _("%(actor)s showed again a post of the question %(object)s."), labels=POST
        ),
        "forums.thread_lock": Sentence(_("%(actor)s closed the question %(object)s.")),
        "forums.thread_unlock": Sentence(_("%(actor)s reopened the question %(object)s.")),
        "forums.thread_hide": Sentence(_("%(actor)s hid the question %(object)s.")),
        "forums.thread_show": Sentence(_("%(actor)s showed again the question %(object)s.")),
    }
)
