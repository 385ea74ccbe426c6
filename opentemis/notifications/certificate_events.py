"""Notices about certificates (issue 14 item 5): the holder is told when a certificate is
issued to them (or re-issued after a correction), with the link to download it.

Never twice (the certificate's key), never to the actor (``events.notify``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.certificates.models import Certificate, CertificateKind
from opentemis.core.scoping import system_scope
from opentemis.notifications.events import notify, person_users
from opentemis.notifications.models import NoticeKind


def on_certificate_issued(
    sender: Any, *, certificate: Certificate, actor: User | None, **kwargs: Any
) -> None:
    with system_scope(), translation.override(settings.LANGUAGE_CODE):
        record = Certificate.objects.select_related("person").get(pk=certificate.pk)
        title = (
            _("A module completion certificate was issued to you")
            if record.kind == CertificateKind.MODULE
            else _("A programme completion certificate was issued to you")
        )
        notify(
            recipients=person_users([record.person_id]),
            kind=NoticeKind.LEARNING,
            key=f"certificates.issued:{record.pk}",
            title=title,
            body=str(record.snapshot.get("title", ""))[:300],
            url=reverse("certificates_mine"),
            unit_id=record.person.unit_id,
            actor_id=actor.pk if actor else None,
        )
