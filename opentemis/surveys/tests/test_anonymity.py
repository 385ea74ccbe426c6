"""Anonymity of the satisfaction survey (decision 0024): the answer row cannot be joined to a
person; its unit is generalised to at least ``min_group`` learners; results withhold small
groups and whatever would reveal one by subtraction; figures equal a recount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.learning.models import ActivityProgress, Enrolment
from opentemis.surveys import anonymity, items, selectors, services
from opentemis.surveys.anonymity import HERE
from opentemis.surveys.models import Survey, SurveyAnswer, SurveyReceipt
from tests.factories import PersonFactory, make_unit, make_user
from tests.learning_world import make_course

ITEMS = items.get(items.default_version())


def _all(value: int) -> dict[str, int]:
    return {item.code: value for item in ITEMS.items}


# --- the answer row --------------------------------------------------------------------------


def test_the_answer_model_has_no_link_to_a_person_and_no_time() -> None:
    fields = SurveyAnswer._meta.get_fields()
    relations = [f for f in fields if f.is_relation]
    assert [(f.name, f.related_model) for f in relations] == [("survey", Survey)]
    assert not any(f.auto_created and not f.concrete for f in fields)  # nothing points to it
    assert not any(
        isinstance(f, models.DateField | models.TimeField | models.DurationField) for f in fields
    )
    pk = SurveyAnswer._meta.pk
    assert isinstance(pk, models.UUIDField) and pk.default is not None
    assert {f.name for f in fields} == {"id", "survey", "unit_path", "answers", "comment"}
    # No model of the project holds a key to an answer.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete:
                assert field.related_model is not SurveyAnswer, (model, field)


def test_every_query_path_from_an_answer_reaches_every_answerer_alike(world: Any) -> None:
    """The answer's one key is its survey, and the survey's only link to people is the list of
    receipts: joined from any answer, the same whole list (at least ``min_group`` people once
    results show), never the one who wrote it."""
    forward = [f.name for f in Survey._meta.get_fields() if f.is_relation and f.concrete]
    assert forward == ["activity"]  # course-wide, nobody's in particular
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        people = [lw.enrolment, *_learners(lw, world.school_a1, 5, "R")]
        for i, enrolment in enumerate(people):
            services.answer_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(4 + i)
            )
        everyone = {e.pk for e in people}
        for answer in SurveyAnswer.objects.all():
            joined = set(
                Enrolment.objects.filter(
                    pk__in=SurveyReceipt.objects.filter(survey__answers=answer.pk).values(
                        "enrolment"
                    )
                ).values_list("pk", flat=True)
            )
            assert joined == everyone


def test_after_answering_nothing_pairs_the_answer_with_the_receipt(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        for i in range(5):
            lw.enrol(PersonFactory(unit=world.school_a1, staff_code=f"P{i}"))
        receipt = services.answer_submit(
            actor=world.teacher_a1,
            survey=survey,
            enrolment=lw.enrolment,
            answers=_all(8),
            comment="Rất bổ ích",
        )
        answer = SurveyAnswer.objects.get()
        row = SurveyAnswer.objects.filter(pk=answer.pk).values().get()
        assert set(row) == {"id", "survey_id", "unit_path", "answers", "comment"}
        identifiers = {
            str(v)
            for v in (
                receipt.pk,
                lw.enrolment.pk,
                lw.enrolment.person_id,
                world.teacher_a1.pk,
                receipt.submitted_at.isoformat(),
            )
        }
        values = {str(v) for v in row.values()} | {str(v) for v in row["answers"].values()}
        assert not identifiers & (values - {str(survey.pk)} - {str(v) for v in range(1, 11)})
        # the audit says that the learner answered, the progress that the survey is done;
        # neither names the answer
        events = AuditEvent.objects.filter(action="surveys.response_submit")
        assert events.count() == 1
        assert str(answer.pk) not in str(events.values().get())
        progress = ActivityProgress.objects.get(enrolment=lw.enrolment, activity=activity)
        assert str(answer.pk) not in str(progress.data)


# --- the generalised unit ----------------------------------------------------------------------


def test_the_unit_is_generalised_until_k_learners_share_it(world: Any) -> None:
    lw = make_course(world)  # province A's course; teacher A1 (school A1) enrolled
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        k = ITEMS.min_group
        assert k >= 5
        in_a2 = [
            lw.enrol(PersonFactory(unit=world.school_a2, staff_code=f"B{i}")) for i in range(2)
        ]
        # school A1: 1, school A2: 2, commune: 3 < 5: filed at the province (the course's unit)
        assert services.answer_path(lw.enrolment, k) == world.province_a.path
        for i in range(2):
            lw.enrol(PersonFactory(unit=world.school_a1, staff_code=f"A{i}"))
        # the commune holds 5: filed there
        assert services.answer_path(in_a2[0], k) == world.commune_a.path
        for i in range(2):
            lw.enrol(PersonFactory(unit=world.school_a1, staff_code=f"C{i}"))
        assert services.answer_path(lw.enrolment, k) == world.school_a1.path
        assert services.answer_path(in_a2[0], k) == world.commune_a.path
        services.answer_submit(actor=None, survey=survey, enrolment=in_a2[0], answers=_all(6))
        assert SurveyAnswer.objects.get().unit_path == world.commune_a.path
        learners = Enrolment.objects.filter(
            course=lw.course, unit_path__startswith=world.commune_a.path
        )
        assert learners.count() >= k


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.integers(0, 7), max_size=9),
    st.integers(0, 2),
    st.integers(0, 2),
)
def test_generalised_path_property(
    sizes: dict[tuple[int, int], int], commune: int, school: int
) -> None:
    """The path chosen holds at least k learners, and no deeper ancestor does; else the
    course's unit (the floor)."""
    k = 5
    floor = "0001"
    learners = [f"{floor}{c:04d}{s:04d}" for (c, s), n in sizes.items() for _i in range(n)]
    path = f"{floor}{commune:04d}{school:04d}"

    def count(prefix: str) -> int:
        return sum(1 for p in learners if p.startswith(prefix))

    chosen = anonymity.generalised_path(path, floor, count, k)
    assert path.startswith(chosen) and chosen.startswith(floor)
    deeper = [p for p in anonymity.prefixes(path, floor) if len(p) > len(chosen)]
    assert all(count(p) < k for p in deeper)
    assert count(chosen) >= k or chosen == floor


