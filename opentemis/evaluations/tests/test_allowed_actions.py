"""Pages and API show the same allowed actions because they ask the same function
(``access.allowed_actions``), and the services accept exactly those.

For each state of a record, in an open and in a finished cycle, and for each actor around it
(the person, a colleague, the principal, the Sở officer): the buttons of the detail page (and the
opinion form of the group page), the API's ``actions`` and what the API accepts when each step
is tried (in a transaction rolled back after) are one and the same set.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.evaluations import access, services
from opentemis.evaluations.access import Action
from opentemis.evaluations.models import Cycle, CycleStatus, Evaluation
from opentemis.evaluations.tests.test_api import api

pytestmark = pytest.mark.django_db

STATES = ("draft", "submitted", "returned", "finalised", "acknowledged")


def _record(ev: Any, state: str) -> Evaluation:
    principal, teacher = ev.w.principal_a1, ev.w.teacher_a1
    if state == "draft":
        return ev.start()
    evaluation = ev.submitted()
    with system_scope():
        if state == "returned":
            return services.evaluation_return(
                actor=principal, evaluation=evaluation, version=evaluation.version, reason="x"
            )
        if state in ("finalised", "acknowledged"):
            services.evaluation_finalise(
                actor=principal,
                evaluation=evaluation,
                version=evaluation.version,
                levels=ev.levels("Kha"),
                acknowledge_no_opinions=True,
            )
        if state == "acknowledged":
            services.evaluation_acknowledge(actor=teacher, evaluation=evaluation)
    return evaluation


def _page_shows(ev: Any, user: Any, pk: int) -> set[Action] | None:
    """The actions the pages offer ``user`` (None: the detail page is a 404 for them)."""
    client = ev.w.client_for(user)
    shown = set()
    group = client.get(reverse("group_opinions"))
    if group.status_code == 200 and f'name="evaluation" value="{pk}"' in group.content.decode():
        shown.add(Action.GIVE_OPINION)
    detail = client.get(reverse("evaluation_detail", args=[pk]))
    if detail.status_code == 404:
        return shown or None
    html = detail.content.decode()
    marks = {
        Action.EDIT_SELF: f'href="{reverse("evaluation_self", args=[pk])}"',
        Action.REVIEW: f'href="{reverse("evaluation_review", args=[pk])}"',
        Action.ACKNOWLEDGE: f'action="{reverse("evaluation_acknowledge", args=[pk])}"',
        Action.REOPEN: f'action="{reverse("evaluation_reopen", args=[pk])}"',
    }
    return shown | {action for action, mark in marks.items() if mark in html}


def _finish(ev: Any) -> None:
    with system_scope():
        Cycle.objects.filter(pk=ev.cycle.pk).update(status=CycleStatus.FINISHED)


class _Undo(Exception):
    pass


def _api_accepts(user: Any, pk: int) -> set[Action]:
    """The steps the API accepts from ``user``, each tried and then rolled back."""
    client = api(user)
    with system_scope():
        version = Evaluation.objects.values_list("version", flat=True).get(pk=pk)
    base = f"/api/v1/evaluations/{pk}/"
    tries = {
        Action.EDIT_SELF: lambda: client.patch(base + "self/", {"version": version}),
        Action.REVIEW: lambda: client.patch(base + "review/", {"version": version}),
        Action.ACKNOWLEDGE: lambda: client.post(base + "acknowledge/"),
        Action.REOPEN: lambda: client.post(base + "reopen/", {"reason": "x"}),
        Action.GIVE_OPINION: lambda: client.post(base + "opinion/", {"level": "Kha"}),
    }
    accepted = set()
    for action, attempt in tries.items():
        try:
            with transaction.atomic():
                response = attempt()
                assert response.status_code in (200, 400, 403, 404), response.content
                if response.status_code == 200:
                    accepted.add(action)
                raise _Undo
        except _Undo:
            pass
    return accepted


@pytest.mark.parametrize("cycle_open", [True, False], ids=["open", "finished"])
@pytest.mark.parametrize("state", STATES)
def test_the_page_shows_what_the_api_lists_and_accepts(ev, state, cycle_open):
    evaluation = _record(ev, state)
    if not cycle_open:
        _finish(ev)
    pk = evaluation.pk
    for user in (ev.w.teacher_a1, ev.colleague, ev.w.principal_a1, ev.w.officer_a):
        listed = api(user).get(f"/api/v1/evaluations/{pk}/")
        shown = _page_shows(ev, user, pk)
        accepted = _api_accepts(user, pk)
        if listed.status_code == 404:  # a colleague: no detail, only the opinion
            assert shown in (None, {Action.GIVE_OPINION})
            assert accepted == (shown or set()), (user.username, state)
            continue
        actions = listed.json()["actions"]
        said = {Action(name.removeprefix("can_")) for name, yes in actions.items() if yes}
        said.discard(Action.ANSWER_POLL)  # a teacher's record: nobody answers a poll
        assert said == shown == accepted, (user.username, state, cycle_open)


def test_the_expected_actions_for_each_actor(ev):
    """The rule itself: a submitted record, then the same record finalised, then its cycle
    finished (nothing is reviewed or reopened in a finished cycle; a result is still read)."""
    w = ev.w
    actors = (w.teacher_a1, ev.colleague, w.principal_a1, w.officer_a)

    def allowed(evaluation: Evaluation) -> dict[str, frozenset[Action]]:
        with system_scope():
            fresh = Evaluation.objects.select_related("cycle", "person").get(pk=evaluation.pk)
            return {u.username: access.allowed_actions(u, fresh) for u in actors}

    evaluation = ev.submitted()
    assert allowed(evaluation) == {
        "teacher_a1": set(),
        "colleague_a1": {Action.GIVE_OPINION},
        "principal_a1": {Action.REVIEW},
        "officer_a": set(),
    }
    with system_scope():
        services.evaluation_finalise(
            actor=w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Kha"),
            acknowledge_no_opinions=True,
        )
    assert allowed(evaluation) == {
        "teacher_a1": {Action.ACKNOWLEDGE},
        "colleague_a1": set(),
        "principal_a1": set(),
        "officer_a": {Action.REOPEN},
    }
    _finish(ev)
    assert allowed(evaluation) == {
        "teacher_a1": {Action.ACKNOWLEDGE},
        "colleague_a1": set(),
        "principal_a1": set(),
        "officer_a": set(),
    }


def test_the_review_page_of_a_closed_cycle_goes_to_the_record(ev):
    """Before, the review page opened in a finished cycle and only refused when saved."""
    evaluation = ev.submitted()
    _finish(ev)
    client = ev.w.client_for(ev.w.principal_a1)
    response = client.get(reverse("evaluation_review", args=[evaluation.pk]))
    assert response.status_code == 302
    assert response.url == reverse("evaluation_detail", args=[evaluation.pk])
