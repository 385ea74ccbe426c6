"""Events of the learning core for the apps above it (notifications), sent after the commit.

``course_completed(sender=Enrolment, enrolment, entry)``: a learner completed a course and its
periods were posted to their BDTX ledger (``entry``). Sent each time the posting is asked for
(a retry too): receivers are idempotent (notices by the event's key).
"""

from __future__ import annotations

import logging

from django import dispatch

from opentemis.learning.models import Enrolment
from opentemis.plans.models import LedgerEntry

logger = logging.getLogger(__name__)

course_completed = dispatch.Signal()


def send_course_completed(enrolment: Enrolment, entry: LedgerEntry) -> None:
    for receiver, outcome in course_completed.send_robust(
        sender=Enrolment, enrolment=enrolment, entry=entry
    ):
        if isinstance(outcome, Exception):
            logger.error("course_completed receiver %r failed", receiver, exc_info=outcome)