# --- withholding -------------------------------------------------------------------------------


def test_suppression_by_hand() -> None:
    assert anonymity.suppress({"a": 5, "b": 7}, 5) == set()
    assert anonymity.suppress({"a": 4, "b": 7, "c": 9}, 5) == {"a", "b"}  # complementary
    assert anonymity.suppress({"a": 4, "b": 3, "c": 9}, 5) == {"a", "b"}
    assert anonymity.suppress({"a": 4}, 5) == {"a"}
    assert anonymity.suppress({"a": 6, "b": 7, "c": 9}, 5, forced={"c"}) == {"a", "c"}


def test_a_withheld_unit_is_withheld_in_its_own_table_too() -> None:
    # Province P: communes X (3 answers) and Y (6: schools Y1 5 and Y2 ... 1) and Z (8).
    counts = {"PPPPXXXX": 3, "PPPPYYYY0001": 5, "PPPPYYYY0002": 1, "PPPPZZZZ": 8}
    hidden = anonymity.withheld(counts, ["PPPP"], 5)
    assert hidden == {"PPPPXXXX", "PPPPYYYY"}  # X small, Y the smallest shown beside it
    # in Y's own table: Y2 is small, Y1 then withheld too; Y itself stays withheld
    hidden = anonymity.withheld(counts, ["PPPP", "PPPPYYYY"], 5)
    assert {"PPPPYYYY", "PPPPYYYY0001", "PPPPYYYY0002"} <= hidden
    # Y withheld as a complement while its schools are all big enough: one is withheld anyway,
    # or the schools would add up to Y and Y give X away
    counts = {"PPPPXXXX": 3, "PPPPYYYY0001": 5, "PPPPYYYY0002": 6, "PPPPZZZZ": 80}
    hidden = anonymity.withheld(counts, ["PPPP", "PPPPYYYY"], 5)
    assert "PPPPYYYY" in hidden and "PPPPYYYY0001" in hidden and "PPPPYYYY0002" not in hidden


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "AAAA",
                "AAAABBBB",
                "AAAABBBB0001",
                "AAAABBBB0002",
                "AAAABBBB0003",
                "AAAACCCC",
                "AAAACCCC0001",
                "AAAADDDD",
            ]
        ),
        st.integers(0, 12),
    ),
    st.sampled_from([["AAAA"], ["AAAA", "AAAABBBB"], ["AAAA", "AAAACCCC"]]),
)
def test_no_withheld_group_is_recovered_by_subtraction(
    counts: dict[str, int], chain: list[str]
) -> None:
    """In every table of the chain: no group under the minimum is shown; a shown parent never
    has exactly one withheld group; a withheld parent never has all its groups shown."""
    k = 5
    hidden = anonymity.withheld(counts, chain, k)
    for parent in chain:
        groups: dict[str, int] = {}
        for path, n in counts.items():
            if path.startswith(parent) and n:
                key = anonymity.group_key(path, parent)
                groups[key] = groups.get(key, 0) + n
        mine = {key for key in groups if key in hidden}
        assert all(n >= k for key, n in groups.items() if key not in mine)
        if parent in hidden:
            assert mine or not groups
        else:
            assert len(mine) != 1


