"""``make demo`` keeps the promises README.md makes ("Try it: two commands").

The real command (``call_command("demo")``: the synthetic province, the accounts, the cycle in
progress, last year's finished cycle, the report summaries) runs once in the test database
(about 8 s), then each promise is checked on what it built, and every broken one is reported.
One test, not one per promise: under ``pytest -n 2`` the tests of a module are shared between
the workers, and each would build the dataset again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import Role
from opentemis.cascade import selectors as cascade_selectors
from opentemis.cascade.models import Caseload, CoreCheck, SupportActivity, SupportPlan
from opentemis.certificates.models import (
    Certificate,
    CertificateStatus,
    Issuer,
    ProgrammeDefinition,
)
from opentemis.core.scoping import system_scope
from opentemis.evaluations import selectors as evaluation_selectors
from opentemis.evaluations import services
from opentemis.evaluations.models import Cycle, CycleStatus, Evaluation, Status
from opentemis.evaluations.waiting import waiting_for
from opentemis.learning.models import Course, Enrolment, EnrolmentStatus
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.plans.models import (
    ChangeStatus,
    Plan,
    PlanChangeRequest,
    PlanDeadline,
    PlanStatus,
)
from opentemis.products import access as grading
from opentemis.products.models import Appeal, AppealStatus, Submission, SubmissionStatus
from opentemis.reports.models import CompletionSnapshot
from opentemis.reports.selectors import report_for
from opentemis.staff.models import CoreDesignation, EmploymentStatus, Person
from opentemis.standards.models import Framework
from opentemis.surveys.models import SurveyAnswer, SurveyReceipt
from opentemis.tracking import selectors as tracking
from opentemis.tracking.models import SnapshotRun, WeekFigures
from opentemis.training.models import Programme, ProgrammeContent

PASSWORD = "demo2025"
ACCOUNTS = (
    "admin",
    "so",
    "hieutruong",
    "giaovien",
    "totruong",
    "giaovienmn",
    "cotcan",
    "giangvien",
    "kiemdem",
)
EVALUATED = ["GV", "TTCM", "TPCM", "HT", "PHT"]
DONE = (Status.FINALISED, Status.ACKNOWLEDGED)


@dataclass
class Demo:
    output: str
    users: dict[str, User]
    province: Unit
    year: SchoolYear

    def person(self, username: str) -> Person:
        person = self.users[username].person
        assert person is not None, f"{username} has no staff record"
        return person


def _evaluated_people(province: Unit) -> Any:
    return Person.objects.filter(
        unit_path__startswith=province.path,
        employment_status=EmploymentStatus.WORKING,
        positions__code__in=EVALUATED,
    ).distinct()


def the_command_prints_every_account_and_the_password(demo: Demo) -> None:
    for username in ACCOUNTS:
        assert f"  {username} " in demo.output
    assert f"password for all: {PASSWORD}" in demo.output
    assert "Evaluation cycle in progress" in demo.output


def every_demo_account_signs_in_with_the_demo_password(demo: Demo) -> None:
    assert set(demo.users) == set(ACCOUNTS)
    # The principal also signs in with their staff code (README).
    logins = [*ACCOUNTS, demo.person("hieutruong").staff_code]
    for login in logins:
        client = Client()
        answer = client.post(reverse("login"), {"username": login, "password": PASSWORD})
        assert answer.status_code == 302, login
        assert client.get(reverse("home")).status_code == 200, login


def each_account_has_the_role_the_readme_gives_it(demo: Demo) -> None:
    u = demo.users
    assert u["admin"].is_superuser and u["admin"].is_staff
    assert demo.province.kind == UnitKind.DEPARTMENT
    school = demo.person("hieutruong").unit
    assert school.kind == UnitKind.SCHOOL
    assert set(demo.person("hieutruong").positions.values_list("code", flat=True)) >= {"HT"}
    roles = {
        name: set(RoleAssignment.objects.filter(user=user).values_list("role", "unit_id"))
        for name, user in u.items()
    }
    assert roles["so"] == {(Role.UNIT_OFFICER, demo.province.pk)}
    assert roles["hieutruong"] == {(Role.PRINCIPAL, school.pk)}
    assert roles["giaovien"] == {(Role.TEACHER, school.pk)}
    assert roles["totruong"] == {(Role.TEACHER, school.pk)}
    teacher, leader = demo.person("giaovien"), demo.person("totruong")
    assert teacher.unit_id == school.pk and teacher.subject_group_id is not None
    assert leader.subject_group_id == teacher.subject_group_id
    assert leader.positions.filter(code="TTCM").exists()
    assert evaluation_selectors.is_group_leader(u["totruong"])
    preschool = demo.person("giaovienmn")
    assert preschool.unit.path.startswith(demo.province.path)
    assert preschool.unit.levels.filter(code="MN").exists()
    assert roles["giaovienmn"] == {(Role.TEACHER, preschool.unit_id)}


def a_cycle_is_in_progress_over_the_province(demo: Demo) -> None:
    cycle = Cycle.objects.get(school_year=demo.year, unit=demo.province)
    assert cycle.status == CycleStatus.OPEN
    assert cycle.self_due < cycle.opinions_due < cycle.review_due
    people = _evaluated_people(demo.province).count()
    evaluations = Evaluation.objects.filter(cycle=cycle)
    started = evaluations.count()
    finalised = evaluations.filter(status__in=DONE).count()
    # "About three in four staff have started, a third are finalised."
    assert 0.65 < started / people < 0.9, (started, people)
    assert 0.2 < finalised / people < 0.45, (finalised, people)
    assert evaluations.filter(status=Status.DRAFT).exists()
    assert evaluations.filter(status=Status.RETURNED).exists()


def every_step_is_there_to_try_in_the_demo_school(demo: Demo) -> None:
    u = demo.users
    cycle = Cycle.objects.get(school_year=demo.year, unit=demo.province)
    school = demo.person("hieutruong").unit
    # giaovien has not started; their colleagues have submitted, waiting for opinions and for
    # the principal; the principal's own evaluation waits for the staff's poll and for the Sở.
    assert not Evaluation.objects.filter(cycle=cycle, person=demo.person("giaovien")).exists()
    in_school = Evaluation.objects.filter(cycle=cycle, unit=school)
    assert in_school.exists()
    assert set(in_school.values_list("status", flat=True)) == {Status.SUBMITTED}
    waiting = {name: waiting_for(actor=u[name]) for name in ("giaovien", "hieutruong", "so")}
    assert waiting["giaovien"].opinions > 0 and waiting["giaovien"].polls > 0
    assert waiting["hieutruong"].teachers_to_review > 0
    assert waiting["so"].managers_to_review > 0
    client = Client()
    client.force_login(u["giaovien"])
    assert client.get(reverse("evaluation_me")).status_code == 200


def the_preschool_teacher_has_her_framework_and_has_not_started(demo: Demo) -> None:
    person = demo.person("giaovienmn")
    cycle = evaluation_selectors.cycle_covering(person.unit_path, open_only=True)
    assert cycle is not None and cycle.unit_id == demo.province.pk
    framework, kind = services.framework_for_person(cycle=cycle, person=person)
    assert framework.code.startswith("TT26_2018") and kind == "teacher"
    assert not Evaluation.objects.filter(cycle=cycle, person=person).exists()


def the_built_in_frameworks_are_loaded(demo: Demo) -> None:
    codes = set(Framework.objects.values_list("code", flat=True))
    for prefix in ("TT20_2018", "TT14_2018", "TT26_2018", "TT25_2018"):
        assert any(code.startswith(prefix) for code in codes), prefix


def last_year_is_finished_with_96_percent_finalised(demo: Demo) -> None:
    last = Cycle.objects.get(unit=demo.province, school_year__start_date__lt=demo.year.start_date)
    assert last.status == CycleStatus.FINISHED and last.finished_at is not None
    assert not last.school_year.is_current
    evaluations = Evaluation.objects.filter(cycle=last)
    people = _evaluated_people(demo.province).count()
    assert set(evaluations.values_list("status", flat=True)) == {Status.ACKNOWLEDGED}
    assert 0.92 < evaluations.count() / people <= 1.0


def the_report_has_data_for_both_years(demo: Demo) -> None:
    report = report_for(actor=demo.users["so"], unit=demo.province, school_year=demo.year)
    assert report.totals.to_evaluate > 0 and report.totals.finalised > 0
    assert report.children, "the drill-down to communes"
    assert [y.school_year for y in report.years][-1:] == [demo.year.code]
    assert len(report.years) == 2 and report.years[0].rate is not None
    assert report.years[0].rate > 90  # last year's 96 %
    for section in (report.teachers, report.managers, report.preschool_teachers):
        assert section.ratings, section.population
    assert CompletionSnapshot.objects.filter(school_year=demo.year, unit=demo.province).exists()
    client = Client()
    client.force_login(demo.users["so"])
    page = client.get(reverse("report_unit", kwargs={"pk": demo.province.pk}))
    assert page.status_code == 200


def bdtx_plans_are_there_in_every_state(demo: Demo) -> None:
    school = demo.person("hieutruong").unit
    plans = Plan.objects.filter(school_year=demo.year, unit=school)
    mine = plans.get(person=demo.person("giaovien"))
    assert mine.status == PlanStatus.DRAFT
    # Suggested from last year's finished evaluation, each saying why.
    assert mine.evaluation is not None
    assert mine.evaluation.cycle.school_year.start_date < demo.year.start_date
    assert mine.items.filter(suggested=True).exclude(reason="").exists()
    states = set(plans.values_list("status", flat=True))
    assert states == set(PlanStatus), states
    assert plans.get(status=PlanStatus.RETURNED).returned_reason
    change = PlanChangeRequest.objects.get(plan__unit=school, status=ChangeStatus.PENDING)
    assert change.plan.status == PlanStatus.APPROVED
    teachers = Person.objects.filter(unit=school, positions__code="GV").exclude(
        positions__is_manager=True
    )
    assert teachers.exclude(pk__in=plans.values("person_id")).exists(), "some have no plan yet"
    assert PlanDeadline.objects.filter(school_year=demo.year, unit=demo.province).exists()
    contents = ProgrammeContent.objects.filter(school_year=demo.year)
    assert contents.filter(programme=Programme.P01, unit__isnull=True).exists()
    local = contents.filter(programme=Programme.P02, unit=demo.province)
    assert "Chuyển đổi số trong dạy học" in set(local.values_list("title", flat=True))
    client = Client()
    client.force_login(demo.users["hieutruong"])
    listed = client.get("/api/v1/bdtx/plans/", {"status": "submitted"}).json()
    assert listed and {p["status"] for p in listed} == {"submitted"}


def the_cascade_is_designated_and_assigned(demo: Demo) -> None:
    """Issue 14 items 1-2: core staff checked (one overridden), cotcan supports giaovien and
    colleagues of the demo school, everyone else balanced, a support plan and two activities."""
    cotcan, teacher = demo.person("cotcan"), demo.person("giaovien")
    checks = CoreCheck.objects.filter(
        school_year=demo.year, unit_path__startswith=demo.province.path
    )
    assert checks.count() >= 4 and checks.filter(person=cotcan).exists()
    for check in checks:
        assert check.result and check.level is not None
        assert CoreDesignation.objects.filter(person_id=check.person_id, school_year=demo.year)
    overridden = checks.filter(passed=False)
    assert overridden.count() >= 1 and all(c.override_reason for c in overridden)
    assert checks.filter(passed=True).exclude(person=cotcan).count() >= 2
    mine = Caseload.objects.filter(school_year=demo.year, core=cotcan)
    learners = set(mine.values_list("learner_id", flat=True))
    assert teacher.pk in learners and len(learners) >= 5
    school = demo.person("hieutruong").unit
    in_school = set(
        mine.filter(unit_path__startswith=school.path).values_list("learner_id", flat=True)
    )
    assert len(in_school) >= 5, "cotcan's colleagues of the demo school"
    assert not cascade_selectors.unassigned(demo.province, demo.year).exists()
    assert Caseload.objects.filter(school_year=demo.year, method="balanced").count() > 100
    assert SupportPlan.objects.filter(person=cotcan, school_year=demo.year).exclude(text="")
    assert SupportActivity.objects.filter(person=cotcan, school_year=demo.year).count() == 2
    client = Client()
    client.force_login(demo.users["cotcan"])
    page = client.get(reverse("learning_colleagues"))
    assert page.status_code == 200 and teacher.full_name in page.content.decode()


def grading_has_a_queue_a_pool_an_appeal_and_a_sample(demo: Demo) -> None:
    """Item 3: cotcan's queue, one product overdue in the pool he may claim, the lecturer's
    appeal and sample."""
    cotcan, lecturer = demo.users["cotcan"], demo.users["giangvien"]
    now = timezone.now()
    waiting = Submission.objects.filter(assigned_to=cotcan, status=SubmissionStatus.PENDING)
    assert waiting.count() >= 2
    pool = Submission.objects.filter(grading.pool_q(cotcan, grading.pool_reach(cotcan), now))
    assert pool.count() == 1
    assert pool.get().assigned_to_id not in (None, cotcan.pk)
    assert set(RoleAssignment.objects.filter(user=lecturer).values_list("role", "unit_id")) == {
        (Role.LECTURER, demo.province.pk)
    }
    appeal = Appeal.objects.get(status=AppealStatus.OPEN)
    assert grading.second_marks(lecturer, appeal.submission)
    marks = Submission.objects.filter(grading.second_mark_q(lecturer))
    sample = marks.exclude(Q(appeal__isnull=False))
    assert sample.filter(status=SubmissionStatus.PASSED).exists(), "the sample to second-mark"
    client = Client()
    client.force_login(cotcan)
    assert client.get(reverse("products_mine")).status_code == 200


def certificates_are_issued_by_the_so(demo: Demo) -> None:
    """Item 5: the Sở as issuer, the completed learners' certificates, one revoked."""
    issuer = Issuer.objects.get(unit=demo.province)
    assert issuer.signer_name and issuer.signer_title and issuer.place and issuer.name
    course = Course.objects.get(code="GVPT06-DEMO")
    completed = Enrolment.objects.filter(course=course, status=EnrolmentStatus.COMPLETED)
    certificates = Certificate.objects.filter(course=course, issuer=issuer)
    assert completed.count() >= 3
    assert set(certificates.values_list("enrolment_id", flat=True)) >= set(
        completed.values_list("pk", flat=True)
    )
    revoked = certificates.filter(status=CertificateStatus.REVOKED)
    assert revoked.count() == 1 and revoked.get().reason
    assert certificates.filter(status=CertificateStatus.VALID).count() >= 2
    assert ProgrammeDefinition.objects.filter(issuer=issuer, school_year=demo.year).exists()


