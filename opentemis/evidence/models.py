"""Evidence (minh chứng): a person's library of files and links, reused across criteria and years.

Files are stored once by content hash (:class:`StoredFile`) through Django's storage API (a local
folder by default, S3-compatible in production); an :class:`Evidence` item is the owner's entry
pointing at a stored file or at a link. Evaluations link evidence items to criteria
(``evaluations.EvidenceLink``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager
from opentemis.evidence.validation import BY_CONTENT_TYPE


def _stored_file_path(instance: StoredFile, filename: str) -> str:
    # Content-addressed: the name says nothing about the owner or the original file name.
    digest = instance.sha256
    return f"evidence/{digest[:2]}/{digest[2:4]}/{digest}"


class StoredFile(models.Model):
    """Bytes of an uploaded evidence file, stored once per SHA-256.

    Not org-scoped and never listed: it is reached only through an :class:`Evidence` item the
    actor may open (see ``evidence.selectors``).
    """

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=_stored_file_path, max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} B)"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Evidence(models.Model):
    """One item of a person's evidence library: an uploaded file or a link."""

    owner = models.ForeignKey(
        "staff.Person", on_delete=models.CASCADE, related_name="evidence_items"
    )
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=255)
    stored_file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    original_name = models.CharField(max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Visible to whoever may see the owner now; selectors narrow further (owner or evaluator).
    objects = ScopedManager("owner__unit_path")

    #: Not a field: set by the library's writes (evidence.services) to say that the upload or
    #: link was already in the owner's library and this is that item, unchanged.
    reused: bool = False

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="file", stored_file__isnull=False))
                | (models.Q(kind="link") & ~models.Q(url="")),
                name="evidence_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def type_label(self) -> str:
        """What the stored file is ("PDF", "Word" ...), by the type found in its bytes ("" for
        a link or an unknown type)."""
        kind = BY_CONTENT_TYPE.get(self.stored_file.content_type if self.stored_file else "")
        return kind.label if kind else ""