def _learners(lw: Any, unit: Any, n: int, prefix: str) -> list[Any]:
    with system_scope():
        return [
            lw.enrol(PersonFactory(unit=unit, full_name=f"{prefix} {i}", staff_code=f"{prefix}{i}"))
            for i in range(n)
        ]


def test_results_withhold_small_groups_and_equal_a_recount(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        commune_b = make_unit("Xã Hòa Bình", parent=world.province_a, kind="commune", code="SA-X2")
        school_b = make_unit(
            "Trường Tiểu học Hòa Bình", parent=commune_b, kind="school", code="SA-TH9"
        )
        survey = services.survey_for(activity)
        in_a = _learners(lw, world.school_a1, 5, "A")
        in_b = _learners(lw, school_b, 5, "B")  # school B has 5 learners: answers filed there
        sent: list[dict[str, int]] = []
        for i, enrolment in enumerate(in_a):
            answers = {**_all(9), "muc_tieu": 5 + i}
            sent.append(answers)
            services.answer_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=answers, comment="Hay"
            )
        for enrolment in in_b[:4]:
            sent.append(_all(3))
            services.answer_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(3), comment="Bí mật B"
            )
        data = selectors.results(survey, world.officer_a)
    assert data.total.shown and data.total.count == 9
    # recount: the mean of each aspect over the answers sent
    for aspect in data.total.aspects:
        values = [a[aspect.item.code] for a in sent]
        expected = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"))
        assert aspect.mean == expected and aspect.count == 9
    index = sum((a.mean for a in data.total.aspects if a.mean), Decimal(0)) / 8
    assert data.total.index == index.quantize(Decimal("0.01"))
    groups = {g.name: g for g in data.groups}
    # commune B has 4: withheld; commune A, the only one shown, would give B away: withheld
    assert not groups["Xã Hòa Bình"].shown and not groups["Xã Hòa Bình"].aspects
    assert not groups["Xã Hòa An"].shown and data.total.comments == []
    client = Client()
    client.force_login(world.officer_a)
    page = client.get(reverse("survey_results", args=[activity.pk])).content.decode()
    assert "Bí mật B" not in page and "Hay" not in page
    api = client.get(reverse("api:learn-survey-results", args=[activity.pk])).json()
    assert api["total"]["count"] == 9
    assert all(not g["shown"] and g["count"] is None for g in api["groups"])
    # one more in commune B: both groups of 5 shown, with their comments
    with system_scope():
        services.answer_submit(
            actor=None, survey=survey, enrolment=in_b[4], answers=_all(3), comment="Bí mật B"
        )
        data = selectors.results(survey, world.officer_a)
    groups = {g.name: g for g in data.groups}
    assert groups["Xã Hòa Bình"].shown and groups["Xã Hòa Bình"].index == Decimal("3.00")
    assert (
        groups["Xã Hòa Bình"].band == "Thấp" and groups["Xã Hòa Bình"].comments == ["Bí mật B"] * 5
    )


