"""A teacher outside any subject group is told so, and whom to ask (issue 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opentemis.core.scoping import system_scope
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_teacher_without_a_subject_group_is_told_to_ask_the_principal(ev):
    with system_scope():
        PersonFactory(unit=ev.w.school_a1, full_name="Trần Hiệu Trưởng", positions=["HT"])
        ev.w.person_a1.subject_group = None
        ev.w.person_a1.save()
    body = ev.w.client_for(ev.w.teacher_a1).get(reverse("group_opinions")).content.decode()
    assert "chưa thuộc tổ chuyên môn nào" in body
    assert "Trần Hiệu Trưởng" in body
    assert "Chưa có đồng nghiệp nào nộp" not in body  # not "colleagues have not submitted"
    assert 'name="level"' not in body


def test_teacher_in_a_group_sees_the_colleagues_table(ev):
    body = ev.w.client_for(ev.w.teacher_a1).get(reverse("group_opinions")).content.decode()
    assert "chưa thuộc tổ chuyên môn nào" not in body
    assert 'id="no-group"' not in body
