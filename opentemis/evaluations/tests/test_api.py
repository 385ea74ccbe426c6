"""REST API v1: the evaluation workflow with tokens, its scoping (404 outside), conflicts (409),
the anonymous poll, the schema, and a database failure during a write (503, nothing saved)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opentemis.core.scoping import system_scope
from opentemis.evaluations import services
from opentemis.evaluations.models import Evaluation, PollBallot, Status
from opentemis.evaluations.services import results
from opentemis.evaluations.tests.conftest import PLAN
from opentemis.evidence.models import Evidence
from opentemis.orgs.models import SchoolYear
from tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"
ME = "/api/v1/evaluations/me/"


def api(user: Any) -> APIClient:
    """A client signed in with a real API token (the lazy request scope must see that user)."""
    client = APIClient()
    client.default_format = "json"  # levels are nested objects
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(evaluation: Any, step: str = "") -> str:
    pk = evaluation if isinstance(evaluation, int) else evaluation.pk
    return f"/api/v1/evaluations/{pk}/" + (f"{step}/" if step else "")


def ok(response: Any, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.content
    return response.json() if response.content else {}


def fresh(evaluation: Any) -> Evaluation:
    with system_scope():
        return Evaluation.objects.get(pk=evaluation.pk)


def ids(response: Any) -> set[int]:
    return {row["id"] for row in ok(response)["results"]}


# --- the whole teacher workflow -------------------------------------------------------------


def test_teacher_workflow_through_the_api(ev):
    teacher = api(ev.w.teacher_a1)
    started = ok(teacher.post(ME), 201)
    assert ok(teacher.post(ME))["id"] == started["id"]  # idempotent: 200 the second time
    assert ok(teacher.get(ME))["id"] == started["id"]
    pk = started["id"]
    assert started["framework"]["code"] == "TT20_2018_GVPT"
    assert started["actions"]["can_edit_self"] is True
    assert len(started["criteria"]) == 15

    draft = ok(
        teacher.patch(
            url(pk, "self"),
            {"version": 1, "levels": {"1": "Tot"}, "strengths": "Soạn giảng tốt"},
            format="json",
        )
    )
    assert draft["version"] == 2
    assert draft["self_evaluation"]["levels"] == {"1": "Tot"}
    assert draft["self_evaluation"]["strengths"] == "Soạn giảng tốt"
    assert draft["self_evaluation"]["rating"] is None  # incomplete: no rating yet

    submitted = ok(
        teacher.post(
            url(pk, "submit"),
            {
                "version": 2,
                "levels": ev.levels("Kha"),
                "priority_criteria": [15],
                # The strengths were saved with the draft; the rest of the plan comes now.
                **{k: v for k, v in PLAN.items() if k != "strengths"},
            },
            format="json",
        )
    )
    assert submitted["status"] == "submitted"
    assert submitted["self_evaluation"]["self_rating"] == "Kha"
    assert submitted["self_evaluation"]["rating"]["level"] == "Kha"
    assert submitted["actions"]["can_edit_self"] is False

    colleague = api(ev.colleague)
    opinion = ok(colleague.post(url(pk, "opinion"), {"level": "Tot", "comment": "Tốt"}))
    assert opinion["level"] == "Tot"
    ok(colleague.put(url(pk, "opinion"), {"level": "Kha"}, format="json"))
    assert colleague.get(url(pk)).status_code == 404  # a colleague gives an opinion, no more
    assert colleague.get(url(pk, "opinions")).status_code == 403
    summary = ok(api(ev.leader).get(url(pk, "opinions")))
    assert summary["total"] == 1
    assert summary["counts"] == {"ChuaDat": 0, "Dat": 0, "Kha": 1, "Tot": 0}

    principal = api(ev.w.principal_a1)
    seen = ok(principal.get(url(pk)))
    assert seen["actions"]["can_review"] is True
    assert seen["actions"]["can_reopen"] is False
    reviewed = ok(
        principal.patch(
            url(pk, "review"),
            {"version": seen["version"], "levels": ev.levels("Tot", c4="Kha", c6="Dat")},
            format="json",
        )
    )
    assert teacher.get(url(pk)).json()["review"] is None  # the reviewer's draft stays hidden
    finalised = ok(
        principal.post(
            url(pk, "finalise"),
            {"version": reviewed["version"], "note": "Cần bồi dưỡng CNTT"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert finalised["status"] == "finalised"
    assert finalised["review"]["final_rating"] == "Dat"
    explanation = " ".join(finalised["review"]["rating"]["explanation"])
    assert "criterion 6" in explanation and "key criterion" in explanation
    assert {n["criterion"] for n in finalised["training_needs"]} == {6, 15}

    mine = ok(teacher.get(url(pk)))
    assert mine["review"]["final_rating"] == "Dat"
    assert mine["actions"]["can_acknowledge"] is True
    assert ok(teacher.post(url(pk, "acknowledge")))["status"] == "acknowledged"

    assert principal.post(url(pk, "reopen"), {"reason": "x"}).status_code == 403
    officer = api(ev.w.officer_a)
    assert ok(officer.get(url(pk)))["actions"]["can_reopen"] is True
    reopened = ok(officer.post(url(pk, "reopen"), {"reason": "Nhập nhầm tiêu chí 3"}))
    assert reopened["status"] == "submitted"
    assert reopened["review"]["final_rating"] == ""


def test_return_sends_it_back_and_the_teacher_sees_why(ev):
    evaluation = ev.submitted()
    response = api(ev.w.principal_a1).post(
        url(evaluation, "return"),
        {"version": evaluation.version, "reason": "Bổ sung minh chứng tiêu chí 5"},
    )
    body = ok(response)
    assert body["status"] == "returned"
    mine = ok(api(ev.w.teacher_a1).get(url(evaluation)))
    assert mine["returned_reason"] == "Bổ sung minh chứng tiêu chí 5"
    assert mine["actions"]["can_edit_self"] is True


# --- conflicts, errors ----------------------------------------------------------------------


def test_stale_version_is_409_with_the_other_changes(ev):
    evaluation = ev.start()
    teacher = api(ev.w.teacher_a1)
    ok(
        teacher.patch(
            url(evaluation, "self"), {"version": 1, "levels": {"1": "Tot"}}, format="json"
        )
    )
    response = teacher.patch(
        url(evaluation, "self"),
        {"version": 1, "levels": {"1": "Dat"}, "strengths": "Mới"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert "you sent version 1, it is now at version 2" in body["detail"]
    assert body["code"] == "conflict"
    rows = {row["field"]: row for row in body["differences"]}
    assert rows["self_levels[1]"] == {
        "field": "self_levels[1]",
        "label": "Criterion 1: Self-evaluated levels",
        "theirs": "Tot",
        "yours": "Dat",
    }
    assert rows["strengths"] == {
        "field": "strengths",
        "label": "Strengths",
        "theirs": "",
        "yours": "Mới",
    }
    assert fresh(evaluation).self_levels == {"1": "Tot"}


def test_stale_review_conflict_lists_only_what_the_reviewer_typed(ev):
    evaluation = ev.submitted()
    principal = api(ev.w.principal_a1)
    version = evaluation.version
    ok(principal.patch(url(evaluation, "review"), {"version": version, "note": "A"}, format="json"))
    response = principal.post(
        url(evaluation, "finalise"),
        {"version": version, "levels": ev.levels("Tot"), "note": "B"},
        format="json",
    )
    assert response.status_code == 409
    fields = {row["field"] for row in response.json()["differences"]}
    assert "review_note" in fields
    assert not fields & {"reviewer", "status", "finalised_at", "final_rating"}
    assert fresh(evaluation).status == Status.SUBMITTED


def test_version_is_required(ev):
    evaluation = ev.start()
    response = api(ev.w.teacher_a1).patch(
        url(evaluation, "self"), {"levels": {"1": "Tot"}}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_service_validation_is_400_with_the_message_in_the_request_language(ev):
    evaluation = ev.start()
    teacher = api(ev.w.teacher_a1)
    response = teacher.post(
        url(evaluation, "submit"), {"version": 1, "levels": {"1": "Tot", "2": "Tot"}, **PLAN}
    )
    assert response.status_code == 400
    missing = ", ".join(str(n) for n in range(3, 16))
    with translation.override("vi"):
        expected = gettext(
            "Choose a level for every criterion before submitting (missing: %(numbers)s)."
        ) % {"numbers": missing}
    assert response.json() == {"non_field_errors": [expected]}
    english = teacher.post(
        url(evaluation, "submit"),
        {"version": 1, "levels": {"1": "Nope"}},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 400
    assert "is not a level" in english.json()["non_field_errors"][0]
    assert fresh(evaluation).status == Status.DRAFT


def test_not_allowed_is_403_only_for_those_who_can_see_it(ev):
    evaluation = ev.submitted()
    principal = api(ev.w.principal_a1)
    assert (
        principal.patch(url(evaluation, "self"), {"version": 9}, format="json").status_code == 403
    )
    assert principal.post(url(evaluation, "acknowledge")).status_code == 403
    teacher = api(ev.w.teacher_a1)
    body = {"version": evaluation.version, "levels": ev.levels("Tot")}
    assert teacher.post(url(evaluation, "finalise"), body, format="json").status_code == 403
    outsider = api(ev.w.principal_b1)
    assert outsider.post(url(evaluation, "finalise"), body, format="json").status_code == 404
    assert outsider.post(url(evaluation, "opinion"), {"level": "Tot"}).status_code == 404
    assert fresh(evaluation).status == Status.SUBMITTED


def test_database_failure_during_a_write_is_503_and_the_draft_is_unchanged(ev):
    evaluation = ev.start()
    teacher = api(ev.w.teacher_a1)
    ok(
        teacher.patch(
            url(evaluation, "self"), {"version": 1, "levels": {"1": "Kha"}}, format="json"
        )
    )
    failing = mock.patch.object(
        services, "evaluation_save_draft", side_effect=OperationalError("server closed")
    )
    with failing:
        response = teacher.patch(
            url(evaluation, "self"),
            {"version": 2, "levels": {"1": "Tot"}},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 503
    assert "Nothing was saved" in response.json()["detail"]
    assert response["Retry-After"]
    after = ok(teacher.get(url(evaluation)))
    assert after["version"] == 2
    assert after["self_evaluation"]["levels"] == {"1": "Kha"}


# --- scoping --------------------------------------------------------------------------------


def test_principal_of_province_b_gets_404_and_an_empty_list(ev):
    evaluation = ev.submitted()
    outsider = api(ev.w.principal_b1)
    foreign = outsider.get(url(evaluation))
    missing = outsider.get(url(999_999))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    for step in ("opinions", "poll"):
        assert outsider.get(url(evaluation, step)).status_code == 404
    version = {"version": evaluation.version}
    assert outsider.patch(url(evaluation, "review"), version, format="json").status_code == 404
    assert outsider.post(url(evaluation, "reopen"), {"reason": "x"}).status_code == 404
    assert ids(outsider.get(LIST)) == set()
    assert outsider.get(LIST, {"unit": ev.w.school_a1.pk}).status_code == 404
    assert outsider.get(LIST, {"cycle": ev.cycle.pk}).status_code == 404
    assert evaluation.pk in ids(api(ev.w.officer_a).get(LIST))


def test_list_shows_only_what_the_actor_may_view(ev):
    mine = ev.submitted()
    colleague = ev.start(ev.colleague)
    principal_own = ev.start(ev.w.principal_a1)
    assert ids(api(ev.w.teacher_a1).get(LIST)) == {mine.pk}
    assert ids(api(ev.colleague).get(LIST)) == {colleague.pk}
    everyone = {mine.pk, colleague.pk, principal_own.pk}
    assert ids(api(ev.w.principal_a1).get(LIST)) == everyone
    assert ids(api(ev.w.officer_a).get(LIST)) == everyone


def test_list_filters(ev):
    mine = ev.submitted()
    colleague = ev.start(ev.colleague)
    principal = ev.start(ev.w.principal_a1)
    officer = api(ev.w.officer_a)
    assert ids(officer.get(LIST, {"status": "submitted"})) == {mine.pk}
    assert ids(officer.get(LIST, {"kind": "manager"})) == {principal.pk}
    assert ids(officer.get(LIST, {"cycle": ev.cycle.pk, "kind": "teacher"})) == {
        mine.pk,
        colleague.pk,
    }
    assert ids(officer.get(LIST, {"unit": ev.w.school_a2.pk})) == set()
    assert len(ids(officer.get(LIST, {"unit": ev.w.commune_a.pk}))) == 3
    assert officer.get(LIST, {"status": "nope"}).status_code == 400
    row = officer.get(LIST, {"status": "submitted"}).json()["results"][0]
    assert row["person"]["staff_code"] == "GVA1"
    assert row["unit"]["code"] == "SA-TH1"


def test_list_costs_constant_queries(ev, django_assert_max_num_queries):
    for i in range(12):
        person = PersonFactory(unit=ev.w.school_a1, staff_code=f"GVQ{i}")
        user = make_user(f"q{i}", role="teacher", unit=ev.w.school_a1, person=person)
        ev.start(user)
    client = api(ev.w.officer_a)
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(ok(response)["results"]) == 12


def test_me_without_a_cycle_is_404(ev):
    response = api(ev.w.principal_b1).post(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "No evaluation cycle" in response.json()["detail"]
    assert api(ev.w.officer_a).get(ME).status_code == 404  # no staff record


# --- the principal's anonymous poll ---------------------------------------------------------


def test_poll_never_exposes_individual_ballots(ev):
    evaluation = ev.submitted(ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    voters = [ev.w.teacher_a1, ev.colleague, ev.leader]
    first = api(voters[0])
    assert first.get(url(evaluation)).status_code == 404  # staff answer, they do not read it
    ok(first.post(url(evaluation, "poll"), {"levels": {"1": "Kha"}, "overall": "Kha"}, "json"), 204)
    assert first.post(url(evaluation, "poll"), {"overall": "Tot"}, "json").status_code == 400
    officer = api(ev.w.officer_a)
    hidden = ok(officer.get(url(evaluation, "poll")))
    assert hidden == {"answers": 1, "shown": False, "overall": {}, "criteria": []}
    for voter in voters[1:]:
        ok(api(voter).post(url(evaluation, "poll"), {"overall": "Tot"}, format="json"), 204)
    response = officer.get(url(evaluation, "poll"))
    assert ok(response) == {
        "answers": 3,
        "shown": True,
        "overall": {"Kha": 1, "Tot": 2},
        "criteria": [{"criterion": 1, "counts": {"Kha": 1}}],
    }
    with system_scope():
        ballot_ids = [str(pk) for pk in PollBallot.objects.values_list("pk", flat=True)]
    text = response.content.decode()
    assert ballot_ids and not any(ballot in text for ballot in ballot_ids)
    assert api(ev.w.principal_a1).get(url(evaluation, "poll")).status_code == 403  # themself
    outsider = make_user(
        "outsider", role="teacher", unit=ev.w.school_b1, person=PersonFactory(unit=ev.w.school_b1)
    )
    assert api(outsider).post(url(evaluation, "poll"), {"overall": "Tot"}).status_code == 404


# --- evidence -------------------------------------------------------------------------------


def test_evidence_attach_and_detach(ev):
    evaluation = ev.start()
    with system_scope():
        item = Evidence.objects.create(
            owner=ev.w.person_a1, kind="link", title="Giáo án", url="https://example.vn/ga"
        )
        foreign = Evidence.objects.create(
            owner=ev.w.person_b1, kind="link", title="B", url="https://example.vn/b"
        )
    teacher = api(ev.w.teacher_a1)
    links = ok(
        teacher.post(url(evaluation, "evidence"), {"criterion": 2, "evidence": item.pk}), 201
    )
    assert links == [{"criterion": 2, "evidence": item.pk, "title": "Giáo án", "kind": "link"}]
    assert ok(teacher.get(url(evaluation)))["evidence"] == links
    refused = teacher.post(url(evaluation, "evidence"), {"criterion": 2, "evidence": foreign.pk})
    assert refused.status_code == 400
    assert "evidence" in refused.json()
    principal = api(ev.w.principal_a1)
    assert (
        principal.post(url(evaluation, "evidence"), {"criterion": 3, "evidence": item.pk})
    ).status_code == 403
    query = f"?criterion=2&evidence={item.pk}"
    assert teacher.delete(url(evaluation, "evidence") + query).status_code == 204
    assert ok(teacher.get(url(evaluation)))["evidence"] == []


# --- cycles and completion ------------------------------------------------------------------


def test_cycles_list_detail_and_scope(ev):
    cycle_url = f"/api/v1/cycles/{ev.cycle.pk}/"
    teacher_cycles = ok(api(ev.w.teacher_a1).get("/api/v1/cycles/"))["results"]
    assert [c["id"] for c in teacher_cycles] == [ev.cycle.pk]  # the province's cycle covers A1
    assert ok(api(ev.w.officer_a).get(cycle_url))["school_year"] == "2025-2026"
    assert ok(api(ev.w.principal_b1).get("/api/v1/cycles/"))["results"] == []
    assert api(ev.w.principal_b1).get(cycle_url).status_code == 404
    assert api(ev.w.principal_b1).get(cycle_url + "completion/").status_code == 404


def test_open_a_cycle(ev):
    with system_scope():
        SchoolYear.objects.create(
            code="2026-2027", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 8, 31)
        )
    body = {
        "unit": ev.w.province_a.pk,
        "school_year": "2026-2027",
        "name": "Đánh giá 2026-2027",
        "self_due": "2027-05-15",
        "opinions_due": "2027-05-25",
        "review_due": "2027-06-05",
    }
    created = ok(api(ev.w.officer_a).post("/api/v1/cycles/", body, format="json"), 201)
    assert created["unit"]["code"] == "SA"
    assert created["status"] == "open"
    again = api(ev.w.officer_a).post("/api/v1/cycles/", body, format="json")
    assert again.status_code == 400  # overlaps the cycle just opened
    foreign = api(ev.w.principal_b1).post("/api/v1/cycles/", body, format="json")
    missing = api(ev.w.principal_b1).post(
        "/api/v1/cycles/", {**body, "unit": 999_999}, format="json"
    )
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    late = {**body, "unit": ev.w.province_b.pk, "review_due": "2027-05-01"}
    assert api(ev.w.principal_b1).post("/api/v1/cycles/", late, format="json").status_code == 400


def test_completion_per_child_unit(ev):
    ev.submitted()
    ev.start(ev.colleague)
    officer = api(ev.w.officer_a)
    body = ok(officer.get(f"/api/v1/cycles/{ev.cycle.pk}/completion/"))
    assert body["total"]["unit"]["code"] == "SA"
    (commune,) = body["rows"]
    assert commune["unit"]["code"] == "SA-X1"
    assert commune["started"] == 2 and commune["self_evaluated"] == 1
    school = ok(
        officer.get(f"/api/v1/cycles/{ev.cycle.pk}/completion/", {"unit": ev.w.commune_a.pk})
    )
    rows = {row["unit"]["code"]: row for row in school["rows"]}
    assert rows["SA-TH1"]["to_evaluate"] == 4  # HT, two teachers and the group leader
    assert rows["SA-TH1"]["self_rate"] == 25.0
    assert api(ev.w.teacher_a1).get(f"/api/v1/cycles/{ev.cycle.pk}/completion/").status_code == 404


# --- schema ---------------------------------------------------------------------------------


def test_openapi_schema_lists_every_endpoint(db):
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    expected = {
        "/api/v1/cycles/": {"get", "post"},
        "/api/v1/cycles/{id}/": {"get"},
        "/api/v1/cycles/{id}/completion/": {"get"},
        "/api/v1/evaluations/": {"get"},
        "/api/v1/evaluations/me/": {"get", "post"},
        "/api/v1/evaluations/{id}/": {"get"},
        "/api/v1/evaluations/{id}/self/": {"patch"},
        "/api/v1/evaluations/{id}/submit/": {"post"},
        "/api/v1/evaluations/{id}/review/": {"patch"},
        "/api/v1/evaluations/{id}/return/": {"post"},
        "/api/v1/evaluations/{id}/finalise/": {"post"},
        "/api/v1/evaluations/{id}/acknowledge/": {"post"},
        "/api/v1/evaluations/{id}/reopen/": {"post"},
        "/api/v1/evaluations/{id}/opinion/": {"post", "put"},
        "/api/v1/evaluations/{id}/opinions/": {"get"},
        "/api/v1/evaluations/{id}/poll/": {"get", "post"},
        "/api/v1/evaluations/{id}/evidence/": {"post", "delete"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) - {"parameters"} == methods, path
    self_save = paths["/api/v1/evaluations/{id}/self/"]["patch"]
    assert {"200", "400", "403", "404", "409", "503"} <= set(self_save["responses"])
    assert "requestBody" in self_save
    detail = paths["/api/v1/evaluations/{id}/"]["get"]["responses"]["200"]
    assert detail["content"]["application/json"]["schema"]["$ref"].endswith("/EvaluationDetail")


def test_conflict_on_a_step_without_a_body_names_the_version_it_read(ev):
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=ev.w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Tot"),
        )
    read = evaluation.version
    update = results.guarded_update

    def someone_saves_first(evaluation: Any, **kwargs: Any) -> Any:
        # Another tab saves between the request's read and its write.
        Evaluation.objects.filter(pk=evaluation.pk).update(version=F("version") + 1)
        return update(evaluation, **kwargs)

    with mock.patch.object(results, "guarded_update", side_effect=someone_saves_first):
        response = api(ev.w.teacher_a1).post(
            url(evaluation, "acknowledge"), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 409
    assert f"you sent version {read}, it is now at version {read + 1}" in response.json()["detail"]
    assert response.json()["differences"] == []


def test_step_answers_equal_a_fresh_read(ev):
    """A step answers from the record the service updated (no second lookup): it must equal
    what a GET returns, at every step of the workflow."""
    teacher = api(ev.w.teacher_a1)
    principal = api(ev.w.principal_a1)
    officer = api(ev.w.officer_a)
    pk = ok(teacher.post(ME), 201)["id"]
    with system_scope():
        item = Evidence.objects.create(
            owner=ev.w.person_a1, kind="link", title="Giáo án", url="https://example.edu.vn/a"
        )
    ok(teacher.post(url(pk, "evidence"), {"criterion": 2, "evidence": item.pk}), 201)

    def step(client: APIClient, method: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = ok(getattr(client, method)(url(pk, name), body, format="json"))
        assert answer == ok(client.get(url(pk))), name
        return answer

    draft = step(teacher, "patch", "self", {"version": 1, "levels": ev.levels("Kha")})
    submitted = step(teacher, "post", "submit", {"version": draft["version"], **PLAN})
    assert submitted["evidence"] == [
        {"criterion": 2, "evidence": item.pk, "title": "Giáo án", "kind": "link"}
    ]
    reviewed = step(principal, "patch", "review", {"version": submitted["version"], "note": "A"})
    returned = step(
        principal, "post", "return", {"version": reviewed["version"], "reason": "Bổ sung"}
    )
    again = step(teacher, "post", "submit", {"version": returned["version"]})
    finalised = step(
        principal,
        "post",
        "finalise",
        {"version": again["version"], "levels": ev.levels("Tot", c6="Dat")},
    )
    assert finalised["review"]["finalised_at"]
    assert [n["criterion"] for n in finalised["training_needs"]] == [6]
    step(teacher, "post", "acknowledge", {})
    reopened = step(officer, "post", "reopen", {"reason": "Nhầm tiêu chí 6"})
    assert reopened["status"] == Status.SUBMITTED and reopened["training_needs"] == []


def _undeclared(values: Any, serializer: Any, where: str = "") -> list[str]:
    """Keys of ``values`` that ``serializer`` has no field for (it would drop them unseen)."""
    from rest_framework import serializers

    if isinstance(serializer, serializers.ListSerializer):
        return [x for item in values for x in _undeclared(item, serializer.child, where + "[]")]
    if not isinstance(serializer, serializers.Serializer) or not isinstance(values, dict):
        return []
    fields = serializer.fields
    found = [f"{where}.{key}" for key in values if key not in fields]
    for key, value in values.items():
        if key in fields and value is not None:
            found += _undeclared(value, fields[key], f"{where}.{key}")
    return found


def test_the_record_has_one_shape_the_serializer_and_the_actions_are_its_fields(ev):
    """The API's record is ``EvaluationDetailSerializer``'s shape alone: what the view gathers
    for it names only fields it declares (nothing computed is dropped unseen), and it declares
    one ``can_<action>`` per action of ``access.Action``."""
    from opentemis.evaluations.access import Action
    from opentemis.evaluations.api.detail import DETAIL, detail_values
    from opentemis.evaluations.serializers import ActionsSerializer

    evaluation = ev.submitted()
    with system_scope():
        for actor in (ev.w.teacher_a1, ev.w.principal_a1):
            record = Evaluation.objects.select_related("person", "unit", "framework", "cycle").get(
                pk=evaluation.pk
            )
            assert _undeclared(detail_values(actor, record), DETAIL) == []
    assert set(ActionsSerializer().fields) == {f"can_{action.value}" for action in Action}


def test_list_for_opinion_and_for_poll(ev):
    teacher_eval = ev.submitted()  # teacher_a1, in the colleague's subject group
    principal_eval = ev.submitted(user=ev.w.principal_a1, levels=ev.levels("Tot", n=18))
    colleague = api(ev.colleague)
    assert ids(colleague.get(LIST, {"for": "opinion"})) == {teacher_eval.pk}
    assert ids(colleague.get(LIST)) == set()  # a colleague may not view the records themselves
    assert ids(colleague.get(LIST, {"for": "poll"})) == {principal_eval.pk}
    ok(colleague.post(url(principal_eval, "poll"), {"overall": "Kha"}), 204)
    assert ids(colleague.get(LIST, {"for": "poll"})) == set()  # answered: no longer listed
    assert ids(api(ev.w.teacher_a1).get(LIST, {"for": "opinion"})) == set()  # not oneself
    assert ids(api(ev.w.principal_b1).get(LIST, {"for": "poll"})) == set()  # another school
    assert api(ev.colleague).get(LIST, {"for": "everything"}).status_code == 400