def test_a_reader_sees_only_their_subtree_and_the_same_decision(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        for enrolment in _learners(lw, world.school_a1, 6, "A"):
            services.answer_submit(actor=None, survey=survey, enrolment=enrolment, answers=_all(9))
        for enrolment in _learners(lw, world.school_a2, 2, "B"):
            services.answer_submit(actor=None, survey=survey, enrolment=enrolment, answers=_all(2))
        paths = set(SurveyAnswer.objects.values_list("unit_path", flat=True))
    # school A2's 2 learners: filed at the commune (with A1's 7, 9 learners); A1's at A1
    assert paths == {world.school_a1.path, world.commune_a.path}
    principal_a1 = world.principal_a1
    client = Client()
    client.force_login(principal_a1)
    api = client.get(reverse("api:learn-survey-results", args=[activity.pk])).json()
    # A1's 6 answers are enough, but the commune's table withholds A1 beside the 2 filed at
    # the commune: the principal sees the same decision, nothing
    assert api["total"]["shown"] is False and api["total"]["count"] is None
    officer = Client()
    officer.force_login(world.officer_a)
    api = officer.get(reverse("api:learn-survey-results", args=[activity.pk])).json()
    assert api["total"]["shown"] and api["total"]["count"] == 8
    officer_b = make_user("officer_b", role="unit_officer", unit=world.province_b)
    client.force_login(officer_b)
    assert client.get(reverse("survey_results", args=[activity.pk])).status_code == 404
    assert client.get(reverse("api:learn-survey-results", args=[activity.pk])).status_code == 404


def test_here_key_names_the_unit() -> None:
    assert anonymity.group_key("0001", "0001") == "0001" + HERE
    assert anonymity.group_key("000100020003", "0001") == "00010002"


@pytest.mark.parametrize("path", ["0001", "00010002"])
def test_prefixes_stop_at_the_floor(path: str) -> None:
    assert anonymity.prefixes(path, "0001")[-1] == "0001"
    assert anonymity.prefixes("0009", "0001") == ["0001"]


def _xmins(table: str, survey: Survey) -> list[str]:
    """The transaction that wrote each row (PostgreSQL's ``xmin``; SQLite has none: one fake
    value per row, so only the checks that hold either way bite there)."""
    if connection.vendor != "postgresql":
        with system_scope():
            model = SurveyAnswer if table.endswith("answer") else SurveyReceipt
            return ["?"] * model.objects.filter(survey=survey).count()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} WHERE survey_id = %s", [survey.pk])
        return [row[0] for row in cursor.fetchall()]


def test_the_seal_erases_what_the_database_kept_of_the_writing(world: Any) -> None:
    lw = make_course(world)
    activity = lw.activity("survey", "Khảo sát")
    with system_scope():
        survey = services.survey_for(activity)
        for i, enrolment in enumerate([lw.enrolment, *_learners(lw, world.school_a1, 5, "S")]):
            services.answer_submit(
                actor=None, survey=survey, enrolment=enrolment, answers=_all(3 + i)
            )
        before = set(SurveyAnswer.objects.values_list("pk", flat=True))
        scores = sorted(
            a["muc_tieu"] for a in SurveyAnswer.objects.values_list("answers", flat=True)
        )
    postgres = connection.vendor == "postgresql"
    # each answer was written by its own (sub)transaction, next to its receipt's
    assert len(set(_xmins("surveys_surveyanswer", survey))) == (6 if postgres else 1)
    with system_scope():
        assert services.answers_seal(survey=survey) == 6
    answers, receipts = (
        _xmins("surveys_surveyanswer", survey),
        _xmins("surveys_surveyreceipt", survey),
    )
    assert len(set(answers)) == 1 and set(answers) == set(receipts)  # one writer for all
    with system_scope():
        assert not before & set(SurveyAnswer.objects.values_list("pk", flat=True))  # new keys
        assert (
            sorted(a["muc_tieu"] for a in SurveyAnswer.objects.values_list("answers", flat=True))
            == scores
        )  # the same answers
        assert SurveyReceipt.objects.count() == 6
        assert services.answers_seal(survey=survey) == 0  # nothing new
