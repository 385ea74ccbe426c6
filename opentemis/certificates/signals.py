"""Events of the certificates app for the apps above it (notifications), sent after the
commit (``transaction.on_commit``) and robustly.

``certificate_issued(sender=Certificate, certificate, actor)``: a certificate was issued (or
re-issued after a correction): its holder may be told. Receivers are idempotent (notices by
the certificate's key).
"""

from __future__ import annotations

import logging

from django import dispatch
from django.db import transaction

from opentemis.accounts.models import User
from opentemis.certificates.models import Certificate

logger = logging.getLogger(__name__)

certificate_issued = dispatch.Signal()


def send_after_commit(
    signal: dispatch.Signal, certificate: Certificate, actor: User | None
) -> None:
    def send() -> None:
        for receiver, outcome in signal.send_robust(
            sender=Certificate, certificate=certificate, actor=actor
        ):
            if isinstance(outcome, Exception):
                logger.error("certificates signal receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
