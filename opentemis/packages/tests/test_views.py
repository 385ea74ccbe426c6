"""The pages and endpoints: upload, serving, the SCORM commit, the H5P reports, scoping,
the module package export and import."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opentemis.core.http import SANDBOX_POLICY
from opentemis.core.scoping import system_scope
from opentemis.learning import kinds
from opentemis.learning.models import ActivityProgress
from opentemis.packages import services
from opentemis.packages.demo import demo_h5p, demo_scorm
from opentemis.packages.demo.builder import scorm12_zip, scorm2004_zip
from opentemis.packages.http import PACKAGE_POLICY
from opentemis.packages.models import Package, Runtime, Standard
from opentemis.packages.tests import zips
from tests.factories import PersonFactory, make_user
from tests.learning_world import LearningWorld, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def lw(world: Any) -> LearningWorld:
    return make_course(world)


@pytest.fixture
def scorm(lw: LearningWorld) -> Package:
    activity = lw.activity("scorm", "Gói SCORM", pass_required=True)
    with system_scope():
        return demo_scorm(activity=activity)


def _commit_url(client: Any, package: Package) -> str:
    page = client.get(reverse("packages_play", args=[package.activity_id]))
    assert page.status_code == 200
    config = json.loads(
        page.content.decode()
        .split('id="package-config" type="application/json">')[1]
        .split("</script>")[0]
    )
    return str(config["commit"])


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="text/plain;charset=UTF-8")


# --- upload --------------------------------------------------------------------------------


def test_the_officer_uploads_and_sees_version_and_launch(lw: LearningWorld) -> None:
    activity = lw.activity("scorm", "Gói")
    client = lw.w.client_for(lw.w.officer_a)
    url = reverse("packages_manage", args=[activity.pk])
    upload = SimpleUploadedFile("goi.zip", scorm2004_zip(), content_type="application/zip")
    assert client.post(url, {"package": upload}).status_code == 302
    page = client.get(url).content.decode()
    assert "SCORM 2004" in page and "2004 4th Edition" in page
    assert "bai-hoc/index.html" in page
    with system_scope():
        package = Package.objects.get(activity=activity)
    assert package.version == 1 and package.files == ["imsmanifest.xml", "bai-hoc/index.html"]
    assert default_storage.exists(package.file_key("bai-hoc/index.html"))
    assert default_storage.exists(package.source_key)


def test_a_refused_upload_says_why_and_stores_nothing(lw: LearningWorld) -> None:
    activity = lw.activity("scorm", "Gói")
    client = lw.w.client_for(lw.w.officer_a)
    bad = zips.with_name("../../evil.js")
    response = client.post(
        reverse("packages_manage", args=[activity.pk]),
        {"package": SimpleUploadedFile("goi.zip", bad)},
    )
    assert response.status_code == 400
    assert "không được phép" in response.content.decode()
    assert not Package.objects.filter(activity=activity).exists()
    assert not default_storage.exists(f"packages/{activity.pk}")


def test_a_failure_while_storing_leaves_no_file(
    lw: LearningWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    activity = lw.activity("scorm", "Gói")
    written: list[str] = []
    original = default_storage.save

    def save(name: str, content: Any, **kwargs: Any) -> str:
        if name.endswith("source.zip"):
            raise OSError("disk full")
        written.append(name)
        return str(original(name, content, **kwargs))

    monkeypatch.setattr(default_storage, "save", save)
    data = scorm12_zip()
    with system_scope(), pytest.raises(OSError):
        services.package_upload(
            actor=None, activity=activity, upload=io.BytesIO(data), size=len(data)
        )
    assert written and not any(default_storage.exists(n) for n in written)
    assert not Package.objects.filter(activity=activity).exists()


def test_replacing_removes_the_old_files(lw: LearningWorld, scorm: Package) -> None:
    old = scorm.file_key("bai-hoc/index.html")
    data = scorm2004_zip()
    with system_scope():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            new = services.package_upload(
                actor=None, activity=scorm.activity, upload=io.BytesIO(data), size=len(data)
            )
    assert new.pk == scorm.pk and new.version == 2 and new.standard == Standard.SCORM2004
    assert not default_storage.exists(old)
    assert default_storage.exists(new.file_key("bai-hoc/index.html"))


def test_only_the_courses_officer_uploads(lw: LearningWorld) -> None:
    activity = lw.activity("scorm", "Gói")
    officer_b = make_user("officer_b", role="unit_officer", unit=lw.w.province_b)
    data = scorm12_zip()
    for user in (lw.w.teacher_a1, officer_b):
        response = lw.w.client_for(user).post(
            reverse("packages_manage", args=[activity.pk]),
            {"package": SimpleUploadedFile("goi.zip", data)},
        )
        assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.package_upload(
            actor=officer_b, activity=activity, upload=io.BytesIO(data), size=len(data)
        )


def test_a_page_activity_takes_no_package(lw: LearningWorld) -> None:
    page = lw.activity("page", "Trang")
    data = scorm12_zip()
    with system_scope(), pytest.raises(ValidationError):
        services.package_upload(actor=None, activity=page, upload=io.BytesIO(data), size=9)
    assert (
        lw.w.client_for(lw.w.officer_a).get(reverse("packages_manage", args=[page.pk])).status_code
        == 404
    )


# --- serving -------------------------------------------------------------------------------


def test_the_launch_page_is_served_to_run_in_the_players_frame(
    lw: LearningWorld, scorm: Package
) -> None:
    url = reverse("packages_file", args=[scorm.activity_id, "bai-hoc/index.html"])
    response = lw.w.client_for(lw.w.teacher_a1).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == PACKAGE_POLICY
    assert "frame-ancestors 'self'" in PACKAGE_POLICY and "object-src 'none'" in PACKAGE_POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "Content-Disposition" not in response
    assert "LMSInitialize" in response.content.decode()
    # Opened alone in the browser, it goes to the player page.
    alone = lw.w.client_for(lw.w.teacher_a1).get(url, headers={"Sec-Fetch-Dest": "document"})
    assert alone.status_code == 302
    assert alone["Location"] == reverse("packages_play", args=[scorm.activity_id])


def test_other_files_go_through_the_sandboxed_helper(lw: LearningWorld, scorm: Package) -> None:
    url = reverse("packages_file", args=[scorm.activity_id, "imsmanifest.xml"])
    response = lw.w.client_for(lw.w.officer_a).get(url)  # the officer previews
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Security-Policy"] == SANDBOX_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "path", ["nope.html", "../imsmanifest.xml", "bai-hoc/../imsmanifest.xml", "BAI-HOC/index.html"]
)
def test_a_name_the_package_does_not_hold_is_a_404(
    lw: LearningWorld, scorm: Package, path: str
) -> None:
    url = reverse("packages_file", args=[scorm.activity_id, "x"])[:-1] + path
    assert lw.w.client_for(lw.w.teacher_a1).get(url).status_code == 404


def test_outsiders_get_404_everywhere(lw: LearningWorld, scorm: Package) -> None:
    officer_b = make_user("officer_b", role="unit_officer", unit=lw.w.province_b)
    other = PersonFactory(unit=lw.w.school_a1, full_name="Lê Văn Khác", staff_code="GVA1X")
    colleague = make_user("colleague", role="teacher", unit=lw.w.school_a1, person=other)
    pk = scorm.activity_id
    urls = [
        reverse("packages_play", args=[pk]),
        reverse("packages_file", args=[pk, "bai-hoc/index.html"]),
        reverse("packages_file", args=[pk, "imsmanifest.xml"]),
        reverse("packages_commit", args=[pk]),
        reverse("packages_manage", args=[pk]),
    ]
    for user in (officer_b, colleague, lw.w.principal_a1):
        client = lw.w.client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
            assert client.post(url).status_code == 404, (user.username, url)
    # The learner does not manage the course.
    assert lw.w.client_for(lw.w.teacher_a1).get(urls[-1]).status_code == 404
    # The officer who manages it is not enrolled: no player, no commit.
    assert lw.w.client_for(lw.w.officer_a).get(urls[0]).status_code == 404
    assert lw.w.client_for(lw.w.officer_a).post(urls[3]).status_code == 404


# --- the SCORM commit ----------------------------------------------------------------------

PASSED_12 = {
    "cmi.core.lesson_status": "passed",
    "cmi.core.score.raw": "67",
    "cmi.core.score.min": "0",
    "cmi.core.score.max": "100",
    "cmi.core.lesson_location": "cau-3",
    "cmi.suspend_data": '{"q0":1,"q1":2}',
    "cmi.core.exit": "suspend",
    "cmi.core.total_time": "00:02:00",
    "cmi.core.session_time": "00:01:00",
}


def _progress(lw: LearningWorld, package: Package) -> ActivityProgress:
    with system_scope():
        return ActivityProgress.objects.get(enrolment=lw.enrolment, activity_id=package.activity_id)


def test_a_commit_is_stored_judged_and_reported(lw: LearningWorld, scorm: Package) -> None:
    client = lw.w.client_for(lw.w.teacher_a1)
    url = _commit_url(client, scorm)
    started = _post(client, url, {"cmi.core.lesson_status": "incomplete"})
    assert started.json() == {
        "result": True,
        "errorCode": 0,
        "state": "started",
        "label": "Đang học",
        "score": None,
    }
    assert _progress(lw, scorm).state == "started"
    answer = _post(client, url, PASSED_12)
    assert answer.json()["state"] == "passed" and answer.json()["score"] == "67.00"
    progress = _progress(lw, scorm)
    assert (progress.state, progress.score) == ("passed", 67)
    with system_scope():
        runtime = Runtime.objects.get(package=scorm)
    assert runtime.data["cmi.core.lesson_location"] == "cau-3"
    assert runtime.unit_path == lw.enrolment.unit_path
    # The course's only required activity is passed: the learner completed the course.
    lw.enrolment.refresh_from_db()
    assert lw.enrolment.status == "completed"


def test_the_same_commit_twice_writes_nothing(lw: LearningWorld, scorm: Package) -> None:
    client = lw.w.client_for(lw.w.teacher_a1)
    url = _commit_url(client, scorm)
    _post(client, url, PASSED_12)
    with CaptureQueriesContext(connection) as queries:
        again = _post(client, url, PASSED_12)
    assert again.status_code == 200 and again.json()["state"] == "passed"
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    with system_scope():
        assert Runtime.objects.get(package=scorm).commits == 1


def test_a_later_failure_does_not_undo_a_pass(lw: LearningWorld, scorm: Package) -> None:
    client = lw.w.client_for(lw.w.teacher_a1)
    url = _commit_url(client, scorm)
    _post(client, url, PASSED_12)
    _post(
        client, url, {**PASSED_12, "cmi.core.lesson_status": "failed", "cmi.core.score.raw": "10"}
    )
    assert _progress(lw, scorm).state == "passed"


def test_the_player_resumes_where_the_learner_left(lw: LearningWorld, scorm: Package) -> None:
    client = lw.w.client_for(lw.w.teacher_a1)
    _post(client, _commit_url(client, scorm), PASSED_12)
    page = client.get(reverse("packages_play", args=[scorm.activity_id])).content.decode()
    config = json.loads(
        page.split('id="package-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["cmi"]["cmi.core.lesson_location"] == "cau-3"
    assert config["cmi"]["cmi.suspend_data"] == '{"q0":1,"q1":2}'
    assert config["cmi"]["cmi.core.entry"] == "resume"
    assert config["cmi"]["cmi.core.student_id"] == lw.w.person_a1.staff_code
    assert config["launch"].endswith("/files/bai-hoc/index.html")
    assert "Đạt" in page


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"evil": "x"}).encode(),
        b"{" * 100_000,
        json.dumps({"cmi.core.lesson_status": "x" * 70_000}).encode(),
    ],
)
def test_a_bad_commit_is_refused_with_a_message(
    lw: LearningWorld, scorm: Package, body: bytes
) -> None:
    client = lw.w.client_for(lw.w.teacher_a1)
    response = client.post(_commit_url(client, scorm), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["result"] is False and response.json()["detail"]
    with system_scope():
        assert not Runtime.objects.filter(package=scorm).exists()


def test_a_commit_without_the_pages_key_is_refused(lw: LearningWorld, scorm: Package) -> None:
    client = lw.w.client_for(lw.w.teacher_a1)
    url = reverse("packages_commit", args=[scorm.activity_id])
    for key in ("", "?k=forged"):
        assert _post(client, url + key, PASSED_12).status_code == 400
    with system_scope():
        assert not Runtime.objects.filter(package=scorm).exists()
    # GET: what is stored.
    assert client.get(url).json() == {"cmi": {}}


def test_prerequisites_come_first(lw: LearningWorld, scorm: Package) -> None:
    first = lw.activity("page", "Đọc trước")
    with system_scope():
        scorm.activity.prerequisites.set([first])
    client = lw.w.client_for(lw.w.teacher_a1)
    page = client.get(reverse("packages_play", args=[scorm.activity_id])).content.decode()
    assert "Đọc trước" in page and "package-config" not in page
    with system_scope(), pytest.raises(ValidationError):
        services.runtime_commit(
            enrolment=lw.enrolment, activity=scorm.activity, package=scorm, payload=PASSED_12
        )


def test_the_2004_commit(lw: LearningWorld) -> None:
    activity = lw.activity("scorm", "Gói 2004")
    with system_scope():
        package = demo_scorm(activity=activity, version="2004")
        runtime = services.runtime_commit(
            enrolment=lw.enrolment,
            activity=activity,
            package=package,
            payload={
                "cmi.completion_status": "completed",
                "cmi.success_status": "failed",
                "cmi.score.scaled": "0.33",
                "cmi.location": "cau-1",
            },
        )
    assert (runtime.state, str(runtime.score)) == ("failed", "33.00")


# --- H5P -----------------------------------------------------------------------------------


def test_h5p_statements_report_progress(lw: LearningWorld) -> None:
    activity = lw.activity("h5p", "H5P")
    with system_scope():
        package = demo_h5p(activity=activity)
    assert package.standard == Standard.H5P and package.detail == "OpenTEMIS.Quiz 1.0"
    client = lw.w.client_for(lw.w.teacher_a1)
    page = client.get(reverse("packages_play", args=[activity.pk]))
    assert page.status_code == 200 and "h5p-container" in page.content.decode()
    url = reverse("packages_xapi", args=[activity.pk])
    statement = {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "result": {"score": {"raw": 3, "max": 3, "scaled": 1}, "success": True, "completion": True},
    }
    answer = client.post(url, {"statement": statement}, content_type="application/json")
    assert answer.json()["state"] == "passed" and answer.json()["score"] == "100.00"
    assert _progress(lw, package).state == "passed"
    again = client.post(url, {"statement": statement}, content_type="application/json")
    assert again.status_code == 200
    with system_scope():
        assert Runtime.objects.get(package=package).commits == 1
    saved = client.post(url, {"state": '{"answers":[1]}'}, content_type="application/json")
    assert saved.status_code == 200
    assert client.post(url, {"nothing": 1}, content_type="application/json").status_code == 400
    library = reverse("packages_file", args=[activity.pk, "OpenTEMIS.Quiz-1.0/quiz.js"])
    served = client.get(library)
    assert served["Content-Type"] == "text/javascript"
    assert served["Content-Security-Policy"] == SANDBOX_POLICY


# --- module packages -----------------------------------------------------------------------


def test_export_and_import_carry_the_zip(lw: LearningWorld, scorm: Package) -> None:
    kind = kinds.get("scorm")
    assert kind is not None and kind.exporter and kind.importer
    with system_scope():
        data, files = kind.exporter(scorm.activity)
        assert data["standard"] == Standard.SCORM12 and files["package.zip"] == scorm12_zip()
        copy = lw.activity("scorm", "Bản sao")
        kind.importer(copy, json.loads(json.dumps(data)), files)
        imported = Package.objects.get(activity=copy)
    assert (imported.standard, imported.launch, imported.sha256) == (
        scorm.standard,
        scorm.launch,
        scorm.sha256,
    )
    assert kinds.learner_url("h5p", 5) == "/learn/packages/5/"
    assert kinds.manage_url("scorm", 5) == "/learn/packages/5/manage/"


def test_an_id_past_every_column_is_a_404(lw: LearningWorld, scorm: Package) -> None:
    url = reverse("packages_file", args=[2**63, "imsmanifest.xml"])
    assert lw.w.client_for(lw.w.teacher_a1).get(url).status_code == 404
