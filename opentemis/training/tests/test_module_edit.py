"""The page changing one module of a draft catalogue version; a locked version's module is
read-only and its change refused (decision 0017: a change needs a new version)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.training import services
from opentemis.training.models import Catalogue, Module
from tests.factories import make_user


@pytest.fixture
def admin(db: Any) -> Any:
    return make_user("root", superuser=True)


@pytest.fixture
def loaded(world: Any) -> Any:
    services.load_builtin_catalogues(school_year=world.year)
    return world


def _module(world: Any, code: str = "GVPT 06") -> Module:
    catalogue = Catalogue.objects.get(school_year=world.year, code="TT17-GVPT", version=1)
    return catalogue.modules.get(code=code)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "title": "Kiểm tra, đánh giá học sinh",
    "audience": "GV",
    "levels": ["TH", "THCS"],
    "hours": "15",
    "framework": "TT20_2018_GVPT",
    "criteria": "6, 7",
    "contents": "Nội dung mới",
    "outcomes": "Đánh giá được năng lực",
    "to_verify": "Tên: Tên chưa đối chiếu.\nhours: Số tiết tạm tính.",
}


def test_a_draft_module_is_changed_on_its_page(loaded: Any, admin: Any) -> None:
    module = _module(loaded)
    client = _client(admin)
    detail = client.get(reverse("training_catalogue", args=[module.catalogue_id]))
    url = reverse("training_module_edit", args=[module.pk])
    assert url in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "TT20_2018_GVPT" in page.content.decode() and "disabled" not in page.content.decode()
    assert "Số tiết: Số tiết của mô-đun chưa biết." in page.content.decode()
    response = client.post(url, FORM)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].endswith(f"#module-{module.pk}")
    module.refresh_from_db()
    assert (module.title, module.levels, module.hours, module.criteria) == (
        "Kiểm tra, đánh giá học sinh",
        ["TH", "THCS"],
        15,
        [6, 7],
    )
    assert (module.contents, module.outcomes) == ("Nội dung mới", "Đánh giá được năng lực")
    assert module.to_verify == {"title": "Tên chưa đối chiếu.", "hours": "Số tiết tạm tính."}
    with system_scope():
        assert AuditEvent.objects.filter(action="training.module_update").count() == 1


def test_an_emptied_hours_field_means_unknown(loaded: Any, admin: Any) -> None:
    module = _module(loaded)
    services.module_update(actor=admin, module=module, fields={"hours": 10})
    response = _client(admin).post(
        reverse("training_module_edit", args=[module.pk]), {**FORM, "hours": "", "criteria": ""}
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.hours is None and module.criteria == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"criteria": "6, sáu"}, "criteria", "Ghi số tiêu chí"),
        ({"to_verify": "giờ: không rõ"}, "to_verify", "trường: ghi chú"),
        ({"framework": ""}, "framework", "TT20_2018_GVPT"),
        ({"levels": ["ZZ"]}, "levels", "ZZ"),
        ({"hours": "0"}, "hours", "1"),
    ],
)
def test_a_bad_value_is_refused_beside_its_field_and_typing_kept(
    loaded: Any, admin: Any, change: dict[str, Any], field: str, message: str
) -> None:
    module = _module(loaded)
    before = (module.title, module.hours, module.criteria, module.to_verify)
    response = _client(admin).post(
        reverse("training_module_edit", args=[module.pk]), {**FORM, **change}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert "Nội dung mới" in response.content.decode()  # what was typed stays
    module.refresh_from_db()
    assert (module.title, module.hours, module.criteria, module.to_verify) == before


def test_the_service_checks_what_the_file_check_checks(loaded: Any, admin: Any) -> None:
    module = _module(loaded)
    for fields in (
        {"levels": ["ZZ"]},
        {"criteria": [0]},
        {"criteria": [6], "framework": ""},
        {"to_verify": {"colour": "x"}},
        {"hours": 0},
    ):
        with pytest.raises(ValidationError):
            services.module_update(actor=admin, module=module, fields=fields)


def test_a_locked_module_is_read_only_and_refused(loaded: Any, admin: Any) -> None:
    module = _module(loaded)
    services.catalogue_lock(actor=admin, catalogue=module.catalogue)
    client = _client(admin)
    url = reverse("training_module_edit", args=[module.pk])
    page = client.get(url).content.decode()
    assert "khóa" in page and "phiên bản" in page  # the note: a change needs a new version
    assert 'type="submit"' not in page and "disabled" in page
    response = client.post(url, FORM)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "đã khóa" in errors, errors
    assert "Nội dung mới" in response.content.decode()
    module.refresh_from_db()
    assert module.hours is None and module.contents == ""


def test_the_page_is_for_superusers_only(loaded: Any) -> None:
    module = _module(loaded)
    url = reverse("training_module_edit", args=[module.pk])
    assert _client(loaded.officer_a).get(url).status_code == 404
    assert _client(loaded.officer_a).post(url, FORM).status_code == 404
    module.refresh_from_db()
    assert module.hours is None
