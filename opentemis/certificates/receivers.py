"""What the certificates app does on the events of the apps below it (imported once by
``apps.py``, which connects them): a completed course brings its module certificate, after
the commit."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from opentemis.certificates import services
from opentemis.learning.models import Enrolment
from opentemis.learning.signals import course_completed

logger = logging.getLogger(__name__)


def on_course_completed(sender: Any, *, enrolment: Enrolment, **kwargs: Any) -> None:
    """Issue the module certificate once the completion is committed (``on_commit`` runs at
    once when no transaction is open, as when the ledger posting sends the signal). Idempotent:
    the signal comes again on a retry of the posting."""
    pk = enrolment.pk

    def issue() -> None:
        try:
            services.certificate_issue_for_enrolment(enrolment_pk=pk)
        except Exception:
            # The completion stands; the backfill (``issue_certificates``) issues it later.
            logger.exception("certificate of enrolment %s could not be issued", pk)

    transaction.on_commit(issue)


course_completed.connect(on_course_completed, dispatch_uid="certificates-course-completed")
