"""SCORM 1.2, SCORM 2004 and H5P packages played as course activities (issue 13 item 2;
decision 0019).

A :class:`Package` is the content of one ``learning.Activity`` of kind "scorm" or "h5p" (one to
one): the uploaded zip, checked (``validation.py``) and unpacked into the default storage under a
prefix of its own (``packages/<activity>/<random>/files/...``), with the zip itself kept beside
it (``source.zip``) for the module package export. Uploading again replaces it: a new prefix,
the old files removed after the commit.

A :class:`Runtime` is a learner's run-time data in a package: the SCORM CMI they committed
(flattened, only the keys ``cmi.py`` knows) or the H5P results they reported, and what it was
last reported as to ``learning.services.progress_record``. It carries the learner's unit path
and is unit-scoped like every personal record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager


class Standard(models.TextChoices):
    SCORM12 = "scorm12", "SCORM 1.2"
    SCORM2004 = "scorm2004", "SCORM 2004"
    H5P = "h5p", "H5P"


class Package(models.Model):
    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="package"
    )
    standard = models.CharField(max_length=9, choices=Standard.choices)
    title = models.CharField(_("title"), max_length=255, blank=True)
    # SCORM: the launch file (with its query string, if the manifest gives one), relative to
    # the package's root; H5P: "h5p.json".
    launch = models.CharField(max_length=1000)
    # H5P: the main library ("H5P.MultiChoice 1.16"); SCORM: the manifest's schema version.
    detail = models.CharField(max_length=255, blank=True)
    # Where its files are in the default storage: ``<prefix>files/<name>``, ``<prefix>source.zip``.
    prefix = models.CharField(max_length=200)
    # The names of its files (normalised, relative to the root): what the file route serves.
    files = models.JSONField(default=list)
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)  # the zip's bytes
    unpacked = models.PositiveBigIntegerField(default=0)  # its files' bytes
    version = models.PositiveIntegerField(default=1)  # raised by each new upload
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_standard_display()} {self.title or self.activity_id}"

    @property
    def is_scorm(self) -> bool:
        return self.standard in (Standard.SCORM12, Standard.SCORM2004)

    def file_key(self, name: str) -> str:
        return f"{self.prefix}files/{name}"

    @property
    def source_key(self) -> str:
        return f"{self.prefix}source.zip"


class Runtime(models.Model):
    """A learner's run-time data in a package (SCORM CMI, H5P results)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="runtimes")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    # SCORM: the flattened CMI ("cmi.core.lesson_status": "passed", ...); H5P: {"result": ...,
    # "state": "<the content's saved state>"}.
    data = models.JSONField(default=dict)
    digest = models.CharField(max_length=64, blank=True)  # of the last commit stored
    state = models.CharField(max_length=8, blank=True)  # what progress_record was last told
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    commits = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "enrolment"], name="one_package_runtime")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.package_id}: {self.state}"