def this_weeks_progress_ranks_and_has_a_school_to_remind(demo: Demo) -> None:
    """Item 4: the snapshot of this week and the two before; a lagging school to remind."""
    today = timezone.localdate()
    weeks = set(SnapshotRun.objects.values_list("week", flat=True))
    assert len(weeks) >= 3 and today - dt.timedelta(days=today.weekday()) in weeks
    assert WeekFigures.objects.filter(unit=demo.province).exists()
    view = tracking.unit_week(
        actor=demo.users["so"], unit=demo.province, school_year=demo.year, week=today
    )
    assert view.children and view.lagging
    completed = [point.completed for point in view.trend]
    assert len(completed) >= 3 and completed[-3] < completed[-2] < completed[-1], completed
    schools = tracking.lagging_schools(view)
    assert any(item.school == demo.person("hieutruong").unit for item in schools)
    assert all(item.reminded_at is None for item in schools), "still to remind"


def the_auditor_is_appointed_for_thirty_days(demo: Demo) -> None:
    """Item 7: kiemdem, Role.AUDITOR on the province, ending in 30 days."""
    grant = RoleAssignment.objects.get(user=demo.users["kiemdem"])
    assert (grant.role, grant.unit_id) == (Role.AUDITOR, demo.province.pk)
    assert grant.expires_at is not None
    days = (grant.expires_at - timezone.now()).days
    assert 29 <= days <= 31, days


