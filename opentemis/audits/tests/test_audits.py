"""The independent auditor's pages (issue 14 item 7): the subtree only, only while the grant is
valid, read-only; the evidence behind completions (the certificate included, revoked ones
shown revoked); the sample, reproducible and audited; its Excel export; the audit trail."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from opentemis.accounts.models import AuditEvent
from opentemis.accounts.permissions import role_grants
from opentemis.audits import sampling, selectors, xlsx
from opentemis.certificates import codes
from opentemis.certificates import services as certificates
from opentemis.certificates.models import Certificate, CertificateStatus
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Enrolment
from opentemis.products.services import submission_grade
from tests.factories import PersonFactory

from .conftest import Scene, complete, make_auditor

pytestmark = pytest.mark.django_db

HOME = reverse("audits_home")
SAMPLE = reverse("audits_sample")
EXPORT = reverse("audits_sample_export")
TRAIL = reverse("audits_trail")


def client(scene: Scene, user: Any = None) -> Any:
    return scene.w.client_for(user or scene.auditor)


def test_the_auditor_sees_the_completions_of_their_subtree_only(scene: Scene) -> None:
    page = client(scene).get(HOME)
    assert page.status_code == 200
    rows = [r.enrolment.pk for r in page.context["rows"]]
    assert rows == [scene.mine.pk]
    html = page.content.decode()
    assert "Nguyễn Văn An" in html and "Hoàng Thị Đào" not in html and "Phạm Minh Đức" not in html
    # Another unit named: A2 is outside the grant (404, as for a missing one).
    assert client(scene).get(HOME, {"unit": scene.w.school_a2.pk}).status_code == 404
    assert client(scene).get(HOME, {"unit": scene.w.province_b.pk}).status_code == 404


def test_a_province_auditor_sees_the_province(scene: Scene) -> None:
    auditor, _grant = make_auditor("auditor_sa", scene.w.province_a)
    rows = {r.enrolment.pk for r in client(scene, auditor).get(HOME).context["rows"]}
    assert rows == {scene.mine.pk, scene.a2.pk}


def test_the_evidence_of_a_completion(scene: Scene) -> None:
    page = client(scene).get(reverse("audits_completion", args=[scene.mine.pk]))
    assert page.status_code == 200
    row = page.context["row"]
    assert len(row.attempts) == 1 and row.attempts[0].finished_at is not None
    (submission,) = row.submissions
    assert submission.status == "passed" and submission.score == Decimal("8.5")
    assert submission.grader == scene.w.officer_a
    assert [(a.present, a.held) for a in row.attendance] == [(4, 5)]
    assert row.surveyed and row.survey_at is not None
    html = page.content.decode()
    assert reverse("audits_file", args=[scene.submission.pk]) in html
    with system_scope():
        read = AuditEvent.objects.get(action="reads.audits_completion")
    assert read.actor == scene.auditor


def test_the_survey_shows_its_receipt_never_its_answers(scene: Scene) -> None:
    """The page reads no survey response: only the learner's progress in the activity."""
    with CaptureQueriesContext(connection) as queries:
        client(scene).get(reverse("audits_completion", args=[scene.mine.pk]))
    assert not any("surveys_surveyresponse" in q["sql"] for q in queries.captured_queries)


