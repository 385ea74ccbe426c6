"""The demo's online course (issue 13 item 9): one complete course built by the project, with
learners at every stage.

The province (account ``so``) offers module GVPT 06 "Kiểm tra, đánh giá học sinh theo hướng
phát triển phẩm chất, năng lực" to the staff of the demo school: an introduction page, a short
video made by the project, a small SCORM 1.2 package made by the project, a reference file, the
final test (a bank of 20 questions, 10 drawn), the final product graded by a core teacher of
another school (account ``cotcan``), a forum, a face-to-face class and the satisfaction survey.
The school's staff are enrolled by the course's audience rule; some have completed the course
(their periods are in their BDTX ledger), one waits for the grader, one was graded Chưa đạt,
one failed the test once, one stopped in the video, the rest (the demo teacher ``giaovien``
among them) have not started. Made once: a second run finds the course and leaves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import Role
from opentemis.classes.demo import demo_class
from opentemis.core.pdf import Document
from opentemis.forums.demo import demo_forum
from opentemis.learning import services
from opentemis.learning.models import Activity, Course, CourseStatus, Enrolment
from opentemis.materials.demo import demo_page, demo_video
from opentemis.materials.models import AssetRole
from opentemis.materials.services import asset_upload
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.packages.demo import demo_scorm
from opentemis.products.demo import demo_grade, demo_product, demo_submit
from opentemis.quizzes import services as quizzes
from opentemis.quizzes.demo import demo_bank
from opentemis.quizzes.models import Quiz
from opentemis.staff.models import EmploymentStatus, Person
from opentemis.surveys.demo import demo_survey
from opentemis.training.models import Module

CODE = "GVPT06-DEMO"
GRADER = "cotcan"


@dataclass
class DemoCourse:
    course: Course
    made: bool
    grader: User | None


def _correct(version: Any) -> Any:
    """The right response to a question version (the demo's learners who pass know them)."""
    data = version.data
    if version.kind == "single":
        return next(i for i, c in enumerate(data["choices"]) if c["correct"])
    if version.kind == "multiple":
        return [i for i, c in enumerate(data["choices"]) if c["correct"]]
    if version.kind == "truefalse":
        return data["answer"]
    if version.kind == "numeric":
        return str(data["answers"][0]["value"])
    return data["answers"][0]["text"]


def _take(quiz: Quiz, enrolment: Enrolment, right: int) -> None:
    """An attempt with the first ``right`` answers right and the others left empty."""
    attempt = quizzes.attempt_start(enrolment=enrolment, quiz=quiz)
    for slot in attempt.slots.select_related("question_version").order_by("position"):
        if slot.position <= right:
            quizzes.answer_save(
                attempt=attempt, position=slot.position, response=_correct(slot.question_version)
            )
    quizzes.attempt_submit(attempt=attempt)


def _grader(province: Unit, school: Unit) -> User | None:
    """``cotcan``: a teacher of another school of the province, core teacher of the year."""
    user = User.objects.filter(username=GRADER).first()
    if user is not None:
        return user
    levels = list(school.levels.values_list("code", flat=True))
    person = (
        Person.objects.filter(
            unit_path__startswith=province.path,
            unit__kind=UnitKind.SCHOOL,
            unit__levels__code__in=levels,
            positions__code="GV",
            employment_status=EmploymentStatus.WORKING,
            user__isnull=True,
        )
        .exclude(unit=school)
        .order_by("pk")
        .first()
    )
    if person is None:
        return None
    user = User(username=GRADER, first_name=person.full_name[:150], person=person)
    user.set_password("demo2025")
    user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.CORE_TEACHER, unit=person.unit)
    return user


def _learner_accounts(enrolments: list[Enrolment]) -> list[User]:
    """Accounts for the learners the demo puts at a stage (they sign in with their staff code
    and a password their school gives them: unusable here)."""
    users = []
    for enrolment in enrolments:
        user = User.objects.filter(person_id=enrolment.person_id).first()
        if user is None:
            person = enrolment.person
            user = User(
                username=f"hv{person.staff_code}".lower()[:150],
                first_name=person.full_name[:150],
                person=person,
            )
            user.set_unusable_password()
            user.save()
            RoleAssignment.objects.get_or_create(user=user, role=Role.TEACHER, unit=person.unit)
        users.append(user)
    return users


