"""Events of the forum for the apps above this one (notifications: the lead wires them), sent
after the commit and robustly.

``post_created(sender=Post, post, thread, actor, recipients)``: a question or a reply was
posted; ``recipients`` are the ids of the accounts to tell: the thread's author and everyone
who posted in it (visible posts), except the one who posted.
"""

from __future__ import annotations

import logging

from django import dispatch
from django.db import transaction

from opentemis.accounts.models import User
from opentemis.forums.models import Post, Thread

logger = logging.getLogger(__name__)

post_created = dispatch.Signal()


def send_post_created(post: Post, thread: Thread, actor: User, recipients: list[int]) -> None:
    def send() -> None:
        for receiver, outcome in post_created.send_robust(
            sender=Post, post=post, thread=thread, actor=actor, recipients=recipients
        ):
            if isinstance(outcome, Exception):
                logger.error("post_created receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
