"""Events of the final product for the apps above this one (notifications: the lead wires
them), sent after the commit (``transaction.on_commit``) and robustly.

* ``product_submitted(sender=Submission, submission, actor)``: a learner handed in (or
  replaced a waiting submission): the graders may be told;
* ``product_graded(sender=Submission, submission, actor)``: a grader graded it: the learner
  may be told (``submission.status``: "passed" or "failed");
* ``appeal_lodged(sender=Submission, submission, actor)``: a learner appealed a Chưa đạt
  grade: the lecturers who second-mark it may be told;
* ``appeal_decided(sender=Submission, submission, actor)``: a lecturer decided it, finally:
  the learner may be told (``submission.appeal.status``);
* ``second_mark_differs(sender=Submission, submission, actor)``: a lecturer's second marking
  of the sample differs from the first grade: the first grader may be told.
"""

from __future__ import annotations

import logging

from django import dispatch
from django.db import transaction

from opentemis.accounts.models import User
from opentemis.products.models import Submission

logger = logging.getLogger(__name__)

product_submitted = dispatch.Signal()
product_graded = dispatch.Signal()
appeal_lodged = dispatch.Signal()
appeal_decided = dispatch.Signal()
second_mark_differs = dispatch.Signal()


def send_after_commit(signal: dispatch.Signal, submission: Submission, actor: User | None) -> None:
    def send() -> None:
        for receiver, outcome in signal.send_robust(
            sender=Submission, submission=submission, actor=actor
        ):
            if isinstance(outcome, Exception):
                logger.error("products signal receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
