from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from opentemis.core.scoping import ScopedManager, ScopedManagerMixin


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry (Bộ)")
    DEPARTMENT = "department", _("Provincial department (Sở)")
    DISTRICT_OFFICE = "district_office", _("District office (former Phòng)")
    COMMUNE = "commune", _("Commune / ward")
    SCHOOL = "school", _("School")
    GDTX_CENTRE = "gdtx_centre", _("Continuing-education (GDTX) centre")
    TEACHER_TRAINING = "teacher_training", _("Teacher-training institution")
    OTHER = "other", _("Other unit")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class SchoolLevel(models.Model):
    """A level of general education (cấp học): MN, TH, THCS, THPT, GDTX."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


# treebeard ships no types: its classes are Any to the checker, so subclassing them is flagged.
class ScopedUnitManager(ScopedManagerMixin["Unit"], MP_NodeManager):  # type: ignore[misc]
    """The unit tree's fail-closed manager: treebeard's node manager, filtered by scope."""


class Unit(MP_Node):  # type: ignore[misc]  # treebeard ships no types (see above)
    """A node of the organisation tree: ministry, department, commune, school, centre ...

    Materialised path (django-treebeard): a subtree is ``path LIKE 'prefix%'`` on an indexed
    column. The tree has any depth, so the former district level and the 2025 commune level
    both fit, and units can be re-parented with :func:`opentemis.orgs.services.units_move`.
    """

    steplen = 4
    # treebeard's fields, named for the type checker (its untyped base class hides them).
    path: str
    depth: int
    numchild: int

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    search_name = models.CharField(max_length=255, editable=False, default="", db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    levels = models.ManyToManyField(SchoolLevel, blank=True, verbose_name=_("school levels"))
    disadvantaged_area = models.BooleanField(_("disadvantaged area"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedUnitManager("path")
    # Only for names of ancestors in breadcrumbs and for system code: see docs/architecture.md.
    dangerously_unscoped = MP_NodeManager()

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_school(self) -> bool:
        return self.kind in {UnitKind.SCHOOL, UnitKind.GDTX_CENTRE}


class UnitMove(models.Model):
    """A recorded re-parenting of a unit (e.g. schools of an abolished district moved to the Sở)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="moves")
    old_parent = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, related_name="+")
    new_parent = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, related_name="+")
    old_path = models.CharField(max_length=255)
    new_path = models.CharField(max_length=255)
    batch = models.UUIDField(db_index=True)
    reason = models.TextField(blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager("unit__path")

    class Meta:
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.old_path} -> {self.new_path}"


class SchoolYear(models.Model):
    """A school year (năm học), e.g. 2025-2026, starting in September."""

    code = models.CharField(max_length=9, unique=True)
    start_date = models.DateField()
    end_date = models.DateField()
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_school_year",
            )
        ]

    def __str__(self) -> str:
        return self.code


def path_prefixes(path: str, *, include_self: bool = True) -> list[str]:
    """The paths of the units above ``path`` (and its own, unless ``include_self`` is false),
    root first: one step of the tree's materialised path (:attr:`Unit.steplen`) at a time."""
    step = Unit.steplen
    end = len(path) if include_self else len(path) - step
    return [path[:i] for i in range(step, end + 1, step)]
