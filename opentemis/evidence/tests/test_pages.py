"""The library page, its HTMX partial, and who may open a file (others: 404, not 403)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations.access import can_review_person
from opentemis.evidence import access, selectors, services
from opentemis.evidence.models import Evidence
from opentemis.evidence.tests import files
from opentemis.evidence.views import library_context
from tests.factories import make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def item(world):
    with system_scope():
        return services.evidence_upload(
            actor=world.teacher_a1,
            owner=world.person_a1,
            uploaded_file=files.upload("Chứng chỉ tin học.pdf", files.pdf()),
            title="Chứng chỉ tin học",
        )


def _items(world, user=None):
    with system_scope():
        return list(Evidence.objects.filter(owner=(user or world.teacher_a1).person))


def test_library_lists_my_items_with_forms(world, item):
    response = world.client_for(world.teacher_a1).get(reverse("evidence_library"))
    assert response.status_code == 200
    library = response.context["library"]
    assert [e.pk for e in library.items] == [item.pk]
    assert library.can_edit and library.upload_form and library.link_form
    assert b'id="evidence-library"' in response.content
    assert b"Ch\xe1\xbb\xa9ng ch\xe1\xbb\x89 tin h\xe1\xbb\x8dc" in response.content


def test_library_without_a_staff_record_explains(world):
    response = world.client_for(world.officer_a).get(reverse("evidence_library"))
    assert response.status_code == 200
    assert response.context["library"] is None


def test_library_requires_login(world):
    response = Client().get(reverse("evidence_library"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_htmx_upload_returns_the_partial_with_the_new_item(world, media):
    response = world.client_for(world.teacher_a1).post(
        reverse("evidence_upload"),
        {
            "up-file": files.upload("Giáo án.docx", files.docx()),
            "up-title": "",
            "library_dom_id": "crit-3",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response.templates[0].name == "evidence/_library.html"
    assert b'id="crit-3"' in response.content
    assert response.context["library"].notice
    (saved,) = _items(world)
    assert saved.title == "Giáo án"
    assert saved.stored_file.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_upload_of_a_disguised_file_shows_the_reason(world, media):
    response = world.client_for(world.teacher_a1).post(
        reverse("evidence_upload"),
        {"up-file": files.upload("bang-cap.pdf", files.html(), "application/pdf")},
        **HTMX,
    )
    assert response.status_code == 200
    form = response.context["library"].upload_form
    assert form.errors["file"] and "bang-cap.pdf" in form.errors["file"][0]
    assert _items(world) == [] and files.stored_files(media) == []


@override_settings(EVIDENCE_MAX_BYTES=200)
def test_upload_of_an_oversized_file_without_htmx_rerenders_the_page(world, media):
    response = world.client_for(world.teacher_a1).post(
        reverse("evidence_upload"), {"up-file": files.upload("a.pdf", files.pdf() + b"0" * 300)}
    )
    assert response.status_code == 400
    assert response.context["library"].upload_form.has_error("file", "too_large")
    assert _items(world) == []


def test_upload_without_htmx_redirects_to_next(world, media):
    response = world.client_for(world.teacher_a1).post(
        reverse("evidence_upload"),
        {"up-file": files.upload("a.png", files.png()), "library_next": "/evaluations/1/"},
    )
    assert response.status_code == 302 and response["Location"] == "/evaluations/1/"
    response = world.client_for(world.teacher_a1).post(
        reverse("evidence_upload"),
        {"up-file": files.upload("b.jpg", files.jpeg()), "library_next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("evidence_library")


def test_add_link_and_refuse_a_javascript_link(world):
    client = world.client_for(world.teacher_a1)
    response = client.post(
        reverse("evidence_add_link"),
        {"ln-url": "https://hoclieu.example.vn/bai-1", "ln-title": "Bài giảng điện tử"},
        **HTMX,
    )
    assert response.status_code == 200
    response = client.post(reverse("evidence_add_link"), {"ln-url": "javascript:alert(1)"}, **HTMX)
    assert response.context["library"].link_form.errors
    assert [e.url for e in _items(world)] == ["https://hoclieu.example.vn/bai-1"]


def test_owner_deletes_an_item(world, item, media):
    response = world.client_for(world.teacher_a1).post(
        reverse("evidence_delete", args=[item.pk]), **HTMX
    )
    assert response.status_code == 200
    assert _items(world) == []


def test_nobody_else_deletes(world, item):
    # The evaluator sees the item but may not delete it; others do not even see it.
    assert (
        world.client_for(world.principal_a1)
        .post(reverse("evidence_delete", args=[item.pk]))
        .status_code
        == 403
    )
    assert (
        world.client_for(world.principal_b1)
        .post(reverse("evidence_delete", args=[item.pk]))
        .status_code
        == 404
    )
    assert len(_items(world)) == 1


# --- who may open a file -------------------------------------------------------------------


def test_owner_and_evaluator_may_download(world, item):
    url = reverse("evidence_download", args=[item.pk])
    for user in (world.teacher_a1, world.principal_a1):
        response = world.client_for(user).get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == files.pdf()


@pytest.mark.parametrize("who", ["principal_b1", "officer_a", "colleague"])
def test_everyone_else_gets_404(world, item, colleague, who):
    user = colleague if who == "colleague" else getattr(world, who)
    response = world.client_for(user).get(reverse("evidence_download", args=[item.pk]))
    assert response.status_code == 404


def test_missing_item_is_the_same_404(world):
    assert (
        world.client_for(world.principal_a1)
        .get(reverse("evidence_download", args=[999999]))
        .status_code
        == 404
    )


def test_anonymous_is_sent_to_login(world, item):
    response = Client().get(reverse("evidence_download", args=[item.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_pdf_is_served_inline_with_safe_headers(world, item):
    response = world.client_for(world.teacher_a1).get(reverse("evidence_download", args=[item.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert (
        "filename*=utf-8''Ch%E1%BB%A9ng%20ch%E1%BB%89%20tin%20h%E1%BB%8Dc.pdf"
        in response["Content-Disposition"]
    )


def test_office_file_is_an_attachment_named_by_its_real_type(world):
    with system_scope():
        doc = services.evidence_upload(
            actor=world.teacher_a1,
            owner=world.person_a1,
            uploaded_file=files.upload("bang-diem.pdf", files.xlsx(), "application/pdf"),
            title="",
        )
    response = world.client_for(world.principal_a1).get(reverse("evidence_download", args=[doc.pk]))
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="bang-diem.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_image_is_sandboxed(world):
    with system_scope():
        img = services.evidence_upload(
            actor=world.teacher_a1,
            owner=world.person_a1,
            uploaded_file=files.upload("a.png", files.png()),
            title="",
        )
    response = world.client_for(world.teacher_a1).get(reverse("evidence_download", args=[img.pk]))
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_link_has_no_download(world):
    with system_scope():
        link = services.evidence_add_link(
            actor=world.teacher_a1, owner=world.person_a1, url="https://example.org/x", title=""
        )
    assert (
        world.client_for(world.teacher_a1)
        .get(reverse("evidence_download", args=[link.pk]))
        .status_code
        == 404
    )


def test_evaluator_reads_a_library_but_other_province_does_not(world, item):
    url = reverse("evidence_person_library", args=[world.person_a1.pk])
    response = world.client_for(world.principal_a1).get(url)
    assert response.status_code == 200
    assert not response.context["library"].can_edit
    assert (
        b"evidence_upload" not in response.content and b"/evidence/upload/" not in response.content
    )
    assert world.client_for(world.principal_b1).get(url).status_code == 404


def test_library_selector_is_one_query(world, django_assert_num_queries):
    with system_scope():
        for i in range(5):
            services.evidence_upload(
                actor=world.teacher_a1,
                owner=world.person_a1,
                uploaded_file=files.upload(f"{i}.pdf", files.pdf(str(i))),
                title="",
            )
    with actor_scope(world.teacher_a1):
        qs = selectors.evidence_library(actor=world.teacher_a1, owner=world.person_a1)
        with django_assert_num_queries(1):
            rows = [(e.title, e.stored_file.size, e.in_use, e.school_year) for e in qs]
    assert len(rows) == 5


def test_partial_can_offer_a_pick_for_a_criterion(world, item, rf):
    request = rf.get("/")
    request.user = world.teacher_a1
    request.htmx = False
    with actor_scope(world.teacher_a1):
        context = library_context(
            request,
            owner=world.person_a1,
            dom_id="crit-3",
            pick_url="/evaluations/1/evidence/",
            pick_fields={"criterion": 3},
            examples=["Kế hoạch bài dạy"],
        )
    html = render_to_string("evidence/_library.html", context, request=request)
    assert 'hx-post="/evaluations/1/evidence/"' in html
    assert 'name="criterion" value="3"' in html
    assert 'name="library_pick__criterion" value="3"' in html
    assert "Kế hoạch bài dạy" in html


def test_large_upload_through_the_web_is_streamed_to_storage(world, media):
    # Above FILE_UPLOAD_MAX_MEMORY_SIZE: Django spools it to a temporary file first.
    content = files.pdf() + b"%" + b"1" * (3 * 1024 * 1024)
    client = world.client_for(world.teacher_a1)
    response = client.post(
        reverse("evidence_upload"), {"up-file": files.upload("lon.pdf", content)}
    )
    assert response.status_code == 302
    (saved,) = _items(world)
    response = client.get(reverse("evidence_download", args=[saved.pk]))
    assert int(response["Content-Length"]) == len(content)
    assert b"".join(response.streaming_content) == content


def test_admin_is_read_only(world, item):
    admin = make_user("root", superuser=True)
    client = world.client_for(admin)
    assert client.get(reverse("admin:evidence_evidence_changelist")).status_code == 200
    assert client.get(reverse("admin:evidence_storedfile_changelist")).status_code == 200
    assert client.get(reverse("admin:evidence_evidence_add")).status_code == 403


def test_without_a_registered_viewer_check_only_the_owner_opens_a_library(world, item, monkeypatch):
    # evaluations registers "evaluators see their people's evidence" (evidence.access); with
    # no check registered the library is the owner's alone: fail-closed.
    assert access.viewer_checks == [can_review_person]
    url = reverse("evidence_person_library", args=[world.person_a1.pk])
    monkeypatch.setattr(access, "viewer_checks", [])
    assert world.client_for(world.principal_a1).get(url).status_code == 404
    assert world.client_for(world.teacher_a1).get(reverse("evidence_library")).status_code == 200
