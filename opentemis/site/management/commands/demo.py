"""Load the demo dataset once (a second run reuses it) and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import Role
from opentemis.core.scoping import system_scope
from opentemis.evaluations.demo import seed_demo_cycle
from opentemis.evaluations.models import Evaluation
from opentemis.orgs.models import Unit, UnitKind
from opentemis.orgs.selectors import current_school_year, current_school_year_ref
from opentemis.plans.demo import seed_demo_plans
from opentemis.plans.demo_ledger import seed_demo_ledger
from opentemis.reports.demo import build_demo_reports, seed_previous_year
from opentemis.site.demo_cascade import seed_demo_cascade
from opentemis.site.demo_learning import seed_demo_learning
from opentemis.staff.models import EmploymentStatus, Person, Position
from opentemis.standards.services import load_builtin_frameworks
from opentemis.training.services import load_builtin_catalogues

DEMO_PASSWORD = "demo2025"


class Command(BaseCommand):
    help = "Create the demo dataset (synthetic province, schools, staff) and demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope():
            if not Unit.objects.exists():
                self.stdout.write("Creating the demo dataset (synthetic, small size)...")
                call_command("synth", size="small", seed=options["seed"], stdout=self.stdout)
            else:
                self.stdout.write("Demo dataset already present: reusing it.")
            frameworks = load_builtin_frameworks()
            accounts = self._accounts()
            cycle = self._cycle(options["seed"])
            accounts += self._preschool_account()
            self._reports(options["seed"])
            year = current_school_year()
            training = load_builtin_catalogues(school_year=year) if year is not None else None
            if year is not None:
                self._plans(year)
                accounts += self._learning(year)
        for framework in frameworks:
            note = " (to verify)" if framework.needs_verification else ""
            self.stdout.write(f"Framework {framework.code} v{framework.version}{note}")
        if cycle is not None:
            self.stdout.write(f"Evaluation cycle in progress: {cycle.name}")
        for catalogue, _outcome in training.catalogues if training is not None else []:
            self.stdout.write(f"BDTX catalogue {catalogue.code} v{catalogue.version} (to verify)")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for username, role, where in accounts:
            self.stdout.write(f"  {username:<14} {role:<36} {where}")
        self.stdout.write("")

    def _cycle(self, seed: int) -> Any:
        officer = User.objects.get(username="so")
        principal = User.objects.get(username="hieutruong")
        teacher = User.objects.filter(username="giaovien").first()
        province = RoleAssignment.objects.get(user=officer, role=Role.UNIT_OFFICER).unit
        assert principal.person is not None  # the accounts step linked the principal's record
        return seed_demo_cycle(
            officer=officer,
            province=province,
            demo_school=principal.person.unit,
            demo_teacher=teacher.person if teacher else None,
            seed=seed,
        )

    @transaction.atomic
    def _preschool_account(self) -> list[tuple[str, str, str]]:
        """``giaovienmn``: a preschool teacher of the province who has not started (evaluated
        against TT 26/2018, never TT 20)."""
        user = User.objects.filter(username="giaovienmn").select_related("person").first()
        person = user.person if user is not None else None
        if person is None:
            officer = User.objects.get(username="so")
            province = RoleAssignment.objects.get(user=officer, role=Role.UNIT_OFFICER).unit
            started = Evaluation.objects.filter(
                cycle__school_year=current_school_year_ref()
            ).values("person_id")
            person = (
                Person.objects.filter(
                    unit_path__startswith=province.path,
                    unit__levels__code="MN",
                    positions__code="GV",
                    employment_status=EmploymentStatus.WORKING,
                )
                .exclude(positions__is_manager=True)
                .exclude(pk__in=started)
                .exclude(user__isnull=False)
                .order_by("pk")
                .first()
            )
        if person is None:
            return []
        if user is None:
            user = User(username="giaovienmn", first_name=person.full_name[:150], person=person)
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.TEACHER, unit=person.unit)
        label = f"Giáo viên mầm non (preschool teacher) {person.staff_code}"
        return [("giaovienmn", label, person.unit.name)]

    def _reports(self, seed: int) -> None:
        """Last year's finished evaluation (for the comparison) and the report summaries."""
        officer = User.objects.get(username="so")
        province = RoleAssignment.objects.get(user=officer, role=Role.UNIT_OFFICER).unit
        if seed_previous_year(officer=officer, province=province, seed=seed) is not None:
            self.stdout.write("Last school year's evaluation: finished, 96 % finalised")
        build_demo_reports()
        self.stdout.write("TEMIS report summaries built")

    @transaction.atomic
    def _plans(self, year: Any) -> None:
        """BDTX plans in every state in the demo school, the province's deadline (once)."""
        officer = User.objects.get(username="so")
        province = RoleAssignment.objects.get(user=officer, role=Role.UNIT_OFFICER).unit
        with translation.override(settings.LANGUAGE_CODE):  # the reasons are stored as said
            made = seed_demo_plans(
                officer=officer,
                province=province,
                principal=User.objects.get(username="hieutruong"),
                teacher=User.objects.filter(username="giaovien").first(),
                school_year=year,
            )
        if made.plans:
            states = ", ".join(f"{state} {n}" for state, n in sorted(made.plans.items()))
            self.stdout.write(f"BDTX plans of the demo school: {states}")
        with translation.override(settings.LANGUAGE_CODE):
            entries = seed_demo_ledger(
                principal=User.objects.get(username="hieutruong"),
                teacher=User.objects.filter(username="giaovien").first(),
                school_year=year,
            )
        if entries:
            self.stdout.write(
                f"BDTX ledger of the demo school: {entries} entries, results computed"
            )

    def _learning(self, year: Any) -> list[tuple[str, str, str]]:
        """The demo's online course, learners at every stage (once), and the core teacher who
        grades the final products."""
        officer = User.objects.get(username="so")
        province = RoleAssignment.objects.get(user=officer, role=Role.UNIT_OFFICER).unit
        principal = User.objects.get(username="hieutruong")
        assert principal.person is not None
        with translation.override(settings.LANGUAGE_CODE):
            made = seed_demo_learning(
                officer=officer,
                province=province,
                school=principal.person.unit,
                teacher=User.objects.filter(username="giaovien").first(),
                school_year=year,
            )
        if made.made:
            learners = made.course.enrolments.count()
            self.stdout.write(f"Online course {made.course.code}: {learners} learners enrolled")
        grader = made.grader
        rows: list[tuple[str, str, str]] = []
        if grader is not None and grader.person is not None:
            label = f"Giáo viên cốt cán (core teacher, grader) {grader.person.staff_code}"
            rows.append((grader.username, label, grader.person.unit.name))
        with translation.override(settings.LANGUAGE_CODE):
            cascade = seed_demo_cascade(
                officer=officer,
                province=province,
                school=principal.person.unit,
                teacher=User.objects.filter(username="giaovien").first(),
                course=made.course,
                school_year=year,
            )
        for line in cascade.lines:
            self.stdout.write(line)
        return rows + cascade.accounts

    @transaction.atomic
    def _accounts(self) -> list[tuple[str, str, str]]:
        province = Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("path").first()
        assert province is not None, "the synthetic dataset has no province"
        # A lower-secondary school shows subject groups and subjects best; fall back to any.
        schools = Unit.objects.filter(
            path__startswith=province.path, kind=UnitKind.SCHOOL, staff__positions__code="HT"
        ).order_by("path")
        school = schools.filter(levels__code="THCS").first() or schools.first()
        assert school is not None
        principal = Person.objects.filter(unit=school, positions__code="HT").first()
        assert principal is not None  # the school was chosen for its principal
        teacher = (
            Person.objects.filter(unit=school, positions__code="GV")
            .exclude(pk=principal.pk)
            .order_by("pk")
            .first()
        )
        rows: list[tuple[str, str, str]] = []

        def ensure(
            username: str,
            *,
            role: str | None,
            unit: Unit | None,
            person: Person | None = None,
            superuser: bool = False,
            label: str,
        ) -> None:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, is_superuser=superuser, is_staff=superuser)
                user.set_password(DEMO_PASSWORD)
            if person is not None:
                # The account of a real staff record: log in with the username or the staff code.
                User.objects.filter(person=person).exclude(username=username).update(person=None)
                user.person = person
                user.first_name = person.full_name[:150]
            user.save()
            if role and unit is not None:
                RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
            rows.append((username, label, unit.name if unit else "toàn quốc"))

        ensure(
            "admin", role=None, unit=None, superuser=True, label="Quản trị hệ thống (system admin)"
        )
        ensure("so", role=Role.UNIT_OFFICER, unit=province, label="Chuyên viên Sở (unit officer)")
        ensure(
            "hieutruong",
            role=Role.PRINCIPAL,
            unit=school,
            person=principal,
            label=f"Hiệu trưởng (principal) {principal.staff_code}",
        )
        if teacher is not None:
            ensure(
                "giaovien",
                role=Role.TEACHER,
                unit=school,
                person=teacher,
                label=f"Giáo viên (teacher) {teacher.staff_code}",
            )
            leader = self._group_leader(teacher)
            if leader is not None:
                ensure(
                    "totruong",
                    role=Role.TEACHER,
                    unit=school,
                    person=leader,
                    label=f"Tổ trưởng chuyên môn (group leader) {leader.staff_code}",
                )
        return rows

    def _group_leader(self, teacher: Person) -> Person | None:
        """A leader (TTCM) of the demo teacher's subject group: an existing one, or a colleague
        designated for the demo (subject groups need one to see the BM3 summary)."""
        if teacher.subject_group_id is None:
            return None
        members = Person.objects.filter(subject_group_id=teacher.subject_group_id).exclude(
            pk=teacher.pk
        )
        leader = members.filter(positions__code="TTCM").order_by("pk").first()
        if leader is None:
            leader = members.filter(positions__code="GV").order_by("pk").first()
            if leader is not None:
                leader.positions.add(Position.objects.get(code="TTCM"))
        return leader
