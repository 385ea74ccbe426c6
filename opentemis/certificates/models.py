"""Certificates (issue 14 item 5; bdtx.md R9, R10; decision 0023).

* :class:`Issuer`: a unit configured to issue certificates (the ministry, a Sở, a training
  institution), with what is printed (its name, the agency above it, the signer, the place)
  and its template (wording, colours, optional logo and signature images). The certificate of
  a course is issued by the nearest active issuer at or above the course's unit.
* :class:`ProgrammeDefinition`: a programme an issuer certifies for a school year: the course
  codes whose module certificates (of that issuer, that year) make the programme.
* :class:`Certificate`: one issued certificate, a module's (Chứng nhận hoàn thành mô đun) or a
  programme's (Chứng chỉ hoàn thành chương trình), with a unique unguessable code and a
  snapshot of everything printed. Issued once: at most one *valid* certificate per person and
  course (or programme), a database constraint; a correction re-issues it (a new code, the old
  one ``replaced``), a revocation keeps the row with its reason (R10). The holder's unit path
  at issue makes it a personal record, unit-scoped like an enrolment.

Designed after mod_customcert (an issue row with a generated code and a public verification
URL by code, carried by a QR code); none of its code is used.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager


def image_path(instance: Any, filename: str) -> str:
    """A random name: it says nothing about the issuer or the uploaded file."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"certificates/issuers/{uuid.uuid4().hex}.{ext}"


class Issuer(models.Model):
    """A unit that issues certificates, and its template (one per issuer).

    Not a personal record: what it holds is printed on every certificate it issues. Officers
    holding ``certificates.manage`` on the unit configure it."""

    unit = models.OneToOneField("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("issues certificates"), default=True)
    # What is printed, top left: the agency above (e.g. "UBND TỈNH ...") and the issuer's name.
    parent_name = models.CharField(_("agency above (printed)"), max_length=200, blank=True)
    name = models.CharField(_("name printed"), max_length=200)
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    place = models.CharField(_("place (printed before the date)"), max_length=80, blank=True)
    # The template: the wording of the title lines and of the body, colours, images.
    module_title = models.CharField(_("title of a module certificate"), max_length=80)
    module_subtitle = models.CharField(_("subtitle of a module certificate"), max_length=160)
    programme_title = models.CharField(_("title of a programme certificate"), max_length=80)
    programme_subtitle = models.CharField(_("subtitle of a programme certificate"), max_length=160)
    holder_label = models.CharField(_("label before the name"), max_length=80)
    body_text = models.CharField(_("line before what was completed"), max_length=200)
    accent_colour = models.CharField(_("colour of the title and border"), max_length=7)
    logo = models.FileField(upload_to=image_path, max_length=200, blank=True)
    signature = models.FileField(upload_to=image_path, max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return self.name


class ProgrammeDefinition(models.Model):
    """A programme an issuer certifies for a school year (Chứng chỉ hoàn thành chương trình,
    bdtx.md R9): done when the person holds a valid module certificate of this issuer, for
    that year, for every course code listed. Data the issuer configures, not code."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="programmes")
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    # Course codes (learning.Course.code), in the order printed.
    module_codes = models.JSONField(default=list)
    active = models.BooleanField(_("certified"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school_year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "school_year", "code"], name="one_programme_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CertificateKind(models.TextChoices):
    MODULE = "module", _("Module completion certificate")
    PROGRAMME = "programme", _("Programme completion certificate")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced by a re-issued certificate")


class Certificate(models.Model):
    """One issued certificate. ``snapshot`` holds what is printed, frozen at issue (the
    holder's name, date of birth and unit, what was completed, its hours, the date, the issuer
    and signer), so the PDF and the public page say the same thing years later whatever
    changes in the records; a correction is a re-issue."""

    code = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=9, choices=CertificateKind.choices)
    status = models.CharField(
        max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="certificates")
    person = models.ForeignKey("staff.Person", on_delete=models.CASCADE, related_name="+")
    # The holder's unit path at issue: a personal record, scoped like an enrolment.
    unit_path = models.CharField(max_length=255, editable=False)
    school_year = models.ForeignKey("orgs.SchoolYear", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        "learning.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    enrolment = models.ForeignKey(
        "learning.Enrolment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey(
        ProgrammeDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    snapshot = models.JSONField(default=dict)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Revoked or replaced: when, why, by whom; a replaced one points at its re-issue.
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    # The item it put in the holder's evidence library (a link to its verification page).
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course"],
                condition=models.Q(status="valid", kind="module"),
                name="one_valid_module_certificate",
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=models.Q(status="valid", kind="programme"),
                name="one_valid_programme_certificate",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="module", course__isnull=False))
                | models.Q(kind="programme", programme__isnull=False),
                name="certificate_of_something",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="certificate_person"),
            models.Index(fields=["issuer", "unit_path"], name="certificate_issuer_path"),
            models.Index(fields=["course", "unit_path"], name="certificate_course_path"),
        ]

    def __str__(self) -> str:
        # Shown in the audit log: in the interface's language.
        return gettext("certificate %(code)s") % {"code": self.code}

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID
