"""The forum: groups, posting once, answers, moderation, plain-text rendering, progress, the
pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from opentemis.accounts.models import AuditEvent
from opentemis.core.scoping import system_scope
from opentemis.forums import access, services, signals
from opentemis.forums.models import Forum, Grouping, Post, Thread
from opentemis.forums.templatetags.forums_text import plain_text_html
from opentemis.learning import services as learning
from opentemis.learning.models import ActivityProgress


def test_groups_are_cut_from_the_unit_path() -> None:
    path = "0001000200030004"  # ministry, province, commune, school
    assert access.group_of(Grouping.COURSE, path) == ""
    assert access.group_of(Grouping.PROVINCE, path) == "00010002"
    assert access.group_of(Grouping.SCHOOL, path) == path


def test_a_learner_sees_only_their_schools_group(fw: Any) -> None:
    thread = fw.ask(fw.w.teacher_a1, "Câu hỏi của trường A1")
    a2 = fw.w.client_for(fw.teacher_a2)
    page = a2.get(reverse("forums_activity", args=[fw.activity.pk])).content.decode()
    assert "Câu hỏi của trường A1" not in page
    assert a2.get(reverse("forums_thread", args=[thread.pk])).status_code == 404
    assert a2.post(reverse("forums_reply", args=[thread.pk]), {"body": "x"}).status_code == 404
    with system_scope():
        first = Post.objects.get(thread=thread)
    assert a2.post(reverse("forums_answer", args=[first.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(fw.teacher_a2)
    listed = api.get(f"/api/v1/learn/forums/{fw.activity.pk}/threads/").json()
    assert listed["results"] == []
    assert api.get(f"/api/v1/learn/forums/threads/{thread.pk}/posts/").status_code == 404
    a1 = fw.w.client_for(fw.w.teacher_a1)
    page = a1.get(reverse("forums_activity", args=[fw.activity.pk])).content.decode()
    assert "Câu hỏi của trường A1" in page


def test_one_group_per_province_joins_the_schools(fw: Any) -> None:
    with system_scope():
        Forum.objects.filter(activity=fw.activity).update(grouping=Grouping.PROVINCE)
    thread = fw.ask(fw.w.teacher_a1)
    assert thread.group == fw.w.province_a.path
    a2 = fw.w.client_for(fw.teacher_a2)
    assert a2.get(reverse("forums_thread", args=[thread.pk])).status_code == 200


def test_a_grader_sees_the_groups_of_their_schools_only(fw: Any) -> None:
    with system_scope():
        learning.grader_set(
            actor=None, course=fw.lw.course, user=fw.w.principal_a1, unit=fw.w.school_a1
        )
    mine = fw.ask(fw.w.teacher_a1, "Hỏi ở A1")
    theirs = fw.ask(fw.teacher_a2, "Hỏi ở A2")
    grader = fw.w.client_for(fw.w.principal_a1)
    page = grader.get(reverse("forums_activity", args=[fw.activity.pk])).content.decode()
    assert "Hỏi ở A1" in page and "Hỏi ở A2" not in page
    assert grader.get(reverse("forums_thread", args=[theirs.pk])).status_code == 404
    assert (
        grader.post(
            reverse("forums_thread_moderate", args=[theirs.pk]), {"action": "lock"}
        ).status_code
        == 404
    )
    assert (
        grader.post(
            reverse("forums_thread_moderate", args=[mine.pk]), {"action": "lock"}
        ).status_code
        == 302
    )
    # The officer of the course sees both groups, and filters one.
    officer = fw.w.client_for(fw.w.officer_a)
    url = reverse("forums_activity", args=[fw.activity.pk])
    page = officer.get(url).content.decode()
    assert "Hỏi ở A1" in page and "Hỏi ở A2" in page
    page = officer.get(url, {"group": fw.w.school_a2.path}).content.decode()
    assert "Hỏi ở A1" not in page and "Hỏi ở A2" in page
    # The officer asks in a group they choose; its learners see it.
    answer = officer.post(
        reverse("forums_thread_create", args=[fw.activity.pk]),
        {
            "title": "Thông báo cho A2",
            "body": "Hạn nộp 30/11.",
            "group": fw.w.school_a2.path,
            "token": "t-officer",
        },
    )
    assert answer.status_code == 302
    a2 = fw.w.client_for(fw.teacher_a2)
    assert "Thông báo cho A2" in a2.get(url).content.decode()
    # A group the grader does not reach is refused.
    refused = grader.post(
        reverse("forums_thread_create", args=[fw.activity.pk]),
        {"title": "x", "body": "y", "group": fw.w.school_a2.path},
    )
    assert refused.status_code == 400


def test_a_double_click_posts_once(fw: Any) -> None:
    a1 = fw.w.client_for(fw.w.teacher_a1)
    create = reverse("forums_thread_create", args=[fw.activity.pk])
    data = {"title": "Hỏi", "body": "Nội dung", "token": "abc123"}
    assert a1.post(create, data).status_code == 302
    assert a1.post(create, data).status_code == 302
    with system_scope():
        assert Thread.objects.count() == 1
        thread = Thread.objects.get()
    reply = reverse("forums_reply", args=[thread.pk])
    for _ in range(2):
        assert a1.post(reply, {"body": "Trả lời", "token": "r-1"}).status_code == 302
    api = APIClient()
    api.force_authenticate(fw.w.teacher_a1)
    for _ in range(2):
        answer = api.post(
            f"/api/v1/learn/forums/threads/{thread.pk}/posts/",
            {"body": "Qua API", "client_token": "api-1"},
            format="json",
        )
        assert answer.status_code == 201
    with system_scope():
        assert Post.objects.filter(thread=thread).count() == 3
        assert Thread.objects.get().post_count == 3


HOSTILE = (
    '<script>alert(1)</script> <a href="javascript:alert(2)">x</a> javascript:alert(3)\n'
    'xem https://example.org/a?b=1&c="2" và http://x.vn/p.'
)


def test_bodies_are_plain_text() -> None:
    html = str(plain_text_html(HOSTILE))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert (
        'href="javascript' not in html and "&lt;a href=&quot;javascript:alert(2)&quot;&gt;" in html
    )
    assert html.count("<a ") == 2
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' not in html  # quote ends it
    assert 'href="https://example.org/a?b=1&amp;c="' in html
    assert '<a href="http://x.vn/p" rel="nofollow noopener noreferrer ugc"' in html  # no dot
    assert "<br>" in html


def test_a_hostile_post_is_shown_as_text(fw: Any) -> None:
    thread = fw.ask(fw.w.teacher_a1, "<b>Tiêu đề</b>", HOSTILE)
    page = fw.w.client_for(fw.w.teacher_a1).get(reverse("forums_thread", args=[thread.pk]))
    html = page.content.decode()
    assert "<script>alert(1)" not in html and "<b>Tiêu đề</b>" not in html
    assert 'href="javascript:' not in html
    assert "&lt;b&gt;Tiêu đề&lt;/b&gt;" in html


def test_marking_the_answer(fw: Any) -> None:
    with system_scope():
        Forum.objects.filter(activity=fw.activity).update(grouping=Grouping.PROVINCE)
    thread = fw.ask(fw.w.teacher_a1)
    with system_scope():
        reply = services.post_create(viewer=fw.viewer(fw.teacher_a2), thread=thread, body="Đáp")
        question = Post.objects.filter(thread=thread).first()
        assert question is not None
        with pytest.raises(ValidationError):  # not the one who asked
            services.answer_mark(viewer=fw.viewer(fw.teacher_a2), post=reply)
        with pytest.raises(ValidationError):
            services.answer_mark(viewer=fw.viewer(fw.w.teacher_a1), post=question)
        assert services.answer_mark(viewer=fw.viewer(fw.w.teacher_a1), post=reply).answer == reply
        # Again: unmarked; the officer marks it back.
        assert services.answer_mark(viewer=fw.viewer(fw.w.teacher_a1), post=reply).answer is None
        assert services.answer_mark(viewer=fw.viewer(fw.w.officer_a), post=reply).answer == reply
        assert AuditEvent.objects.filter(action="forums.answer_mark").count() == 2


def test_moderation(fw: Any) -> None:
    thread = fw.ask(fw.w.teacher_a1)
    with system_scope():
        reply = services.post_create(
            viewer=fw.viewer(fw.w.teacher_a1), thread=thread, body="Nội dung không phù hợp"
        )
    learner = fw.w.client_for(fw.w.teacher_a1)
    officer = fw.w.client_for(fw.w.officer_a)
    thread_url = reverse("forums_thread", args=[thread.pk])
    # A learner does not moderate.
    assert learner.post(reverse("forums_post_hide", args=[reply.pk])).status_code == 404
    assert officer.post(reverse("forums_post_hide", args=[reply.pk])).status_code == 302
    html = learner.get(thread_url).content.decode()
    assert "Nội dung không phù hợp" not in html
    assert "Nội dung không phù hợp" in officer.get(thread_url).content.decode()
    officer.post(reverse("forums_thread_moderate", args=[thread.pk]), {"action": "lock"})
    with system_scope(), pytest.raises(ValidationError):
        services.post_create(viewer=fw.viewer(fw.w.teacher_a1), thread=thread, body="Nữa")
    officer.post(reverse("forums_thread_moderate", args=[thread.pk]), {"action": "hide"})
    assert learner.get(thread_url).status_code == 404
    assert officer.get(thread_url).status_code == 200
    with system_scope():
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"forums.post_hide", "forums.thread_lock", "forums.thread_hide"} <= actions


def test_progress_counts_posts(fw: Any) -> None:
    with system_scope():
        services.forum_save(actor=None, activity=fw.activity, min_posts=2)
    a1 = fw.w.client_for(fw.w.teacher_a1)
    a1.get(reverse("forums_activity", args=[fw.activity.pk]))

    def state() -> str:
        with system_scope():
            return ActivityProgress.objects.get(
                activity=fw.activity, enrolment=fw.lw.enrolment
            ).state

    assert state() == "started"
    thread = fw.ask(fw.w.teacher_a1)
    assert state() == "started"
    with system_scope():
        services.post_create(viewer=fw.viewer(fw.w.teacher_a1), thread=thread, body="Thêm")
    assert state() == "complete"


def test_without_posts_needed_opening_completes(fw: Any) -> None:
    fw.w.client_for(fw.teacher_a2).get(reverse("forums_activity", args=[fw.activity.pk]))
    with system_scope():
        assert ActivityProgress.objects.get(enrolment=fw.enrolment_a2).state == "complete"


def test_post_created_names_the_author_and_participants(
    fw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with system_scope():
        Forum.objects.filter(activity=fw.activity).update(grouping=Grouping.PROVINCE)
    seen: list[list[int]] = []

    def receiver(sender: Any, recipients: list[int], **kw: Any) -> None:
        seen.append(recipients)

    signals.post_created.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            thread = fw.ask(fw.w.teacher_a1)
            with system_scope():
                services.post_create(viewer=fw.viewer(fw.teacher_a2), thread=thread, body="A2")
                services.post_create(viewer=fw.viewer(fw.w.officer_a), thread=thread, body="Cán bộ")
    finally:
        signals.post_created.disconnect(receiver)
    a1, a2, officer = fw.w.teacher_a1.pk, fw.teacher_a2.pk, fw.w.officer_a.pk
    assert seen == [[], [a1], sorted([a1, a2])]
    assert officer not in seen[-1]


def test_settings_and_package(fw: Any) -> None:
    officer = fw.w.client_for(fw.w.officer_a)
    url = reverse("forums_manage", args=[fw.activity.pk])
    assert officer.get(url).status_code == 200
    ok = officer.post(url, {"intro": "Giới thiệu", "grouping": "province", "min_posts": "1"})
    assert ok.status_code == 302
    fw.ask(fw.w.teacher_a1)
    refused = officer.post(url, {"intro": "", "grouping": "school", "min_posts": "1"})
    assert refused.status_code == 400  # groups fixed once questions exist
    assert fw.w.client_for(fw.w.teacher_a1).get(url).status_code == 404
    with system_scope():
        data, files = services.export_forum(fw.activity)
        assert data == {"intro": "Giới thiệu", "grouping": "province", "min_posts": 1} and not files
        other = fw.lw.activity("forum", "Bản sao")
        services.import_forum(other, data, {})
        copy = Forum.objects.get(activity=other)
        assert (copy.grouping, copy.min_posts) == ("province", 1)
        assert not Thread.objects.filter(forum=copy).exists()


def test_api_end_to_end(fw: Any) -> None:
    api = APIClient()
    api.force_authenticate(fw.w.teacher_a1)
    base = f"/api/v1/learn/forums/{fw.activity.pk}/threads/"
    assert api.post(base, {}, format="json").status_code == 400
    created = api.post(base, {"title": "Hỏi qua API", "body": "Nội dung"}, format="json")
    assert created.status_code == 201
    thread_id = created.json()["id"]
    posts = f"/api/v1/learn/forums/threads/{thread_id}/posts/"
    reply = api.post(posts, {"body": "Bổ sung", "reply_to": 999999}, format="json")
    assert reply.status_code == 400
    reply = api.post(posts, {"body": "Bổ sung"}, format="json").json()
    assert api.get(posts).json()["count"] == 2
    assert (
        api.post(f"/api/v1/learn/forums/posts/{reply['id']}/answer/").json()["answer"]
        == reply["id"]
    )
    # Moderation: 404 for the learner, allowed for the officer.
    hide = f"/api/v1/learn/forums/posts/{reply['id']}/hide/"
    assert api.post(hide, {}, format="json").status_code == 404
    moderate = f"/api/v1/learn/forums/threads/{thread_id}/moderate/"
    assert api.post(moderate, {"action": "lock"}, format="json").status_code == 404
    api.force_authenticate(fw.w.officer_a)
    assert api.post(hide, {"hidden": True}, format="json").status_code == 200
    assert api.post(moderate, {"action": "nope"}, format="json").status_code == 400
    assert api.post(moderate, {"action": "lock"}, format="json").json()["locked"] is True
    api.force_authenticate(fw.w.teacher_a1)
    bodies = [p["body"] for p in api.get(posts).json()["results"]]
    assert bodies == ["Nội dung", ""]  # the hidden post's body is not given to a learner
    assert api.post(posts, {"body": "Nữa"}, format="json").status_code == 400  # locked
    api.force_authenticate(fw.teacher_a2)
    assert api.get(posts).status_code == 404


def test_outsiders_get_404(fw: Any) -> None:
    from tests.factories import make_user

    officer_b = make_user("officer_b", role="unit_officer", unit=fw.w.province_b)
    thread = fw.ask(fw.w.teacher_a1)
    client = fw.w.client_for(officer_b)
    assert client.get(reverse("forums_activity", args=[fw.activity.pk])).status_code == 404
    assert client.get(reverse("forums_manage", args=[fw.activity.pk])).status_code == 404
    assert client.get(reverse("forums_thread", args=[thread.pk])).status_code == 404