def test_the_auditor_reads_a_product_file_through_the_products_code(scene: Scene) -> None:
    answer = client(scene).get(reverse("audits_file", args=[scene.submission.pk]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    # The products route is for learners and graders: the auditor's door is their own.
    products = client(scene).get(reverse("products_file", args=[scene.submission.pk]))
    assert products.status_code == 404


def test_outsiders_get_404(scene: Scene) -> None:
    auditor_b, _grant = make_auditor("auditor_sb", scene.w.province_b)
    for user in (auditor_b, scene.w.officer_a, scene.w.principal_a1):
        c = client(scene, user)
        assert c.get(reverse("audits_completion", args=[scene.mine.pk])).status_code == 404
        assert c.get(reverse("audits_file", args=[scene.submission.pk])).status_code == 404
        assert c.get(HOME, {"unit": scene.w.school_a1.pk}).status_code == 404
    # An officer holds no auditor grant: the pages are refused, not empty.
    assert client(scene, scene.w.officer_a).get(HOME).status_code == 403
    # The B auditor reads B's completion.
    c = client(scene, auditor_b)
    assert c.get(reverse("audits_completion", args=[scene.b1.pk])).status_code == 200


def test_every_page_is_read_only(scene: Scene) -> None:
    urls = [
        HOME,
        SAMPLE,
        EXPORT,
        TRAIL,
        reverse("audits_completion", args=[scene.mine.pk]),
        reverse("audits_file", args=[scene.submission.pk]),
    ]
    for url in urls:
        for method in ("post", "put", "delete"):
            assert getattr(client(scene), method)(url).status_code == 405, (url, method)


def test_an_expired_grant_gives_nothing_even_stored(scene: Scene) -> None:
    c = client(scene)
    assert c.get(HOME).status_code == 200  # the grant is now stored on the user's row
    assert role_grants(type(scene.auditor).objects.get(pk=scene.auditor.pk))
    later = scene.grant.expires_at + dt.timedelta(seconds=1)
    with mock.patch("opentemis.accounts.permissions.timezone") as clock:
        clock.now.return_value = later
        assert c.get(HOME).status_code == 403
        assert c.get(SAMPLE).status_code == 403
        assert c.get(TRAIL).status_code == 403
        assert c.get(reverse("audits_completion", args=[scene.mine.pk])).status_code == 404
        assert c.get(reverse("audits_file", args=[scene.submission.pk])).status_code == 404
        assert c.get(HOME, {"unit": scene.w.school_a1.pk}).status_code == 404


# --- certificates ------------------------------------------------------------------------------


@pytest.fixture
def certified(scene: Scene) -> tuple[Certificate, Certificate]:
    """Province A issues certificates: teacher A1's is valid; the A2 teacher's was revoked."""
    with system_scope():
        certificates.issuer_save(
            actor=None, unit=scene.w.province_a, values={"name": "Sở Giáo dục và Đào tạo A"}
        )
    mine = certificates.certificate_issue_for_enrolment(enrolment_pk=scene.mine.pk)
    a2 = certificates.certificate_issue_for_enrolment(enrolment_pk=scene.a2.pk)
    assert mine is not None and a2 is not None
    with system_scope():
        a2 = certificates.certificate_revoke(
            actor=scene.w.officer_a, certificate=a2, reason="Cấp nhầm."
        )
    return mine, a2


def test_the_certificate_of_a_completion_is_shown(
    scene: Scene, certified: tuple[Certificate, Certificate]
) -> None:
    mine, _a2 = certified
    page = client(scene).get(reverse("audits_completion", args=[scene.mine.pk]))
    shown = page.context["row"].certificate
    assert shown.code == codes.printed(mine.code) and shown.is_valid
    assert shown.url == certificates.verification_url(mine.code)
    html = page.content.decode()
    assert codes.printed(mine.code) in html
    assert reverse("certificates_verify_code", args=[mine.code]) in html
    home = client(scene).get(HOME).content.decode()
    assert codes.printed(mine.code) in home


def test_a_revoked_certificate_shows_revoked(
    scene: Scene, certified: tuple[Certificate, Certificate]
) -> None:
    _mine, a2 = certified
    auditor, _grant = make_auditor("auditor_sa", scene.w.province_a)
    page = client(scene, auditor).get(HOME)
    rows = {r.enrolment.pk: r for r in page.context["rows"]}
    revoked = rows[scene.a2.pk].certificate
    assert revoked is not None and revoked.code == codes.printed(a2.code)
    assert revoked.status == CertificateStatus.REVOKED and not revoked.is_valid
    html = page.content.decode()
    assert codes.printed(a2.code) in html and revoked.status_label in html
    # A re-issue: the valid new one is shown, not the replaced one.
    with system_scope():
        fresh = certificates.certificate_reissue(
            actor=scene.w.officer_a,
            certificate=Certificate.objects.get(pk=certified[0].pk),
            reason="Sửa tên.",
        )
    row = client(scene, auditor).get(reverse("audits_completion", args=[scene.mine.pk]))
    assert row.context["row"].certificate.code == codes.printed(fresh.code)


def test_a_completion_without_a_certificate_shows_none(scene: Scene) -> None:
    page = client(scene).get(reverse("audits_completion", args=[scene.mine.pk]))
    assert page.context["row"].certificate is None


# --- the sample ------------------------------------------------------------------------------


@pytest.fixture
def many(scene: Scene) -> list[Enrolment]:
    """Twelve more completions in school A1 (13 in all)."""
    found = []
    for n in range(12):
        person = PersonFactory(unit=scene.w.school_a1, full_name=f"Giáo viên Mẫu {n}")
        found.append(complete(scene.lw.enrol(person)))
    return found


def _drawn(page: Any) -> list[int]:
    return [r.enrolment.pk for r in page.context["sample"].rows]


def test_the_same_seed_draws_the_same_sample_and_each_draw_is_audited(
    scene: Scene, many: list[Enrolment]
) -> None:
    c = client(scene)
    first = c.get(SAMPLE, {"size": 5, "seed": 4242})
    again = c.get(SAMPLE, {"size": 5, "seed": 4242})
    assert first.status_code == 200
    assert _drawn(first) == _drawn(again) and len(_drawn(first)) == 5
    other = [tuple(_drawn(c.get(SAMPLE, {"size": 5, "seed": s}))) for s in range(1, 6)]
    assert len(set(other)) > 1  # the seed decides
    with system_scope():
        draws = list(AuditEvent.objects.filter(action="audits.sample_draw").order_by("pk"))
    assert len(draws) == 7
    assert draws[0].changes["seed"] == 4242 and draws[0].changes["population"] == 13
    assert draws[0].changes["ids"] == _drawn(first)
    assert draws[0].actor == scene.auditor


def test_a_draw_without_a_seed_gets_one_in_its_address(scene: Scene, many: list[Enrolment]) -> None:
    answer = client(scene).get(SAMPLE, {"share": "20"})
    assert answer.status_code == 302 and "seed=" in answer["Location"]
    page = client(scene).get(answer["Location"])
    assert len(_drawn(page)) == 3  # 20 % of 13, rounded up


def test_a_sample_asks_for_a_size_or_a_share(scene: Scene) -> None:
    c = client(scene)
    assert c.get(SAMPLE, {"size": 2, "share": "10", "seed": 1}).status_code == 400
    assert c.get(SAMPLE, {"size": "²", "seed": 1}).status_code == 400
    assert c.get(SAMPLE).status_code == 200  # the form


def test_the_export_is_the_sample_drawn_with_its_columns(
    scene: Scene, certified: tuple[Certificate, Certificate]
) -> None:
    answer = client(scene).get(EXPORT, {"size": 1, "seed": 7})
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header] == xlsx.columns()
    assert [r[3] for r in rows[2:4]][:1] == [7]  # the seed, beside its label
    (line,) = rows[header + 1 :]
    by = dict(zip(xlsx.columns(), line, strict=True))
    assert by[xlsx.columns()[1]] == "Nguyễn Văn An"
    assert by[xlsx.columns()[10]] == 8.5  # the product's score
    assert by[xlsx.columns()[11]] == scene.w.officer_a.username  # graded by
    # The certificate's columns are appended after the first layout (stable places).
    assert len(xlsx.columns()) == 19
    assert line[15] == codes.printed(certified[0].code)
    assert line[16] == str(CertificateStatus.VALID.label)
    assert line[18] == certificates.verification_url(certified[0].code)
    with system_scope():
        assert AuditEvent.objects.filter(action="audits.sample_export").count() == 1


def test_the_export_without_a_seed_goes_back_to_the_form(scene: Scene) -> None:
    answer = client(scene).get(EXPORT, {"size": 1})
    assert answer.status_code == 302 and answer["Location"].startswith(SAMPLE)


@given(
    ids=st.lists(st.integers(min_value=1, max_value=10**6), max_size=60, unique=True),
    count=st.integers(min_value=0, max_value=80),
    seed=st.integers(min_value=1, max_value=sampling.SEED_MAX),
)
def test_a_draw_is_a_reproducible_subset(ids: list[int], count: int, seed: int) -> None:
    drawn = sampling.draw(ids, count=count, seed=seed)
    assert drawn == sampling.draw(list(reversed(ids)), count=count, seed=seed)
    assert len(drawn) == min(count, len(ids)) and set(drawn) <= set(ids)
    assert len(set(drawn)) == len(drawn)


@given(
    population=st.integers(min_value=0, max_value=5000),
    share=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2),
)
def test_a_share_is_rounded_up_within_the_population(population: int, share: Decimal) -> None:
    n = sampling.sample_size(population, size=None, share=share)
    assert 0 <= n <= population
    assert n >= population * share / 100
    assert n == 0 or n - 1 < population * share / 100 or n == 1