def the_completed_learners_answered_anonymously(demo: Demo) -> None:
    """Item 6: the completed learners' receipts and their anonymous answers."""
    course = Course.objects.get(code="GVPT06-DEMO")
    completed = Enrolment.objects.filter(course=course, status=EnrolmentStatus.COMPLETED)
    receipts = SurveyReceipt.objects.filter(enrolment__in=completed)
    assert receipts.count() == completed.count() >= 3
    answers = SurveyAnswer.objects.filter(survey__activity__course=course)
    assert answers.count() == SurveyReceipt.objects.filter(enrolment__course=course).count()


def the_issue_14_walkthrough_pages_open(demo: Demo) -> None:
    """Each page the README's issue-14 walkthrough names opens for its account (200, after
    redirects), and a valid certificate's public verification page says so without signing in."""
    pages = {
        "cotcan": ["learning_colleagues", "products_mine"],
        "giangvien": ["products_second_marks"],
        "so": ["tracking_home", "cascade_home", "certificates_issued", "certificates_issuers"],
        "kiemdem": ["audits_home", "audits_sample", "audits_trail"],
        "giaovien": ["certificates_mine", "loop_mine"],
        "hieutruong": ["loop_unit"],
    }
    for username, names in pages.items():
        client = Client()
        client.force_login(demo.users[username])
        for name in names:
            answer = client.get(reverse(name), follow=True)
            assert answer.status_code == 200, (username, name, answer.status_code)
    valid = Certificate.objects.filter(status=CertificateStatus.VALID).first()
    assert valid is not None
    public = Client().get(reverse("certificates_verify_code", args=[valid.code]))
    assert public.status_code == 200


