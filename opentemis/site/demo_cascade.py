"""The demo's cascade, grading, certificates, weekly progress and auditor (issue 14), built on
the online course of ``demo_learning`` through each app's own services.

* **Cascade.** The Sở (``so``) designates a handful of core teachers of the province for the
  year with their conditions checked (``cascade.services.core_designate``): ``cotcan``, two
  candidates who meet every condition, and one who does not, designated with the officer's
  reason. ``cotcan`` grades across schools: the Sở gives him, by hand and with a reason,
  ``giaovien`` and the demo school's colleagues staged in the course; the balancing service
  then assigns every other mass teacher of the province. ``cotcan`` writes his support plan
  and records two support activities.
* **Grading.** Two more colleagues of ``cotcan`` hand in (his queue: three waiting); a
  colleague of another core teacher (who has not graded) has waited four days: the overflow
  pool, where ``cotcan`` may claim it. The learner graded Chưa đạt appeals; the lecturer
  ``giangvien`` (Role.LECTURER on the province) decides it and second-marks the sample.
* **Certificates.** The Sở is configured as issuer (name, signer, title, place) with a
  programme of two modules (only GVPT 06 is offered yet: no programme certificate); the
  learners who completed get their module certificate (``certificates_backfill``); one is
  revoked with a reason.
* **Weekly progress.** The snapshots of this week and the two before (the learners enrolled
  two weeks ago, the first completed last week); the demo school is lagging: ``so`` reminds it.
* **Auditor.** ``kiemdem``: Role.AUDITOR on the province for 30 days (``role_grant(until=)``).

The waiting time of the pool's submission and the second-marking draw are set by the products
app's demo helpers (``products.demo.demo_overdue`` / ``demo_in_sample``), and the course's
enrolment and progress dates are moved back (``_opened_weeks_ago``): the only shortcuts.
Made once: a second run finds ``cotcan``'s condition check for the year and leaves it all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import Role
from opentemis.accounts.services import role_grant
from opentemis.cascade import selectors as cascade_selectors
from opentemis.cascade import services as cascade
from opentemis.cascade.models import Caseload, CoreCheck, SupportForm, SupportPlanStatus
from opentemis.certificates import services as certificates
from opentemis.certificates.models import Certificate, CertificateKind
from opentemis.learning import services as learning
from opentemis.learning.models import (
    Activity,
    ActivityKind,
    ActivityProgress,
    Course,
    Enrolment,
    EnrolmentStatus,
)
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit
from opentemis.products import services as products
from opentemis.products.demo import demo_in_sample, demo_overdue, demo_submit
from opentemis.products.models import Submission, SubmissionStatus
from opentemis.quizzes.models import Attempt, Quiz
from opentemis.site.demo_learning import GRADER, _learner_accounts, _take
from opentemis.staff.models import CoreKind, Person
from opentemis.tracking import services as tracking

PASSWORD = "demo2025"
LECTURER = "giangvien"
AUDITOR = "kiemdem"
LEVEL = "THCS"
PROGRAMME = "BDTX-03-DEMO"
CROSS_SCHOOL = (
    "Chấm chéo giữa các trường: giáo viên cốt cán trường khác hỗ trợ và chấm sản phẩm "
    "mô-đun GVPT 06 của đồng nghiệp trường này."
)
OVERRIDE = (
    "Chưa đủ điều kiện theo hồ sơ, nhưng là giáo viên duy nhất của cụm trường đã dạy minh họa "
    "cấp huyện; Sở cử làm cốt cán năm nay và theo dõi."
)
SUPPORT_PLAN = (
    "Kế hoạch hỗ trợ đồng nghiệp năm học: (1) tháng 10: họp trực tuyến giới thiệu mô-đun GVPT 06 "
    "và yêu cầu sản phẩm cuối khóa; (2) tháng 11: dự giờ, góp ý kế hoạch kiểm tra, đánh giá của "
    "đồng nghiệp; (3) trả lời câu hỏi trên diễn đàn khóa học trong 2 ngày làm việc; (4) chấm sản "
    "phẩm trong 3 ngày kể từ khi nộp."
)
APPEAL = "Bảng đặc tả đã có ở trang 2 của kế hoạch (mục 2); đề nghị giảng viên xem lại phần này."
REVOKED = (
    "Sản phẩm cuối khóa trùng gần như toàn bộ với bài của học viên khác; hủy chứng nhận theo "
    "kết luận của Sở, học viên làm lại sản phẩm."
)


@dataclass
class DemoCascade:
    made: bool
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _account(username: str, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=name)
        user.set_password(PASSWORD)
        user.save()
    return user


def _ensure_accounts(*, officer: User, province: Unit) -> list[tuple[str, str, str]]:
    """``giangvien`` (lecturer on the province) and ``kiemdem`` (auditor for 30 days), granted
    once through the accounts service (a second run leaves the grants as they are)."""
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    lecturer = _account(LECTURER, "Giảng viên sư phạm")
    if (
        admin is not None
        and not RoleAssignment.objects.filter(
            user=lecturer, role=Role.LECTURER, unit=province
        ).exists()
    ):
        role_grant(actor=admin, user=lecturer, role=Role.LECTURER, unit=province)
    auditor = _account(AUDITOR, "Đoàn kiểm đếm độc lập")
    grant = RoleAssignment.objects.filter(user=auditor, role=Role.AUDITOR, unit=province).first()
    if grant is None:
        grant = role_grant(
            actor=officer,
            user=auditor,
            role=Role.AUDITOR,
            unit=province,
            until=timezone.localdate() + dt.timedelta(days=30),
        )
    until = timezone.localtime(grant.expires_at).date() - dt.timedelta(days=1)
    return [
        (LECTURER, "Giảng viên sư phạm (lecturer: second marks, appeals)", province.name),
        (
            AUDITOR,
            f"Kiểm đếm độc lập (auditor) đến {until:%d/%m/%Y}",
            province.name,
        ),
    ]


def _designate(
    *, officer: User, province: Unit, school: Unit, cotcan: Person, school_year: SchoolYear
) -> list[CoreCheck]:
    """``cotcan``, two candidates who meet every condition and one who does not (with the
    officer's reason), at the lower-secondary level, each for their first subject."""
    level = SchoolLevel.objects.filter(code=LEVEL).first()
    found, _cut = cascade_selectors.candidates(
        actor=officer, unit=province, school_year=school_year, subject=None, level=LEVEL
    )
    # Of other schools than cotcan's and the demo school's, and no demo account's record.
    taken = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    others = [
        c
        for c in found
        if c.person.unit_id not in (cotcan.unit_id, school.pk) and c.person.pk not in taken
    ]
    passing = [c.person for c in others if c.check.passed][:2]
    failing = [c.person for c in others if not c.check.passed][:1]
    checks = []
    for person in [cotcan, *passing, *failing]:
        check = cascade_selectors.check_person(
            person, school_year, kind=CoreKind.TEACHER, level=LEVEL
        )
        checks.append(
            cascade.core_designate(
                actor=officer,
                person=person,
                school_year=school_year,
                kind=CoreKind.TEACHER,
                subject=person.subjects.order_by("order").first(),
                level=level,
                override_reason="" if check.passed else OVERRIDE,
            )
        )
    return checks


def _through_quiz(user: User, enrolment: Enrolment, course: Course) -> None:
    """The learner reads, watches, plays the lesson and passes the test (as demo_learning's
    learners who hand in)."""
    activities = {a.kind: a for a in Activity.objects.filter(course=course)}
    learning.progress_record(
        enrolment=enrolment, activity=activities[ActivityKind.PAGE], state="complete"
    )
    learning.progress_record(
        enrolment=enrolment,
        activity=activities[ActivityKind.VIDEO],
        state="complete",
        data={"position": 40, "watched": 1.0},
    )
    learning.progress_record(
        enrolment=enrolment, activity=activities[ActivityKind.SCORM], state="passed", score=100
    )
    _take(Quiz.objects.get(activity=activities[ActivityKind.QUIZ]), enrolment, right=9)


@transaction.atomic
def seed_demo_cascade(
    *,
    officer: User,
    province: Unit,
    school: Unit,
    teacher: User | None,
    course: Course,
    school_year: SchoolYear,
) -> DemoCascade:
    accounts = _ensure_accounts(officer=officer, province=province)
    grader = User.objects.filter(username=GRADER).select_related("person").first()
    if grader is None or grader.person is None:
        return DemoCascade(False, accounts)
    cotcan = grader.person
    if CoreCheck.objects.filter(person=cotcan, school_year=school_year).exists():
        return DemoCascade(False, accounts)
    lines: list[str] = []

    # 1. Core staff with their conditions, caseloads, support.
    checks = _designate(
        officer=officer, province=province, school=school, cotcan=cotcan, school_year=school_year
    )
    overridden = sum(1 for c in checks if not c.passed)
    lines.append(
        f"Core teachers designated for {school_year.code}: {len(checks)} "
        f"({overridden} with the officer's reason)"
    )
    mass = set(cascade_selectors.mass_teachers(school, school_year).values_list("pk", flat=True))
    enrolments = [
        e
        for e in Enrolment.objects.filter(course=course)
        .select_related("person")
        .order_by("person__full_name", "pk")
        if e.person_id in mass
    ]
    own = teacher.person_id if teacher is not None else None
    learners = [e for e in enrolments if e.person_id != own]
    staged, queue, rest = learners[:7], learners[7:9], learners[9:]
    theirs = [e.person for e in [*staged, *queue]]
    if own is not None and own in mass:
        theirs.insert(0, Person.objects.get(pk=own))
    for person in theirs:
        cascade.caseload_assign(
            actor=officer,
            learner=person,
            core=cotcan,
            school_year=school_year,
            reason=CROSS_SCHOOL,
        )
    balanced = cascade.caseload_balance(actor=officer, unit=province, school_year=school_year)
    lines.append(
        f"Caseloads: {len(theirs)} colleagues of the demo school given to {GRADER} by hand, "
        f"{balanced.assigned} assigned by the balancing rule ({balanced.unassigned} left)"
    )
    cascade.support_plan_save(
        actor=grader, school_year=school_year, text=SUPPORT_PLAN, status=SupportPlanStatus.ACTIVE
    )
    colleagues = [p.pk for p in theirs]
    cascade.support_activity_add(
        actor=grader,
        school_year=school_year,
        date=school_year.start_date + dt.timedelta(days=40),
        form=SupportForm.ONLINE,
        colleagues=colleagues,
        note="Họp trực tuyến: giới thiệu mô-đun GVPT 06, yêu cầu và tiêu chí chấm sản phẩm.",
    )
    cascade.support_activity_add(
        actor=grader,
        school_year=school_year,
        date=school_year.start_date + dt.timedelta(days=75),
        form=SupportForm.OBSERVATION,
        colleagues=colleagues[:3],
        note="Dự giờ và góp ý kế hoạch kiểm tra, đánh giá chủ đề của đồng nghiệp.",
    )

    # 2. Grading: two more products in cotcan's queue, one in the overflow pool, an appeal and
    # the lecturers' sample.
    product = Activity.objects.get(course=course, kind=ActivityKind.PRODUCT)
    for user, enrolment in zip(_learner_accounts(queue), queue, strict=True):
        _through_quiz(user, enrolment, course)
        demo_submit(activity=product, learner=user)
    pooled = _pool(rest, cotcan, course, product, school_year)
    if pooled is not None:
        lines.append(f"Overflow pool: 1 product waiting since {pooled:%d/%m/%Y}")
    failed = (
        Submission.objects.filter(product__activity=product, status=SubmissionStatus.FAILED)
        .select_related("enrolment")
        .order_by("pk")
        .first()
    )
    if failed is not None:
        learner = User.objects.get(person_id=failed.enrolment.person_id)
        products.appeal_lodge(actor=learner, submission=failed, reason=APPEAL)
    passed = (
        Submission.objects.filter(product__activity=product, status=SubmissionStatus.PASSED)
        .order_by("pk")
        .first()
    )
    if passed is not None:
        demo_in_sample(submission=passed)

    # 3. Certificates: the Sở as issuer, the completed learners' certificates, one revoked.
    place = province.name.split(" thành phố ")[-1].split(" tỉnh ")[-1]
    issuer = certificates.issuer_save(
        actor=officer,
        unit=province,
        values={
            "parent_name": f"ỦY BAN NHÂN DÂN {place}".upper(),
            "name": province.name.upper(),
            "signer_name": "Trần Văn Minh",
            "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
            "place": place,
        },
    )
    certificates.programme_save(
        actor=officer,
        issuer=issuer,
        school_year=school_year,
        code=PROGRAMME,
        title="Bồi dưỡng thường xuyên, nội dung 03: đánh giá học sinh và dạy học phát triển "
        "năng lực",
        module_codes=[course.code, "GVPT02-DEMO"],
    )
    issued = certificates.certificates_backfill(course_id=course.pk, actor=officer)
    revoked = (
        Certificate.objects.filter(course=course, kind=CertificateKind.MODULE)
        .order_by("-pk")
        .first()
    )
    if revoked is not None:
        certificates.certificate_revoke(actor=officer, certificate=revoked, reason=REVOKED)
    lines.append(f"Certificates issued by {issuer.name}: {issued} (1 revoked)")

    # 4. Weekly progress: this week and the two before.
    _opened_weeks_ago(course)
    today = timezone.localdate()
    for weeks_ago in (2, 1, 0):
        tracking.snapshot_week(day=today - dt.timedelta(weeks=weeks_ago))
    lines.append("Weekly progress: this week's snapshot and the two weeks before")
    return DemoCascade(True, accounts, lines)


def _opened_weeks_ago(course: Course) -> None:
    """The demo's third shortcut, so the weekly trend has a past: the learners were enrolled
    16 days ago and started 10 days ago, and the first to complete did so 8 days ago (their
    progress moved with them). Only the demo course's timestamps move; the clock does not."""
    now = timezone.now()
    enrolments = Enrolment.objects.filter(course=course)
    enrolments.update(enrolled_at=now - dt.timedelta(days=16))
    enrolments.filter(started_at__isnull=False).update(
        started_at=F("started_at") - dt.timedelta(days=10)
    )
    first = enrolments.filter(status=EnrolmentStatus.COMPLETED).order_by("completed_at", "pk")
    early = first.values_list("pk", flat=True).first()
    if early is not None:
        back = dt.timedelta(days=8)
        Enrolment.objects.filter(pk=early).update(
            started_at=F("started_at") - back, completed_at=F("completed_at") - back
        )
        ActivityProgress.objects.filter(enrolment_id=early, completed_at__isnull=False).update(
            completed_at=F("completed_at") - back
        )
        # Their test and final product moved with them, so the dates an auditor reads agree.
        Attempt.objects.filter(enrolment_id=early).update(
            started_at=F("started_at") - back,
            deadline=F("deadline") - back,
            finished_at=F("finished_at") - back,
        )
        Submission.objects.filter(enrolment_id=early).update(
            submitted_at=F("submitted_at") - back,
            waiting_since=F("waiting_since") - back,
            graded_at=F("graded_at") - back,
        )


def _pool(
    rest: list[Enrolment],
    cotcan: Person,
    course: Course,
    product: Activity,
    school_year: SchoolYear,
) -> dt.datetime | None:
    """A colleague of another core teacher hands in, and that core teacher (given an account,
    as every core teacher has on the LMS) has not graded it for four days: the overflow pool."""
    cores = dict(
        Caseload.objects.filter(
            school_year=school_year, learner_id__in=[e.person_id for e in rest]
        ).values_list("learner_id", "core_id")
    )
    enrolment = next(
        (e for e in rest if cores.get(e.person_id) not in (None, cotcan.pk)),
        None,
    )
    if enrolment is None:
        return None
    core = Person.objects.select_related("unit").get(pk=cores[enrolment.person_id])
    if not User.objects.filter(person=core).exists():
        _learner_accounts_for_core(core)
    (user,) = _learner_accounts([enrolment])
    _through_quiz(user, enrolment, course)
    submission = demo_submit(activity=product, learner=user)
    return demo_overdue(submission=submission, days=4).waiting_since


def _learner_accounts_for_core(core: Person) -> User:
    """The LMS account of a core teacher (signs in with the staff code; unusable here)."""
    user = User(username=f"cc{core.staff_code}".lower()[:150], first_name=core.full_name[:150])
    user.person = core
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.CORE_TEACHER, unit=core.unit)
    return user
