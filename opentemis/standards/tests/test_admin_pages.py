"""Configuration pages of the standards app: upload, a year's frameworks, evaluator rules.

All of them are for system administrators only; anyone else gets a 404.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.standards.frameworks import framework_data
from opentemis.standards.models import Framework, FrameworkApplication
from opentemis.standards.services import framework_apply, framework_lock
from opentemis.standards.xlsx import framework_template_xlsx

TT20, TT14, TT26 = "TT20_2018_GVPT", "TT14_2018_HTPT", "TT26_2018_GVMN"


@pytest.fixture
def admin_client(root):
    client = Client()
    client.force_login(root)
    return client


def _yaml_file(data, name="khung.yaml"):
    return SimpleUploadedFile(name, yaml.safe_dump(data, allow_unicode=True).encode())


def _changed_tt20():
    data = copy.deepcopy(framework_data()[TT20])
    data["standards"][0]["criteria"][0]["name"] = "Đạo đức nhà giáo (sửa đổi)"
    return data


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("framework_upload", []),
        ("framework_template", []),
        ("framework_format", []),
        ("framework_years", []),
        ("framework_year", ["2025-2026"]),
        ("evaluator_rules", []),
    ],
)
def test_configuration_pages_are_404_for_non_superusers(world, name, args):
    url = reverse(name, args=args)
    for user in (world.officer_a, world.principal_a1):
        client = world.client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404


def test_posts_are_404_for_non_superusers(world, builtins):
    client = world.client_for(world.officer_a)
    assert (
        client.post(reverse("framework_year_defaults", args=[world.year.code])).status_code == 404
    )
    assert not FrameworkApplication.objects.exists()
    upload = client.post(reverse("framework_upload"), {"file": _yaml_file(_changed_tt20())})
    assert upload.status_code == 404
    assert Framework.objects.filter(code=TT20).count() == 1


def test_officer_does_not_see_the_configuration_links(world, builtins):
    html = world.client_for(world.officer_a).get(reverse("framework_list")).content.decode()
    assert reverse("framework_upload") not in html


# --- upload ------------------------------------------------------------------------------------


def test_upload_xlsx_previews_then_loads_a_new_version(builtins, admin_client):
    upload = SimpleUploadedFile("khung.xlsx", framework_template_xlsx())
    page = admin_client.post(reverse("framework_upload"), {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200
    assert TT20 in html
    assert "15 tiêu chí" in html or "15 criteria" in html
    assert page.context["previews"][0].version == 2
    assert page.context["previews"][0].complete
    assert len(page.context["previews"][0].rules) == 4  # three rules and the fallback
    assert Framework.objects.filter(code=TT20).count() == 1  # nothing stored by the preview
    done = admin_client.post(reverse("framework_upload"), {"token": page.context["token"]})
    new = Framework.objects.get(code=TT20, version=2)
    assert done.status_code == 302 and done.url == reverse("framework_detail", args=[new.pk])
    assert new.source == "upload" and new.criteria.count() == 15


def test_upload_for_a_locked_code_creates_a_new_version_and_keeps_the_locked_one(
    builtins, admin_client
):
    old = builtins[TT20]
    framework_lock(framework=old)
    page = admin_client.post(reverse("framework_upload"), {"file": _yaml_file(_changed_tt20())})
    [preview] = page.context["previews"]
    assert preview.version == 2 and preview.latest.is_locked
    admin_client.post(reverse("framework_upload"), {"token": page.context["token"]})
    old.refresh_from_db()
    assert old.is_locked and old.version == 1
    assert old.criteria.get(number=1).name == "Đạo đức nhà giáo"
    new = Framework.objects.get(code=TT20, version=2)
    assert not new.is_locked
    assert new.criteria.get(number=1).name == "Đạo đức nhà giáo (sửa đổi)"
    # The locked badge shows on the old version's page, not on the new one.
    old_page = admin_client.get(reverse("framework_detail", args=[old.pk])).content.decode()
    new_page = admin_client.get(reverse("framework_detail", args=[new.pk])).content.decode()
    assert "badge-locked" in old_page
    assert "badge-locked" not in new_page


def test_locked_badge_on_the_list(world, builtins):
    framework_lock(framework=builtins[TT14])
    html = world.client_for(world.teacher_a1).get(reverse("framework_list")).content.decode()
    assert html.count("badge-locked") == 1


def test_unchanged_upload_loads_nothing(builtins, admin_client):
    page = admin_client.post(
        reverse("framework_upload"), {"file": _yaml_file({"frameworks": [framework_data()[TT20]]})}
    )
    [preview] = page.context["previews"]
    assert preview.unchanged and preview.version == 1
    assert "token" not in page.context


def test_invalid_upload_shows_the_errors_and_cannot_be_confirmed(builtins, admin_client):
    data = _changed_tt20()
    data["rating_rules"]["rules"][0]["key_criteria_at_least"]["criteria"] = [3, 99]
    page = admin_client.post(reverse("framework_upload"), {"file": _yaml_file(data)})
    [preview] = page.context["previews"]
    assert not preview.ok and "99" in preview.errors[0]
    assert "token" not in page.context
    assert "99" in page.content.decode()


def test_unreadable_file_lists_the_problems(builtins, admin_client):
    page = admin_client.post(
        reverse("framework_upload"),
        {"file": SimpleUploadedFile("khung.yaml", b"code: X\ntitle_vi: [oops\n")},
    )
    assert page.context["check"].errors
    assert "YAML" in page.content.decode()


def test_tampered_token_is_refused(builtins, admin_client):
    response = admin_client.post(reverse("framework_upload"), {"token": "x:y:z"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("framework_upload")
    assert Framework.objects.filter(code=TT20).count() == 1


def test_template_and_format_pages(admin_client):
    template = admin_client.get(reverse("framework_template"))
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = admin_client.get(reverse("framework_format")).content.decode()
    assert "Tiêu chí then chốt: danh sách" in doc


def test_stored_version_downloads_as_xlsx(builtins, admin_client):
    response = admin_client.get(reverse("framework_xlsx", args=[builtins[TT14].pk]))
    assert response.status_code == 200
    assert "TT14_2018_HTPT_v1.xlsx" in response["Content-Disposition"]


# --- a school year's frameworks ----------------------------------------------------------------


def _apply(client, year, framework, positions, levels):
    return client.post(
        reverse("framework_year", args=[year.code]),
        {"framework": framework.pk, "positions": positions, "levels": levels},
    )


def test_apply_page_applies_and_shows_the_grid(world, builtins, admin_client):
    response = _apply(admin_client, world.year, builtins[TT20], ["GV", "TTCM"], ["TH", "THCS"])
    assert response.status_code == 302
    grid = admin_client.get(reverse("framework_year", args=[world.year.code])).context["grid"]
    cells = {
        (position.code, level.code): fw
        for position, row in grid.rows
        for level, fw in zip(grid.levels, row, strict=True)
    }
    assert cells[("GV", "TH")] == builtins[TT20]
    assert cells[("TTCM", "THCS")] == builtins[TT20]
    assert cells[("GV", "THPT")] is None
    assert cells[("HT", "TH")] is None


def _unscoped_copy(code, *, rules=True):
    """An uploaded framework with TT 20's content, no scope of its own (and no rules)."""
    from opentemis.standards.services import framework_load

    data = copy.deepcopy(framework_data()[TT20])
    data["code"] = code
    data.pop("applies_to")
    if not rules:
        data["rating_rules"]["rules"] = None
    return framework_load(data=data, source="upload")


