"""Every versioned write answers a stale version the same way, and writes nothing.

The routes are found, not listed by hand:

* API: every operation of the OpenAPI schema whose request body has a ``version`` property;
* pages: every template with a ``version`` form field (the forms that post a version);
* records: every model with a ``version`` edit lock.

Each must have a case below (the test fails naming the one without). A case says who writes
what; the test then has "someone else" save first (the version moves on and one field changes),
sends the write with the version read before, and checks the one conflict of
``core/conflicts.py``: on the API the 409 body (detail, code, current_version, differences with
field, label, theirs, yours; Vietnamese words), on a page the 409 with the conflict box naming
the fields, and everywhere that the record, its relations and the audit log are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import F, Model
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.evaluations.tests.conftest import PLAN
from opentemis.plans.services import plan_open
from opentemis.training.services import load_builtin_catalogues
from tests.test_vietnamese_crawl import english_in, english_on_page

pytestmark = pytest.mark.django_db

#: Models with a ``version`` field that is not an edit lock, and why.
NOT_LOCKS = {
    "standards.framework": "a framework's content version (new content, new row)",
    "training.catalogue": "a catalogue's content version (a locked one is copied, new row)",
    "plans.schoolplan": "counts a school plan's reports and reopenings; its writes take a row lock",
    "learning.course": "counts a course's changes (settings, audience, opening) for the audit",
    "quizzes.quiz": "counts a test's settings changes; attempts pin question versions instead",
    "packages.package": "counts a package's uploads (each replaces the files under a new prefix)",
    "certificates.issuer": "counts an issuer's configuration changes; its save takes a row lock",
}


@dataclass
class Case:
    """One versioned write. ``setup(ev)`` returns (actor, record); ``url(record)``; ``data``:
    the fields sent besides the version; ``theirs``: what the other person saves first."""

    setup: Callable[[Any], tuple[Any, Model]]
    url: Callable[[Model], str]
    data: Callable[[Any], dict[str, Any]]
    theirs: dict[str, Any]
    method: str = "post"
    htmx: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _person(ev: Any) -> tuple[Any, Model]:
    return ev.w.principal_a1, ev.w.person_a1


def _draft(ev: Any) -> tuple[Any, Model]:
    return ev.w.teacher_a1, ev.start()


def _submitted(ev: Any) -> tuple[Any, Model]:
    return ev.w.principal_a1, ev.submitted()


def _plan(ev: Any) -> tuple[Any, Model]:
    """teacher_a1's BDTX plan of the year (a draft), with the shipped BDTX data loaded."""
    with system_scope():
        load_builtin_catalogues(school_year=ev.w.year)
        plan = plan_open(actor=ev.w.teacher_a1, person=ev.w.person_a1, school_year=ev.w.year)
    return ev.w.teacher_a1, plan


def _api(prefix: str, step: str = "") -> Callable[[Model], str]:
    return lambda record: f"/api/v1/{prefix}/{record.pk}/" + (f"{step}/" if step else "")


def _page(name: str) -> Callable[[Model], str]:
    return lambda record: reverse(name, args=[record.pk])


MINE = "Bản của tôi"
OTHERS = {"strengths": "Bản của người khác"}
OTHER_NOTE = {"review_note": "Nhận xét của người khác"}

API_CASES: dict[str, Case] = {
    "staff_partial_update": Case(
        _person,
        _api("staff"),
        lambda ev: {"phone": "0922222222", "full_name": "Nguyễn Văn Mới"},
        {"phone": "0911111111"},
        method="patch",
    ),
    "evaluations_self_partial_update": Case(
        _draft,
        _api("evaluations", "self"),
        lambda ev: {"strengths": MINE, "levels": {"1": "Dat"}},
        OTHERS,
        method="patch",
    ),
    "evaluations_submit_create": Case(
        _draft,
        _api("evaluations", "submit"),
        lambda ev: {**PLAN, "strengths": MINE, "levels": ev.levels("Kha")},
        OTHERS,
    ),
    "evaluations_review_partial_update": Case(
        _submitted,
        _api("evaluations", "review"),
        lambda ev: {"note": MINE, "levels": {"2": "Tot"}},
        OTHER_NOTE,
        method="patch",
    ),
    "evaluations_finalise_create": Case(
        _submitted,
        _api("evaluations", "finalise"),
        lambda ev: {"note": MINE, "levels": ev.levels("Tot"), "acknowledge_no_opinions": True},
        OTHER_NOTE,
    ),
    "evaluations_return_create": Case(
        _submitted,
        _api("evaluations", "return"),
        lambda ev: {"reason": "Bổ sung minh chứng"},
        OTHER_NOTE,
    ),
    "bdtx_plans_partial_update": Case(
        _plan,
        _api("bdtx/plans"),
        lambda ev: {"objectives": MINE, "outputs": "Sản phẩm"},
        {"objectives": "Mục tiêu của người khác"},
        method="patch",
    ),
    "bdtx_plans_submit_create": Case(
        _plan, _api("bdtx/plans", "submit"), lambda ev: {}, {"outputs": "Sản phẩm khác"}
    ),
}
# Steps that send no field of the record (returning: the reason is the step's own; submitting
# sends nothing): their conflict lists no difference.
NO_FIELDS = {"evaluations_return_create", "bdtx_plans_submit_create"}


