"""The certificates app's things for the route matrix (tests/test_route_matrix.py), built on the
shared course (tests/learning_world.py).

* ``certificates.issuer``: province A configured as an issuer (``officer_a`` manages it);
* ``certificates.programme``: a programme it certifies for the year;
* ``certificates.school``, ``certificates.province``: school A1 and province A (a unit's ZIP,
  configuring a unit as an issuer);
* ``certificate``: teacher A1's module certificate of a second course of province A (completed;
  the shared course's enrolment is left as it is for the other apps), and
  ``certificate.code`` its code.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from opentemis.certificates import services
from opentemis.learning import services as learning
from opentemis.learning.models import CourseStatus, Enrolment, EnrolmentStatus
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = (
    "certificate",
    "certificate.code",
    "certificates.issuer",
    "certificates.programme",
    "certificates.school",
    "certificates.province",
)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "certificates_detail": {"pk": "certificate"},
    "certificates_verify_code": {"code": "certificate.code"},
    "certificates_issuer": {"pk": "certificates.issuer"},
    "certificates_programme": {"pk": "certificates.programme"},
    "certificates_unit_issuer": {"pk": "certificates.province"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "certificates_pdf": {"pk": "certificate"},
    "certificates_badge": {"pk": "certificate"},
    "certificates_revoke": {"pk": "certificate"},
    "certificates_reissue": {"pk": "certificate"},
    "certificates_issuer_sample": {"pk": "certificates.issuer"},
    "certificates_programme_add": {"pk": "certificates.issuer"},
    "certificates_unit_zip": {"pk": "certificates.school"},
    "certificates_course_issue": {"pk": "course"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {
    "/api/v1/certificates/": "certificate",
    "/api/v1/certificates/verify/": "certificate.code",
}


def completed_certificate(lw: LearningWorld, code: str = "GVPT07") -> Any:
    """Teacher A1 completes a second course of province A; its certificate is issued."""
    w = lw.w
    course = learning.course_create(
        actor=None,
        unit=w.province_a,
        school_year=w.year,
        title="Mô-đun GVPT 07: Tư vấn và hỗ trợ học sinh",
        code=code,
        hours="15",
        module=lw.module,
    )
    course.status = CourseStatus.OPEN
    course.save(update_fields=["status"])
    enrolment = learning.enrol_person(actor=None, course=course, person=w.person_a1)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.COMPLETED, completed_at=timezone.now()
    )
    return services.certificate_issue_for_enrolment(enrolment_pk=enrolment.pk)


def things(lw: LearningWorld) -> dict[str, tuple[Any, Any]]:
    """kind -> (value, the account that owns it: the holder, or the issuer's officer)."""
    w = lw.w
    issuer = services.issuer_save(
        actor=None,
        unit=w.province_a,
        values={
            "name": "Sở Giáo dục và Đào tạo A",
            "signer_name": "Trần Văn Ký",
            "signer_title": "Giám đốc",
            "place": "Thành phố A",
        },
    )
    programme = services.programme_save(
        actor=None,
        issuer=issuer,
        school_year=w.year,
        code="CT-ETEP",
        title="Chương trình bồi dưỡng giáo viên cốt cán",
        module_codes=["GVPT07", "GVPT08"],
    )
    certificate = completed_certificate(lw)
    return {
        "certificate": (certificate.pk, w.teacher_a1),
        "certificate.code": (certificate.code, w.teacher_a1),
        "certificates.issuer": (issuer.pk, w.officer_a),
        "certificates.programme": (programme.pk, w.officer_a),
        # School A1 and province A, for the routes the matrix names "unit.school" and
        # "unit.province" (the crawl and the hostile-input test read the learning things).
        "certificates.school": (w.school_a1.pk, w.officer_a),
        "certificates.province": (w.province_a.pk, w.officer_a),
    }