def test_apply_page_refuses_overlaps(world, builtins, admin_client):
    other = _unscoped_copy("VD_2026_GV")
    _apply(admin_client, world.year, builtins[TT20], ["GV"], ["TH"])
    response = _apply(admin_client, world.year, other, ["GV"], ["TH"])
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any(TT20 in e for e in errors)
    assert not FrameworkApplication.objects.filter(framework=other).exists()


def test_incomplete_framework_cannot_be_applied(world, builtins, admin_client):
    incomplete = _unscoped_copy("VD_2026_INCOMPLETE", rules=False)
    response = _apply(admin_client, world.year, incomplete, ["GV"], ["TH"])
    assert response.status_code == 200
    assert any("VD_2026_INCOMPLETE" in e for e in response.context["form"].non_field_errors())
    assert not FrameworkApplication.objects.exists()


def test_a_framework_is_never_applied_outside_its_regulation(world, builtins, admin_client):
    # TT 20 is for teachers of general education: not for preschool teachers (TT 26), nor for
    # principals (TT 14).
    for positions, levels, outside in (
        (["GV"], ["TH", "MN"], "GV · MN"),
        (["HT"], ["TH"], "HT · TH"),
    ):
        response = _apply(admin_client, world.year, builtins[TT20], positions, levels)
        assert response.status_code == 200
        [error] = response.context["form"].non_field_errors()
        assert TT20 in error and outside in error
    assert not FrameworkApplication.objects.exists()
    assert (
        _apply(admin_client, world.year, builtins[TT26], ["GV", "TTCM"], ["MN"]).status_code == 302
    )


def test_apply_the_defaults_button(world, builtins, admin_client):
    url = reverse("framework_year_defaults", args=[world.year.code])
    assert admin_client.post(url).status_code == 302
    codes = set(FrameworkApplication.objects.values_list("framework__code", flat=True))
    assert codes == {TT20, TT14, TT26, "TT25_2018_HTMN"}
    admin_client.post(url)  # a configured year is left alone
    assert FrameworkApplication.objects.count() == 4