def a_second_run_reuses_the_dataset(demo: Demo) -> None:
    def counts() -> tuple[int, ...]:
        return (
            Unit.objects.count(),
            Person.objects.count(),
            User.objects.count(),
            Cycle.objects.count(),
            Evaluation.objects.count(),
            RoleAssignment.objects.count(),
            Plan.objects.count(),
            PlanChangeRequest.objects.count(),
            PlanDeadline.objects.count(),
            ProgrammeContent.objects.count(),
            CoreCheck.objects.count(),
            Caseload.objects.count(),
            SupportActivity.objects.count(),
            Submission.objects.count(),
            Appeal.objects.count(),
            Certificate.objects.count(),
            SnapshotRun.objects.count(),
        )

    before = counts()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Demo dataset already present: reusing it." in out.getvalue()
    assert counts() == before


# In order: the second run comes last.
PROMISES: list[Callable[[Demo], None]] = [
    the_command_prints_every_account_and_the_password,
    every_demo_account_signs_in_with_the_demo_password,
    each_account_has_the_role_the_readme_gives_it,
    a_cycle_is_in_progress_over_the_province,
    every_step_is_there_to_try_in_the_demo_school,
    the_preschool_teacher_has_her_framework_and_has_not_started,
    the_built_in_frameworks_are_loaded,
    last_year_is_finished_with_96_percent_finalised,
    the_report_has_data_for_both_years,
    bdtx_plans_are_there_in_every_state,
    the_cascade_is_designated_and_assigned,
    grading_has_a_queue_a_pool_an_appeal_and_a_sample,
    certificates_are_issued_by_the_so,
    this_weeks_progress_ranks_and_has_a_school_to_remind,
    the_auditor_is_appointed_for_thirty_days,
    the_completed_learners_answered_anonymously,
    the_issue_14_walkthrough_pages_open,
    a_second_run_reuses_the_dataset,
]


def test_make_demo_keeps_the_readme_promises(db: Any) -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    with system_scope():
        users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
        assert set(users) == set(ACCOUNTS), "the demo accounts"
        province = RoleAssignment.objects.get(user=users["so"], role=Role.UNIT_OFFICER).unit
        demo = Demo(out.getvalue(), users, province, SchoolYear.objects.get(is_current=True))
        broken = []
        for promise in PROMISES:
            try:
                promise(demo)
            except AssertionError as exc:
                broken.append(f"{promise.__name__}: {exc}")
    assert not broken, "\n".join(broken)
