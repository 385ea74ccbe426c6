from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.standards.rules import DESCRIBED_LEVEL_CODES, Level, RuleSet


class Framework(models.Model):
    """One version of a professional standard (TT 20/2018, TT 14/2018 ...), loaded from data.

    Not org-scoped: frameworks are national reference data, the same for every unit.
    A new content for the same code becomes a new version; a locked version (used by a
    finished cycle) is never changed.
    """

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    title_vi = models.CharField(max_length=255)
    title_en = models.CharField(max_length=255, blank=True)
    legal_ref = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=40, blank=True, help_text="who is evaluated")
    rules = models.JSONField(null=True, blank=True, help_text="rating rules; null if not known")
    rules_verified = models.BooleanField(default=False)
    is_complete = models.BooleanField(
        default=False, help_text="every criterion and the rating rules are known"
    )
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=20, default="builtin")
    is_locked = models.BooleanField(default=False)
    # Who the regulation itself applies to ({"positions": [...], "levels": [...]}, from its
    # data; empty: no limit of its own). No configuration applies it to anyone else
    # (standards.applicability).
    applies_to = models.JSONField(default=dict, blank=True)
    # What is still uncertain about this version as a whole (criteria count, completeness),
    # shown with the "to verify" note.
    caveats = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def rule_set(self) -> RuleSet:
        if not self.rules or not self.rules.get("rules"):
            raise LookupError(_("%(code)s has no rating rules yet.") % {"code": self.code})
        rows = list(self.criteria.order_by("number").values_list("number", "suspended"))
        return RuleSet.from_data(
            [number for number, _s in rows],
            self.rules,
            citation=self.legal_ref,
            suspended={number: part for number, part in rows if part},
        )

    @property
    def needs_verification(self) -> bool:
        return (
            not (self.is_complete and self.rules_verified)
            or self.criteria.filter(verified=False).exists()
        )


class Standard(models.Model):
    """A standard (tiêu chuẩn) of a framework, grouping criteria."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    number = models.PositiveSmallIntegerField()
    article = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="unique_standard_number")
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} TC{self.number}"


class Criterion(models.Model):
    """A criterion (tiêu chí), numbered across the framework as in the regulation."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500)
    descriptors = models.JSONField(default=dict, blank=True, help_text="level code -> text")
    # English descriptors (level code -> text), kept where only a translation is known.
    descriptors_en = models.JSONField(default=dict, blank=True)
    # Parts of a level's requirement suspended by a legal act: level code -> {"requirement",
    # "requirement_en", "by", "verified"} (decision 0013).
    suspended = models.JSONField(default=dict, blank=True)
    is_key = models.BooleanField(default=False, help_text="named by the rating rules")
    verified = models.BooleanField(default=True)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="unique_criterion_number")
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} TC{self.number}: {self.name}"

    def level_cells(self) -> list[dict[str, Any]]:
        """What each level (Đạt, Khá, Tốt) requires, for the pages: the Vietnamese text where
        known, else the English translation (``english``), and the part of the level that is
        suspended (``suspended``, decision 0013)."""
        rows = []
        for code in DESCRIBED_LEVEL_CODES:
            text = self.descriptors.get(code) or ""
            english = not text and bool(self.descriptors_en.get(code))
            rows.append(
                {
                    "code": code,
                    "label": Level.from_code(code).label,
                    "text": text or self.descriptors_en.get(code, ""),
                    "english": english,
                    "suspended": self.suspended.get(code),
                }
            )
        return rows

    def level_texts(self) -> list[dict[str, Any]]:
        """The levels with something to say (a text or a suspension)."""
        return [r for r in self.level_cells() if r["text"] or r["suspended"]]


class FrameworkApplication(models.Model):
    """Which framework applies, in a school year, to which positions at which school levels.

    Configuration, not code: e.g. 2025-2026: TT 20 for GV/TTCM/TPCM at TH, THCS, THPT;
    TT 14 for HT/PHT at the same levels; TT 26 and TT 25 for preschool.
    """

    school_year = models.ForeignKey(
        "orgs.SchoolYear", on_delete=models.CASCADE, related_name="framework_applications"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="applications")
    positions = models.ManyToManyField("staff.Position", related_name="+")
    levels = models.ManyToManyField("orgs.SchoolLevel", related_name="+")

    class Meta:
        ordering = ["school_year", "framework__code"]

    def __str__(self) -> str:
        return f"{self.school_year} {self.framework}"