@transaction.atomic
def seed_demo_learning(
    *, officer: User, province: Unit, school: Unit, teacher: User | None, school_year: SchoolYear
) -> DemoCourse:
    existing = Course.objects.filter(school_year=school_year, unit=province, code=CODE).first()
    if existing is not None:
        return DemoCourse(existing, False, User.objects.filter(username=GRADER).first())
    module = (
        Module.objects.filter(catalogue__school_year=school_year, code__iexact="GVPT 06").first()
        or Module.objects.filter(catalogue__school_year=school_year, audience="GV")
        .order_by("pk")
        .first()
    )
    course = services.course_create(
        actor=officer,
        unit=province,
        school_year=school_year,
        title="Kiểm tra, đánh giá học sinh theo hướng phát triển phẩm chất, năng lực",
        code=CODE,
        hours="10",
        module=module,
        summary=(
            "Mô-đun bồi dưỡng thường xuyên GVPT 06 (chương trình 03). Học trực tuyến: đọc giới "
            "thiệu, xem video, học bài tương tác, làm bài kiểm tra cuối mô-đun, nộp sản phẩm "
            "cuối khóa cho giáo viên cốt cán chấm và trả lời phiếu khảo sát."
        ),
        starts=school_year.start_date,
        due=max(school_year.end_date - dt.timedelta(days=60), school_year.start_date),
        audience={"units": [school.pk]},
    )
    intro = services.section_add(actor=officer, course=course, title="1. Giới thiệu mô-đun")
    study = services.section_add(actor=officer, course=course, title="2. Học liệu")
    check = services.section_add(actor=officer, course=course, title="3. Kiểm tra và sản phẩm")
    close = services.section_add(actor=officer, course=course, title="4. Trao đổi và khảo sát")

    def add(section: Any, kind: str, title: str, **fields: Any) -> Activity:
        return services.activity_add(
            actor=officer, section=section, kind=kind, title=title, **fields
        )

    page = add(intro, "page", "Giới thiệu mô-đun và yêu cầu cần đạt")
    demo_page(activity=page)
    video = add(
        intro,
        "video",
        "Video: Vì sao đánh giá vì sự tiến bộ của học sinh",
        options={"min_watch": 0.8},
    )
    demo_video(activity=video)
    scorm = add(study, "scorm", "Bài học tương tác: Công cụ đánh giá", pass_required=True)
    demo_scorm(activity=scorm)
    reference = add(study, "file", "Tài liệu: Thông tư 22/2021/TT-BGDĐT (tóm tắt)", required=False)
    asset_upload(
        actor=None,
        activity=reference,
        role=AssetRole.FILE,
        uploaded_file=ContentFile(_reference_pdf(), name="tom-tat-thong-tu-22.pdf"),
    )
    quiz_activity = add(
        check, "quiz", "Bài kiểm tra cuối mô-đun", pass_required=True, prerequisites=[video]
    )
    quiz = demo_bank(module=module, activity=quiz_activity)
    product = add(
        check,
        "product",
        "Sản phẩm cuối khóa: kế hoạch kiểm tra, đánh giá một chủ đề",
        pass_required=True,
    )
    demo_product(activity=product)
    forum = add(close, "forum", "Diễn đàn hỏi đáp với giáo viên cốt cán", required=False)
    face = add(close, "class", "Buổi học tập trung (dành cho cốt cán)", required=False)
    survey = add(close, "survey", "Phiếu khảo sát mức độ hài lòng")
    services.course_open(actor=officer, course=course)
    services.enrol_sync(course=course)  # now, not in the worker: the demo shows them at once
    grader = _grader(province, school)
    if grader is not None:
        services.grader_set(actor=officer, course=course, user=grader, unit=school)
    demo_class(activity=face, unit=school, taken_days=0)  # attendance would start everyone

    enrolments = list(
        Enrolment.objects.filter(course=course)
        .exclude(person_id=teacher.person_id if teacher and teacher.person_id else 0)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    staged = _learner_accounts(enrolments[:7])
    people = dict(zip(staged, enrolments[:7], strict=True))
    marker = grader or officer

    def through_product(user: User, enrolment: Enrolment, *, grade: bool | None) -> None:
        services.progress_record(enrolment=enrolment, activity=page, state="complete")
        services.progress_record(
            enrolment=enrolment,
            activity=video,
            state="complete",
            data={"position": 40, "watched": 1.0},
        )
        services.progress_record(enrolment=enrolment, activity=scorm, state="passed", score=100)
        _take(quiz, enrolment, right=9)
        submission = demo_submit(activity=product, learner=user)
        if grade is not None:
            demo_grade(grader=marker, submission=submission, passed=grade)

    for index, (user, enrolment) in enumerate(people.items()):
        if index in (0, 1, 2):  # completed: Đạt and the survey answered
            through_product(user, enrolment, grade=True)
            demo_survey(activity=survey, enrolments=[enrolment], share=1.0)
        elif index == 3:  # waits for the grader
            through_product(user, enrolment, grade=None)
        elif index == 4:  # graded Chưa đạt: hands in again
            through_product(user, enrolment, grade=False)
        elif index == 5:  # failed the test once
            services.progress_record(enrolment=enrolment, activity=page, state="complete")
            services.progress_record(
                enrolment=enrolment, activity=video, state="complete", data={"watched": 0.9}
            )
            _take(quiz, enrolment, right=3)
        else:  # stopped in the video
            services.progress_record(enrolment=enrolment, activity=page, state="complete")
            services.progress_record(
                enrolment=enrolment,
                activity=video,
                state="started",
                data={"position": 12, "watched": 0.3},
            )
    demo_forum(activity=forum, people=[marker, *staged[:4]])
    course.refresh_from_db()
    assert course.status == CourseStatus.OPEN
    return DemoCourse(course, True, grader)


def _reference_pdf() -> bytes:
    """A one-page PDF made by the project (the house's fpdf2 document), the reference file."""
    pdf = Document(title="Tóm tắt Thông tư 22/2021/TT-BGDĐT", size=13)
    pdf.add_page()
    pdf.multi_cell(
        0,
        8,
        "Tóm tắt Thông tư 22/2021/TT-BGDĐT quy định về đánh giá học sinh trung học cơ sở và "
        "trung học phổ thông: đánh giá thường xuyên và đánh giá định kì; đánh giá bằng nhận xét "
        "và bằng điểm số; kết quả học tập và rèn luyện. Tài liệu tham khảo của khóa bồi dưỡng "
        "GVPT 06 (bản tóm tắt do OpenTEMIS soạn cho dữ liệu mẫu).",
    )
    return pdf.to_bytes()
