"""A course of province A with the evidence an auditor reads: teacher A1 took the test, handed
in a final product graded Đạt by the course's officer, attended 4 of 5 sessions and handed in
the survey, then completed; a teacher of school A2 and one of province B completed too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.roles import Role
from opentemis.core.scoping import system_scope
from opentemis.evidence.tests import files
from opentemis.learning import services as learning
from opentemis.learning.models import Enrolment, EnrolmentStatus
from opentemis.learning.services import progress_record
from opentemis.products import services as products
from opentemis.products.demo import demo_product
from opentemis.products.models import Submission
from opentemis.quizzes import services as quizzes
from opentemis.quizzes.demo import demo_bank
from tests.factories import make_user
from tests.learning_world import LearningWorld, make_course


@dataclass
class Scene:
    w: Any
    lw: LearningWorld
    mine: Enrolment  # teacher A1's, completed, with every kind of evidence
    a2: Enrolment  # a teacher of school A2, completed
    b1: Enrolment  # a teacher of province B, completed
    submission: Submission
    auditor: User  # of school A1, valid for 30 days
    grant: RoleAssignment


def make_auditor(username: str, unit: Any, *, days: float = 30) -> tuple[User, RoleAssignment]:
    user = make_user(username, role=Role.AUDITOR, unit=unit)
    grant = RoleAssignment.objects.get(user=user)
    grant.expires_at = timezone.now() + dt.timedelta(days=days)
    grant.save(update_fields=["expires_at"])
    return User.objects.get(pk=user.pk), grant


def complete(enrolment: Enrolment) -> Enrolment:
    with system_scope():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            status=EnrolmentStatus.COMPLETED, completed_at=timezone.now()
        )
        return Enrolment.objects.get(pk=enrolment.pk)


@pytest.fixture
def scene(world: Any) -> Scene:
    lw = make_course(world)
    with system_scope():
        product = lw.activity("product", "Sản phẩm cuối khóa", pass_required=True)
        demo_product(activity=product)
        submission = products.submission_submit(
            actor=world.teacher_a1,
            activity=product,
            enrolment=lw.enrolment,
            text="Kế hoạch kiểm tra, đánh giá.",
            uploaded_file=SimpleUploadedFile("ke-hoach.pdf", files.pdf(), "application/pdf"),
        )
        submission = products.submission_grade(
            actor=world.officer_a, submission=submission, passed=True, score="8.5"
        )
        quiz_activity = lw.activity("quiz", "Bài kiểm tra cuối mô-đun", pass_required=True)
        quiz = demo_bank(module=lw.module, activity=quiz_activity)
        attempt = quizzes.attempt_start(enrolment=lw.enrolment, quiz=quiz)
        quizzes.attempt_submit(attempt=attempt)
        face = lw.activity("page", "Lớp tập trung")
        face.kind = "class"
        face.save(update_fields=["kind"])
        progress_record(
            enrolment=lw.enrolment, activity=face, state="complete", data={"present": 4, "held": 5}
        )
        survey = lw.activity("page", "Khảo sát mức độ hài lòng")
        survey.kind = "survey"
        survey.save(update_fields=["kind"])
        progress_record(enrolment=lw.enrolment, activity=survey, state="complete")
    mine = complete(lw.enrolment)
    a2 = complete(lw.enrol(world.person_a2))
    with system_scope():
        course_b = learning.course_create(
            actor=None,
            unit=world.province_b,
            school_year=world.year,
            title="Mô-đun GVPT 06 (Tỉnh Bình)",
            code="GVPT06",
            hours="10",
            module=lw.module,
        )
        b1 = complete(learning.enrol_person(actor=None, course=course_b, person=world.person_b1))
    auditor, grant = make_auditor("auditor_a1", world.school_a1)
    return Scene(world, lw, mine, a2, b1, submission, auditor, grant)