def _staff_form(ev: Any) -> dict[str, Any]:
    person = ev.w.person_a1
    return {
        "full_name": "Nguyễn Văn Mới",
        "gender": person.gender,
        "date_of_birth": "1985-05-17",
        "ethnicity": person.ethnicity,
        "phone": "0922222222",
        "email": "",
        "qualification": "dai_hoc",
        "positions": [p.pk for p in person.positions.all()],
        "subjects": [],
        "subject_group": "",
        "employment_status": "working",
    }


#: By the template holding the form that posts the version.
PAGE_CASES: dict[str, Case] = {
    "staff/edit.html": Case(_person, _page("staff_edit"), _staff_form, {"phone": "0911111111"}),
    "evaluations/self.html": Case(
        _draft,
        _page("evaluation_self"),
        lambda ev: {"strengths": MINE, "level_1": "Dat", "action": "save"},
        OTHERS,
    ),
    "evaluations/_save_status.html": Case(
        _draft,
        _page("evaluation_autosave"),
        lambda ev: {"strengths": MINE, "level_1": "Dat"},
        OTHERS,
        htmx=True,
    ),
    "evaluations/review.html": Case(
        _submitted,
        _page("evaluation_review"),
        lambda ev: {"review_note": MINE, "level_2": "Tot", "action": "save"},
        OTHER_NOTE,
    ),
    "plans/plan.html": Case(
        _plan,
        _page("plan_save"),
        lambda ev: {"objectives": MINE, "outputs": "Sản phẩm của tôi", "action": "save"},
        {"objectives": "Mục tiêu của người khác"},
    ),
}
#: Templates that only bring another template's version field back up to date (an HTMX answer
#: swapping it out of band), by the template whose form posts it: that form has the case.
REFRESHES = {"plans/_item_saved.html": "plans/plan.html"}


# --- finding the versioned routes ----------------------------------------------------------


def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _properties(schema: dict[str, Any], components: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    found = set(schema.get("properties", {}))
    for part in schema.get("allOf", []) + schema.get("oneOf", []):
        found |= _properties(part, components)
    return found


def versioned_operations() -> dict[str, dict[str, Any]]:
    """operationId -> operation, for every API write whose request body takes a version."""
    schema = _schema()
    components = schema["components"]["schemas"]
    found = {}
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if any("version" in _properties(c["schema"], components) for c in content.values()):
                found[operation["operationId"]] = operation
    return found


def versioned_templates() -> set[str]:
    """Templates with a form field named ``version``."""
    found = set()
    for root in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(root).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"""name=["']version["']|form\.version\b""", text):
                found.add(path.relative_to(root).as_posix())
    return found


def locked_models() -> set[str]:
    return {
        model._meta.label_lower
        for model in apps.get_models()
        if any(f.name == "version" for f in model._meta.get_fields())
        and model._meta.label_lower not in NOT_LOCKS
    }


def test_every_versioned_api_operation_has_a_case() -> None:
    found = set(versioned_operations())
    assert len(found) >= 6
    assert found == set(API_CASES), "a versioned API write without a case (or a stale case)"


def test_every_versioned_api_operation_documents_the_one_conflict() -> None:
    for name, operation in versioned_operations().items():
        answer = operation["responses"].get("409", {})
        ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        assert ref == "#/components/schemas/Conflict", name
    conflict = _schema()["components"]["schemas"]["Conflict"]
    assert set(conflict["required"]) == {"detail", "code", "current_version", "differences"}


def test_every_versioned_form_has_a_case() -> None:
    found = versioned_templates() - set(REFRESHES)
    assert set(REFRESHES.values()) <= set(PAGE_CASES)
    assert len(found) >= 3
    assert found == set(PAGE_CASES), "a form posting a version without a case (or a stale case)"


def test_every_locked_model_has_a_case(ev: Any) -> None:
    setups = {case.setup for case in [*API_CASES.values(), *PAGE_CASES.values()]}
    covered = {setup(ev)[1]._meta.label_lower for setup in setups}
    assert locked_models() == covered == {"staff.person", "evaluations.evaluation", "plans.plan"}


# --- the stale write -----------------------------------------------------------------------


