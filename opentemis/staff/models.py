from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opentemis.core.scoping import ScopedManager
from opentemis.orgs.models import SchoolYear, Unit
from opentemis.staff.ethnicities import ETHNICITIES


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Qualification(models.TextChoices):
    BELOW_COLLEGE = "trung_cap", _("Vocational (trung cấp) or below")
    COLLEGE = "cao_dang", _("College (cao đẳng)")
    BACHELOR = "dai_hoc", _("Bachelor (đại học)")
    MASTER = "thac_si", _("Master (thạc sĩ)")
    DOCTOR = "tien_si", _("Doctorate (tiến sĩ)")
    OTHER = "khac", _("Other")


class EmploymentStatus(models.TextChoices):
    WORKING = "working", _("Working")
    ON_LEAVE = "on_leave", _("On leave")
    RETIRED = "retired", _("Retired")
    LEFT = "left", _("Left the sector")


class CoreKind(models.TextChoices):
    TEACHER = "teacher", _("Core teacher (GV cốt cán)")
    MANAGER = "manager", _("Core manager (CBQL cốt cán)")


class Position(models.Model):
    """A post held in a school or office: GV, tổ trưởng, PHT, HT ..."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    is_manager = models.BooleanField(
        default=False, help_text="CBQL: evaluated on the principal standard"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """A taught subject (môn học) or teaching field."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class SubjectGroup(models.Model):
    """A school's subject group (tổ chuyên môn): the peer-review unit of TT 20/2018."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="subject_groups")
    name = models.CharField(max_length=150)

    objects = ScopedManager("unit__path")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="unique_group_name")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A teacher, manager or staff member of the education sector.

    ``search_text`` is the diacritic-free, lower-case name and code, maintained by the services,
    so that "nguyen van a" finds "Nguyễn Văn A" with one indexed LIKE (trigram index on
    PostgreSQL). ``is_dtts`` is derived from the ethnicity and stored for filters and reports.
    """

    staff_code = models.CharField(_("staff code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    search_text = models.CharField(max_length=220, editable=False, default="")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITIES, default="01")
    is_dtts = models.BooleanField(_("ethnic minority (DTTS)"), default=False, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    qualification = models.CharField(
        _("qualification"), max_length=12, choices=Qualification.choices, blank=True
    )
    positions = models.ManyToManyField(Position, blank=True, verbose_name=_("positions"))
    subjects = models.ManyToManyField(Subject, blank=True, verbose_name=_("subjects"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="staff", verbose_name=_("unit")
    )
    subject_group = models.ForeignKey(
        SubjectGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("subject group"),
    )
    # The unit's materialised path, copied here so that scoping and "a province's staff, by
    # school then name" are one index range scan with no join (1.2M rows). Kept in sync by
    # save(), person_transfer(), units_move() and the importer; C collation on PostgreSQL
    # (migration 0004) lets one b-tree serve both LIKE 'prefix%' and ORDER BY.
    unit_path = models.CharField(max_length=255, editable=False, default="")
    employment_status = models.CharField(
        _("employment status"),
        max_length=10,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.WORKING,
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-lock counter")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager("unit_path")

    class Meta:
        ordering = ["search_text", "id"]
        indexes = [
            models.Index(fields=["unit_path", "search_text", "id"], name="person_path_search"),
            models.Index(fields=["unit", "gender", "is_dtts"], name="person_unit_breakdown"),
            # Ethnic-minority staff of a subtree (11 % of rows): counted without a table scan.
            models.Index(
                fields=["unit_path", "search_text", "id"],
                condition=models.Q(is_dtts=True),
                name="person_dtts_path",
            ),
            # The report refresh looks for records changed since its last run.
            models.Index(fields=["updated_at"], name="person_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.staff_code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived copy, not a workflow: whoever saves a person gets a path matching the unit.
        if self.unit_id is not None:
            self.unit_path = Unit._base_manager.values_list("path", flat=True).get(pk=self.unit_id)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "unit" in update_fields:
                kwargs["update_fields"] = {*update_fields, "unit_path"}
        super().save(*args, **kwargs)


class Assignment(models.Model):
    """Where a person worked and when: transfers close one row and open the next."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Visible to whoever may see the person now (history follows the person).
    objects = ScopedManager("person__unit_path")

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.unit_id} from {self.start_date}"


class CoreDesignation(models.Model):
    """A core-teacher / core-manager (cốt cán) designation for one school year."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="core_designations")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=CoreKind.choices, default=CoreKind.TEACHER)
    subject = models.ForeignKey(Subject, on_delete=models.SET_NULL, null=True, blank=True)

    objects = ScopedManager("person__unit_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "school_year"], name="one_core_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.school_year_id}"
