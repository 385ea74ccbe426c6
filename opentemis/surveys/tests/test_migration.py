"""The data migration (surveys 0002, decision 0024): each old response becomes a receipt with
its original date and an answer with the unit generalised, and nothing pairs them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from opentemis.core.scoping import system_scope
from opentemis.surveys import items
from opentemis.surveys.models import SurveyAnswer, SurveyReceipt
from tests.factories import PersonFactory
from tests.learning_world import make_course

BEFORE = [("surveys", "0001_initial")]
AFTER = [("surveys", "0002_anonymous_answers")]


@pytest.mark.django_db(transaction=True)
def test_old_responses_become_receipts_and_anonymous_answers(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        small = [
            lw.enrol(PersonFactory(unit=world.school_a2, staff_code=f"M{i}")) for i in range(2)
        ]
        for i in range(4):
            lw.enrol(PersonFactory(unit=world.school_a1, staff_code=f"N{i}"))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    survey = old.get_model("surveys", "Survey").objects.create(
        activity_id=activity.pk, item_set=items.default_version()
    )
    Response = old.get_model("surveys", "SurveyResponse")
    when = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    for enrolment in [lw.enrolment, *small]:
        Response.objects.create(
            survey_id=survey.pk,
            enrolment_id=enrolment.pk,
            unit_path=enrolment.unit_path,
            answers={"muc_tieu": 7},
            comment="Cũ",
        )
    Response.objects.update(submitted_at=when)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    with system_scope():
        receipts = SurveyReceipt.objects.filter(survey_id=survey.pk)
        assert receipts.count() == 3 and {r.submitted_at for r in receipts} == {when}
        assert {r.enrolment_id for r in receipts} == {lw.enrolment.pk, *(e.pk for e in small)}
        answers = SurveyAnswer.objects.filter(survey_id=survey.pk)
        # school A1 holds 5 learners (teacher A1 and 4): filed there; school A2's 2: the commune
        assert sorted(a.unit_path for a in answers) == sorted(
            [world.school_a1.path, world.commune_a.path, world.commune_a.path]
        )
        assert {a.comment for a in answers} == {"Cũ"}
    assert "surveys_surveyresponse" not in connection.introspection.table_names()
