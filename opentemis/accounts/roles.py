"""Roles and what each allows. A role is granted on a unit and covers its whole subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    UNIT_OFFICER = "unit_officer", _("Unit officer")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    PRINCIPAL = "principal", _("Principal")
    TEACHER = "teacher", _("Teacher")
    CORE_TEACHER = "core_teacher", _("Core teacher")
    LECTURER = "lecturer", _("Lecturer")
    VIEWER = "viewer", _("Read-only viewer")
    # Independent verification (đoàn kiểm đếm độc lập, bdtx.md R13; issue 14): granted for a
    # limited time on a unit; reads the evidence behind completions, nothing else.
    AUDITOR = "auditor", _("Independent auditor")


class Perm:
    VIEW_UNITS = "units.view"
    MOVE_UNITS = "units.move"
    CHANGE_UNITS = "units.change"
    VIEW_STAFF = "staff.view"
    CHANGE_STAFF = "staff.change"
    IMPORT_STAFF = "staff.import"
    # Sensitive personal data of staff records (ethnicity, and the DTTS flag derived from it;
    # Nghị định 13/2023/NĐ-CP Điều 2 khoản 4 điểm c): seen, filtered and exported only by the
    # roles that keep personnel records (decision 0012). Everyone sees their own.
    VIEW_SENSITIVE = "staff.sensitive"
    MANAGE_ACCOUNTS = "accounts.manage"
    VIEW_AUDIT = "audit.view"
    # Evaluation against the professional standards (issue 3).
    VIEW_EVALUATIONS = "evaluations.view"  # completion and results of a subtree
    MANAGE_CYCLES = "evaluations.cycles"  # open cycles, set deadlines, reopen finalised records
    REVIEW_TEACHERS = "evaluations.review"  # the head of a school evaluates its teachers (BM4)
    REVIEW_MANAGERS = "evaluations.review_managers"  # a superior evaluates principals (TT 14)
    # Reports and dashboards (issue 4).
    SEND_REMINDERS = "reports.remind"  # remind lagging units below (notice and email)
    # BDTX (issue 12): the programme-02 contents a Sở sets for its province (TT 17/2019 §IV.2).
    MANAGE_LOCAL_CONTENTS = "training.local_contents"
    # BDTX plans (issue 12): the head of a school approves its staff's personal plans, confirms
    # their hours and their year's results (TT 19/2019 Đ.8, Đ.10); officers above read plans,
    # needs and results of their subtree.
    MANAGE_PLANS = "plans.manage"
    VIEW_PLANS = "plans.view"
    # Online learning (issue 13): officers of the ministry, a Sở or a training institution offer
    # and build courses for their subtree and read the progress of its learners; ``view``
    # reads the progress only (the head of a school, for its staff).
    MANAGE_COURSES = "learning.manage"
    VIEW_LEARNING = "learning.view"
    # The cascade (issue 14): a Sở designates core staff and assigns each mass teacher to a
    # core teacher for the year (bdtx.md R12).
    MANAGE_CASCADE = "cascade.manage"
    # Certificates (issue 14): the issuing unit's officers issue, re-issue and revoke.
    MANAGE_CERTIFICATES = "certificates.manage"
    # A lecturer (giảng viên sư phạm) second-marks a sample of final products and the appeals.
    SECOND_MARK = "products.second_mark"
    # The independent auditor reads the evidence behind completions and the audit trail.
    AUDIT_COMPLETIONS = "audits.read"


_ALL = {
    Perm.VIEW_UNITS,
    Perm.MOVE_UNITS,
    Perm.CHANGE_UNITS,
    Perm.VIEW_STAFF,
    Perm.CHANGE_STAFF,
    Perm.IMPORT_STAFF,
    Perm.VIEW_SENSITIVE,
    Perm.MANAGE_ACCOUNTS,
    Perm.VIEW_AUDIT,
    Perm.VIEW_EVALUATIONS,
    Perm.MANAGE_CYCLES,
    Perm.REVIEW_MANAGERS,
    Perm.SEND_REMINDERS,
    Perm.MANAGE_LOCAL_CONTENTS,
    Perm.MANAGE_PLANS,
    Perm.VIEW_PLANS,
    Perm.MANAGE_COURSES,
    Perm.VIEW_LEARNING,
    Perm.MANAGE_CASCADE,
    Perm.MANAGE_CERTIFICATES,
}
_SCHOOL_MANAGE = {
    Perm.VIEW_UNITS,
    Perm.VIEW_STAFF,
    Perm.CHANGE_STAFF,
    Perm.IMPORT_STAFF,
    Perm.VIEW_SENSITIVE,
    Perm.MANAGE_ACCOUNTS,
    Perm.VIEW_AUDIT,
    Perm.VIEW_EVALUATIONS,
    Perm.VIEW_PLANS,
    Perm.VIEW_LEARNING,
}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({*_ALL, Perm.SECOND_MARK}),
    Role.UNIT_OFFICER: frozenset(_ALL),
    Role.SCHOOL_ADMIN: frozenset(_SCHOOL_MANAGE),
    # The head of the school evaluates its teachers (TT 20 Điều 10 khoản 1 điểm c) and, by
    # default configuration, its deputies.
    Role.PRINCIPAL: frozenset({*_SCHOOL_MANAGE, Perm.REVIEW_TEACHERS, Perm.MANAGE_PLANS}),
    # Reads staff records and results, but keeps no personnel records: no sensitive data.
    Role.VIEWER: frozenset(
        {
            Perm.VIEW_UNITS,
            Perm.VIEW_STAFF,
            Perm.VIEW_EVALUATIONS,
            Perm.VIEW_PLANS,
            Perm.VIEW_LEARNING,
        }
    ),
    # Teachers, core teachers and lecturers see their own record; their work arrives with the
    # evaluation and training issues.
    Role.TEACHER: frozenset(),
    Role.CORE_TEACHER: frozenset(),
    Role.LECTURER: frozenset({Perm.VIEW_UNITS, Perm.SECOND_MARK}),
    Role.AUDITOR: frozenset({Perm.VIEW_UNITS, Perm.AUDIT_COMPLETIONS}),
}

#: Permissions that no role granting roles holds, and what whoever grants them must hold on the
#: unit instead (nobody hands out more than they hold: ``accounts.services.role_grant``). The
#: independent auditor (bdtx.md R13) reads the evidence behind completions and the audit trail:
#: those who run the courses there and read its audit log appoint one (a Sở, the ministry).
GRANTED_WITH: dict[str, frozenset[str]] = {
    Perm.AUDIT_COMPLETIONS: frozenset({Perm.MANAGE_COURSES, Perm.VIEW_AUDIT}),
}


def perms_to_grant(role: str) -> frozenset[str]:
    """What a grantor must hold on the unit to grant ``role`` there."""
    return frozenset().union(
        *(GRANTED_WITH.get(perm, frozenset({perm})) for perm in ROLE_PERMS.get(role, ()))
    )
