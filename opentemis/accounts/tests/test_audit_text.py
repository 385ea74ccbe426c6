"""Audit events read as Vietnamese sentences, with names and local time, in the audit log and in
an evaluation's history; and every action code written anywhere has its sentence."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opentemis.accounts.audit_text import describe, sentences
from opentemis.accounts.models import AuditEvent
from opentemis.accounts.services import audit, login_failed
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.evaluations import services
from opentemis.orgs.services import unit_update

APP = Path(settings.BASE_DIR) / "opentemis"
# Functions that pass their own ``action`` argument on to ``audit``: their callers are read.
WRAPPERS = {"write_step", "config_audit", "audit_read", "_insert"}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


class _AuditCalls(ast.NodeVisitor):
    """Collects the action codes given to ``audit`` and its wrappers in one module."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.functions: list[str] = []
        self.codes: set[str] = set()
        self.unseen: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in {"audit", *WRAPPERS}:
            given = [k.value for k in node.keywords if k.arg == "action"]
            if name == "config_audit" and len(node.args) > 1:
                given.append(node.args[1])
            for value in given:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    self.codes.add(value.value)
                elif not (self.functions and self.functions[-1] in WRAPPERS):
                    self.unseen.append(f"{self.where}:{node.lineno}")
        self.generic_visit(node)


def emitted_action_codes() -> tuple[set[str], list[str]]:
    """Action codes written by the code (literals given to ``audit`` and its wrappers), and the
    places that give ``audit`` a code this reading cannot see."""
    codes: set[str] = set()
    unseen: list[str] = []
    for path in APP.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        calls = _AuditCalls(str(path.relative_to(APP)))
        calls.visit(ast.parse(path.read_text(encoding="utf-8")))
        codes |= calls.codes
        unseen += calls.unseen
    return codes, unseen


def test_every_action_code_written_anywhere_has_a_sentence() -> None:
    codes, unseen = emitted_action_codes()
    assert len(codes) > 30  # the reading finds the calls
    assert "evaluation.submit" in codes and "standards.evaluator_rule_save" in codes
    assert unseen == [], "pass audit() a literal action code, or make the function a wrapper"
    assert sorted(codes - sentences().keys()) == []


def _history(response: Any) -> str:
    """The history's text, without its tags."""
    html = response.content.decode()
    history = html[html.index('<ul class="small history">') :].split("</ul>")[0]
    return re.sub(r"<[^>]+>", "", history)


def test_evaluation_history_reads_as_sentences_with_names_and_local_time(ev: Any) -> None:
    w = ev.w
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_return(
            actor=w.principal_a1, evaluation=evaluation, version=evaluation.version, reason="Thiếu"
        )
    moment = dt.datetime(2026, 5, 17, 7, 51, 3, 123456, tzinfo=dt.UTC)
    with system_scope():
        AuditEvent.objects.filter(action="evaluation.submit").update(at=moment)

    response = w.client_for(w.teacher_a1).get(reverse("evaluation_detail", args=[evaluation.pk]))

    history = _history(response)
    assert "17/05/2026 14:51 · Nguyễn Văn An đã nộp phiếu tự đánh giá." in history
    assert "Trần Thị Hiệu đã trả lại phiếu tự đánh giá để chỉnh sửa. Lý do: Thiếu" in history
    for raw in ("evaluation.", "teacher_a1", "principal_a1", "07:51"):
        assert raw not in history


def test_audit_log_says_values_as_people_do(ev: Any) -> None:
    w = ev.w
    evaluation = ev.submitted()
    with system_scope():
        services.evaluation_finalise(
            actor=w.principal_a1,
            evaluation=evaluation,
            version=evaluation.version,
            levels=ev.levels("Kha"),
        )
        unit_update(
            actor=w.officer_a,
            unit=w.school_a1,
            name=w.school_a1.name,
            kind=w.school_a1.kind,
            levels=["TH"],
            disadvantaged_area=True,
            status=w.school_a1.status,
        )
    with actor_scope(w.teacher_a1):
        login_failed(username="gva1")

    response = w.client_for(w.officer_a).get(reverse("audit_list"), {"unit": w.school_a1.pk})

    html = response.content.decode()
    assert "Trần Thị Hiệu đã chốt kết quả đánh giá của Nguyễn Văn An: Khá." in html
    assert "Đăng nhập không thành công với tên đăng nhập “gva1”." in html
    assert "Vùng khó khăn</b>: Không → Có" in html or "Không → Có" in html
    assert "Mức đánh giá của người đánh giá" in html and "tiêu chí 1: Khá" in html
    with system_scope():
        local = timezone.localtime(AuditEvent.objects.latest("at").at)
    assert local.strftime("%d/%m/%Y %H:%M") in html
    for raw in ("auth.login_failed", "evaluation.finalise", "True", "None", "'Kha'", "before"):
        assert raw not in html


def test_audit_log_reads_names_with_a_fixed_number_of_queries(ev: Any) -> None:
    w = ev.w

    def count() -> int:
        client = w.client_for(w.officer_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("audit_list")).status_code == 200
        return len(queries)

    ev.submitted()
    count()  # caches of the first request (frameworks, grants)
    few = count()
    ev.submitted(ev.leader)
    ev.submitted(ev.colleague)
    assert count() == few


def test_an_unknown_action_still_reads_as_vietnamese(world: Any) -> None:
    with system_scope():
        event = audit(actor=world.officer_a, action="new.thing", unit=world.school_a1)
        (entry,) = describe([event])
    assert entry.sentence == "officer_a đã thực hiện một thay đổi (—)."


def test_people_are_named_by_their_staff_record(world: Any) -> None:
    world.teacher_a1.first_name = "Biệt danh"
    world.teacher_a1.save()
    with system_scope():
        event = audit(actor=world.teacher_a1, action="auth.login", unit=world.school_a1)
        (entry,) = describe([event])
    assert entry.sentence == "Nguyễn Văn An đã đăng nhập."


def test_recorded_values_read_as_people_say_them(world: Any) -> None:
    with system_scope():
        submitted = audit(
            actor=world.teacher_a1,
            action="evaluation.submit",
            unit=world.school_a1,
            changes={
                "before": {"self_rating": "", "submitted_at": None, "priority_criteria": []},
                "after": {
                    "self_rating": "ChuaDat",
                    "submitted_at": "2026-05-17 07:51:03.123456+00:00",
                    "priority_criteria": [3, 15],
                },
            },
        )
        finished = audit(
            actor=world.officer_a,
            action="cycle.finish",
            unit=world.province_a,
            changes={"after": {"frameworks": ["TT14_2018_HTPT v1", "TT20_2018_GVPT v1"]}},
        )
        first, second = describe([submitted, finished])
    assert first.details == [
        ("Xếp loại tự đánh giá", "— → Chưa đạt"),
        ("Thời điểm nộp", "— → 17/05/2026 14:51"),
        ("Tiêu chí ưu tiên cải thiện", "— → 3, 15"),
    ]
    assert second.details == [("Chuẩn đã khóa", "TT14_2018_HTPT v1, TT20_2018_GVPT v1")]