def test_defaults_complete_a_year_configured_before_preschool(world, builtins, root):
    """A year configured with TT 20 and TT 14 only (before TT 26/25 were complete) gets the
    preschool frameworks for its preschool people, and nothing else changes."""
    from opentemis.standards.services import framework_apply_defaults, framework_for

    framework_apply(
        actor=root,
        school_year=world.year,
        framework=builtins[TT20],
        positions=["GV"],
        levels=["TH"],
    )
    applied = framework_apply_defaults(school_year=world.year)
    assert {a.framework.code for a in applied} == {TT14, TT26, "TT25_2018_HTMN"}
    assert framework_for(school_year=world.year, position="GV", level="MN") == builtins[TT26]
    assert (
        framework_for(school_year=world.year, position="PHT", level="MN").code == "TT25_2018_HTMN"
    )
    assert framework_for(school_year=world.year, position="GV", level="THCS") is None  # by hand


def test_remove_application_only_while_no_evaluation_uses_it(world, builtins, admin_client, root):
    from opentemis.evaluations.models import Cycle, Evaluation

    tt20 = builtins[TT20]
    application = framework_apply(
        actor=root, school_year=world.year, framework=tt20, positions=["GV"], levels=["TH"]
    )
    url = reverse("framework_application_remove", args=[world.year.code, application.pk])
    with system_scope():
        cycle = Cycle.objects.create(
            school_year=world.year,
            unit=world.province_a,
            unit_path=world.province_a.path,
            name="Đánh giá 2025-2026",
            self_due=dt.date(2026, 5, 1),
            opinions_due=dt.date(2026, 5, 15),
            review_due=dt.date(2026, 5, 31),
        )
        evaluation = Evaluation.objects.create(
            cycle=cycle,
            person=world.person_a1,
            framework=tt20,
            kind="teacher",
            unit=world.school_a1,
            unit_path=world.school_a1.path,
        )
    page = admin_client.get(reverse("framework_year", args=[world.year.code]))
    assert page.context["grid"].applications == [(application, True)]
    admin_client.post(url)
    assert FrameworkApplication.objects.filter(pk=application.pk).exists()
    with system_scope():
        evaluation.delete()
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not FrameworkApplication.objects.filter(pk=application.pk).exists()


def test_unknown_year_is_404(admin_client):
    assert admin_client.get(reverse("framework_year", args=["1999-2000"])).status_code == 404


# --- who evaluates managers --------------------------------------------------------------------


def test_evaluator_rules_list_add_replace_and_remove(db, admin_client):
    from opentemis.evaluations.models import EvaluatorRule

    page = admin_client.get(reverse("evaluator_rules"))
    assert page.status_code == 200
    assert {(r.position.code, r.level_id) for r in page.context["rules"]} == {
        ("HT", None),
        ("PHT", None),
    }
    url = reverse("evaluator_rules")
    form = {
        "position": "HT",
        "level": "THPT",
        "evaluator": "superior",
        "superior_kind": "department",
    }
    assert admin_client.post(url, form).status_code == 302
    rule = EvaluatorRule.objects.get(position__code="HT", level__code="THPT")
    assert rule.evaluator == "superior" and rule.superior_kind == "department"
    # Saving the same position and level replaces the rule; a general (any level) one too.
    admin_client.post(url, {**form, "evaluator": "school_head"})
    admin_client.post(url, {"position": "PHT", "level": "", "evaluator": "superior"})
    rule.refresh_from_db()
    assert rule.evaluator == "school_head" and rule.superior_kind == ""
    assert EvaluatorRule.objects.count() == 3
    assert EvaluatorRule.objects.get(position__code="PHT", level=None).evaluator == "superior"
    admin_client.post(reverse("evaluator_rule_remove", args=[rule.pk]))
    assert not EvaluatorRule.objects.filter(pk=rule.pk).exists()


def test_evaluator_rules_refuse_teachers(db, admin_client):
    from opentemis.evaluations.models import EvaluatorRule

    response = admin_client.post(
        reverse("evaluator_rules"), {"position": "GV", "level": "", "evaluator": "school_head"}
    )
    assert response.status_code == 200  # GV is not a choice: managers only
    assert EvaluatorRule.objects.count() == 2


def test_evaluator_rule_services_refuse_non_superusers(world):
    from django.core.exceptions import ValidationError

    from opentemis.evaluations.evaluator_rules import evaluator_rule_save

    with pytest.raises(ValidationError):
        evaluator_rule_save(
            actor=world.officer_a, position="HT", level=None, evaluator="school_head"
        )


def test_configuration_changes_are_audited(world, builtins, admin_client):
    from opentemis.accounts.models import AuditEvent

    _apply(admin_client, world.year, builtins[TT20], ["GV"], ["TH"])
    with system_scope():
        assert AuditEvent.objects.filter(action="standards.apply").count() == 1