def _state(record: Model) -> tuple[Any, ...]:
    """The record's row, its many-to-many links and the size of the audit log."""
    model = type(record)
    with system_scope():
        row = model._base_manager.filter(pk=record.pk).values().get()
        links = {
            m2m.name: sorted(getattr(record, m2m.name).values_list("pk", flat=True))
            for m2m in model._meta.many_to_many
        }
        audit = AuditEvent.objects.count()
    return row, links, audit


def _someone_else_saves(case: Case, record: Model) -> int:
    """Another person's save: returns the version the writer had read."""
    read = record.version  # type: ignore[attr-defined]
    with system_scope():
        type(record)._base_manager.filter(pk=record.pk).update(
            version=F("version") + 1, **case.theirs
        )
    return read


def _api_client(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _vietnamese(text: str) -> None:
    assert text and not english_in(text), f"not Vietnamese: {text!r}"


@pytest.mark.parametrize("operation", sorted(API_CASES))
def test_stale_api_write_is_the_one_409_and_writes_nothing(operation: str, ev: Any) -> None:
    case = API_CASES[operation]
    actor, record = case.setup(ev)
    read = _someone_else_saves(case, record)
    before = _state(record)
    body = {"version": read, **case.data(ev)}
    response = getattr(_api_client(actor), case.method)(case.url(record), body, format="json")

    assert response.status_code == 409, response.content
    answer = response.json()
    assert set(answer) == {"detail", "code", "current_version", "differences"}
    assert answer["code"] == "conflict"
    assert answer["current_version"] == read + 1
    _vietnamese(answer["detail"])
    for row in answer["differences"]:
        assert set(row) == {"field", "label", "theirs", "yours"}
        _vietnamese(row["label"])
    theirs = {row["field"]: row["theirs"] for row in answer["differences"]}
    expected = {} if operation in NO_FIELDS else case.theirs
    assert {name: theirs.get(name) for name in expected} == expected
    assert _state(record) == before


@pytest.mark.parametrize("template", sorted(PAGE_CASES))
def test_stale_form_shows_the_conflict_and_writes_nothing(template: str, ev: Any) -> None:
    case = PAGE_CASES[template]
    actor, record = case.setup(ev)
    read = _someone_else_saves(case, record)
    before = _state(record)
    client: Client = ev.w.client_for(actor)
    headers = {"HX-Request": "true"} if case.htmx else {}
    response = client.post(case.url(record), {"version": read, **case.data(ev)}, headers=headers)

    # The autosave answers 409 too: static/js/drafts.js swaps the status and box in and keeps
    # the browser's copy of the draft, which only a 2xx clears.
    assert response.status_code == 409
    html = response.content.decode()
    box = re.search(r'<div id="conflict"[^>]*>(.*?)</div></div>', html, re.S)
    assert box, "the conflict box is missing"
    rows = dict(re.findall(r'<tr data-field="([^"]+)"><th scope="row">([^<]+)</th>', box[1]))
    for name, value in case.theirs.items():
        assert name in rows, f"{name} not among the differences {rows}"
        assert str(value) in box[1]
    for label in rows.values():
        _vietnamese(label)
    assert english_on_page(box[0]) == []
    assert _state(record) == before


# --- steps without a form ------------------------------------------------------------------


def _finalised(ev: Any) -> Model:
    from opentemis.evaluations import services

    evaluation = ev.submitted()
    with system_scope():
        return services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
            acknowledge_no_opinions=True,
        )


@pytest.mark.parametrize("api", [True, False])
def test_a_step_without_a_version_meets_a_save_made_meanwhile(ev: Any, api: bool) -> None:
    """Acknowledging acts on the record as the request read it; a save between that read and
    the write is the same conflict (API: the one 409; page: said, nothing written)."""
    from unittest import mock

    # The acknowledgement's own module: it calls guarded_update by that name.
    from opentemis.evaluations.services import results

    evaluation = _finalised(ev)
    update = results.guarded_update

    def someone_saves_first(record: Any, **kwargs: Any) -> Any:
        type(record)._base_manager.filter(pk=record.pk).update(version=F("version") + 1)
        return update(record, **kwargs)

    with mock.patch.object(results, "guarded_update", side_effect=someone_saves_first):
        before = _state(evaluation)
        if api:
            url = f"/api/v1/evaluations/{evaluation.pk}/acknowledge/"
            response = _api_client(ev.w.teacher_a1).post(url)
            assert response.status_code == 409
            assert set(response.json()) == {"detail", "code", "current_version", "differences"}
        else:
            url = reverse("evaluation_acknowledge", args=[evaluation.pk])
            response = ev.w.client_for(ev.w.teacher_a1).post(url, follow=True)
            assert "Chưa lưu: bản ghi này đã được người khác thay đổi" in response.content.decode()
    row, links, audit = _state(evaluation)
    row.pop("version"), before[0].pop("version")  # only the other save moved it
    assert (row, links, audit) == before