# --- the audit trail -------------------------------------------------------------------------


def test_the_trail_holds_the_subtree_s_learning_events_only(scene: Scene) -> None:
    with system_scope():
        AuditEvent.objects.create(action="products.grade", unit=scene.w.school_b1)
        AuditEvent.objects.create(action="accounts.reset_password", unit=scene.w.school_a1)
        submission_grade(
            actor=scene.w.officer_a, submission=scene.submission, passed=True, score="9"
        )
    page = client(scene).get(TRAIL)
    assert page.status_code == 200
    actions = {e.event.action for e in page.context["entries"]}
    assert "products.regrade" in actions or "products.grade" in actions
    assert not {a for a in actions if a.startswith(("accounts.", "auth."))}
    units = {e.event.unit_id for e in page.context["entries"]}
    assert units <= {scene.w.school_a1.pk}
    narrowed = client(scene).get(TRAIL, {"action": "quizzes."}).context["entries"]
    assert all(e.event.action.startswith("quizzes.") for e in narrowed)


def test_when_a_grant_ends_is_kept_on_the_day(scene: Scene) -> None:
    assert scene.grant.last_day == timezone.localtime(scene.grant.expires_at).date() - (
        dt.timedelta(days=1)
    )


def test_the_evidence_of_a_page_costs_the_same_queries_whatever_its_rows(
    scene: Scene, many: list[Enrolment]
) -> None:
    def queries(enrolments: list[Enrolment]) -> int:
        with CaptureQueriesContext(connection) as ctx, system_scope():
            selectors.evidence_of(enrolments)
        return len(ctx.captured_queries)

    assert queries([scene.mine]) == queries([scene.mine, *many]) == 4
