"""Writes of the forum (issue 13 item 5): keyword-only, atomic. Posting is double-click safe
(the form's one-time token: the same token twice is the same post, a database constraint);
moderation (hide, show, lock, unlock) and marking an answer are audited. Rights come from the
group rule (``access.Viewer``), checked again here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.text import nfc
from opentemis.forums import signals
from opentemis.forums.access import Viewer
from opentemis.forums.models import Forum, Grouping, Post, Thread
from opentemis.learning import services as learning
from opentemis.learning.access import manages_course
from opentemis.learning.models import Activity, ActivityKind

TITLE_MAX = 200
BODY_MAX = 10_000
INTRO_MAX = 5_000
TOKEN_MAX = 64
MIN_POSTS_MAX = 50


def _title(raw: Any) -> str:
    text = " ".join(nfc(str(raw or "")).split())
    if not text:
        raise ValidationError(_("Enter a title."))
    if len(text) > TITLE_MAX:
        raise ValidationError(_("The title is too long (at most %(n)s).") % {"n": TITLE_MAX})
    return text


def _body(raw: Any) -> str:
    text = nfc(str(raw or "")).replace("\x00", "").strip()
    if not text:
        raise ValidationError(_("Write something first."))
    if len(text) > BODY_MAX:
        raise ValidationError(
            _("The text is too long (at most %(n)s characters).") % {"n": BODY_MAX}
        )
    return text


def _token(raw: Any) -> str:
    token = str(raw or "").strip()
    return token if len(token) <= TOKEN_MAX and token.isascii() and token.isprintable() else ""


# --- settings -----------------------------------------------------------------------------


@transaction.atomic
def forum_save(
    *,
    actor: User | None,
    activity: Activity,
    intro: Any = None,
    grouping: Any = None,
    min_posts: Any = None,
) -> Forum:
    """The forum's settings (only the arguments given)."""
    if actor is not None and not manages_course(actor, activity.course):
        raise ValidationError(_("You may not change this course."))
    if activity.kind != ActivityKind.FORUM:
        raise ValidationError(_("This activity is not a forum."))
    forum, _created = Forum.objects.get_or_create(activity=activity)
    if intro is not None:
        text = nfc(str(intro)).strip()
        if len(text) > INTRO_MAX:
            raise ValidationError(_("The introduction is too long."))
        forum.intro = text
    if grouping is not None and grouping != forum.grouping:
        if grouping not in Grouping.values:
            raise ValidationError(_("Unknown grouping."))
        if forum.threads.exists():
            raise ValidationError(_("The groups cannot change once questions have been posted."))
        forum.grouping = grouping
    if min_posts is not None:
        try:
            count = int(min_posts)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a number of posts.")) from None
        if not 0 <= count <= MIN_POSTS_MAX:
            raise ValidationError(
                _("The posts needed must be between 0 and %(n)s.") % {"n": MIN_POSTS_MAX}
            )
        forum.min_posts = count
    forum.save()
    audit(
        actor=actor,
        action="forums.forum_save",
        obj=activity,
        unit_id=activity.course.unit_id,
        changes={"grouping": forum.grouping, "min_posts": forum.min_posts},
    )
    return forum


def _saved_forum(viewer: Viewer) -> Forum:
    if viewer.forum.pk is None:
        viewer.forum, _created = Forum.objects.get_or_create(activity=viewer.activity)
    return viewer.forum


# --- progress -----------------------------------------------------------------------------


def record_visit(viewer: Viewer) -> None:
    """A learner opened the forum: "complete" when posts are not counted, else "started"."""
    if viewer.enrolment is None:
        return
    state = "complete" if viewer.forum.min_posts == 0 else "started"
    learning.progress_record(enrolment=viewer.enrolment, activity=viewer.activity, state=state)


def _record_posts(viewer: Viewer) -> None:
    if viewer.enrolment is None or viewer.forum.min_posts == 0:
        return
    count = Post.objects.filter(
        thread__forum=viewer.forum, author=viewer.actor, hidden_at__isnull=True
    ).count()
    state = "complete" if count >= viewer.forum.min_posts else "started"
    learning.progress_record(enrolment=viewer.enrolment, activity=viewer.activity, state=state)


def _recipients(thread: Thread, actor: User) -> list[int]:
    ids = set(
        Post.objects.filter(thread=thread, hidden_at__isnull=True, author__isnull=False)
        .values_list("author_id", flat=True)
        .distinct()
    )
    if thread.author_id:
        ids.add(thread.author_id)
    ids.discard(actor.pk)
    return sorted(ids)


# --- posting --------------------------------------------------------------------------------


@transaction.atomic
def thread_create(
    *, viewer: Viewer, title: Any, body: Any, group: str | None = None, token: Any = ""
) -> Thread:
    """A new question in the actor's group (a grader or officer names one they reach)."""
    forum = _saved_forum(viewer)
    if group is None:
        if viewer.learner_group is None:
            if forum.grouping != Grouping.COURSE:
                raise ValidationError(_("Choose the group to ask in."))
            group = ""
        else:
            group = viewer.learner_group
    if not viewer.may_post(group):
        raise ValidationError(_("You may not post in this group."))
    clean_title, text, key = _title(title), _body(body), _token(token)
    actor = viewer.actor
    if key:
        existing = Post.objects.filter(author=actor, token=key).select_related("thread").first()
        if existing is not None:
            return existing.thread
    now = timezone.now()
    thread = Thread.objects.create(
        forum=forum, group=group, title=clean_title, author=actor, last_post_at=now, post_count=1
    )
    try:
        with transaction.atomic():
            post = Post.objects.create(thread=thread, author=actor, body=text, token=key)
    except IntegrityError:  # the same token at the same moment: the other request won
        thread.delete()
        return Post.objects.select_related("thread").get(author=actor, token=key).thread
    _record_posts(viewer)
    signals.send_post_created(post, thread, actor, _recipients(thread, actor))
    return thread


@transaction.atomic
def post_create(
    *,
    viewer: Viewer,
    thread: Thread,
    body: Any,
    parent: Post | None = None,
    token: Any = "",
) -> Post:
    """A reply in ``thread`` (``parent``: the post it answers, of the same thread)."""
    actor = viewer.actor
    if not viewer.may_post(thread.group) or (thread.hidden and not viewer.moderates(thread.group)):
        raise ValidationError(_("You may not post in this group."))
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.locked:
        raise ValidationError(_("This question is closed: no more replies."))
    if parent is not None and parent.thread_id != thread.pk:
        raise ValidationError(_("The post you answer is in another question."))
    text, key = _body(body), _token(token)
    if key:
        existing = Post.objects.filter(author=actor, token=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            post = Post.objects.create(
                thread=locked, author=actor, body=text, parent=parent, token=key
            )
    except IntegrityError:
        return Post.objects.get(author=actor, token=key)
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1, last_post_at=post.created_at
    )
    _record_posts(viewer)
    signals.send_post_created(post, locked, actor, _recipients(locked, actor))
    return post


# --- answers and moderation -------------------------------------------------------------------


@transaction.atomic
def answer_mark(*, viewer: Viewer, post: Post) -> Thread:
    """Mark ``post`` as the answer of its question (again: unmark it). The question's author,
    a grader or an officer of its group."""
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    if thread.author_id != viewer.actor.pk and not viewer.moderates(thread.group):
        raise ValidationError(_("Only the one who asked, a grader or an officer marks the answer."))
    first = Post.objects.filter(thread=thread).order_by("created_at", "pk").first()
    if first is not None and first.pk == post.pk:
        raise ValidationError(_("The question itself cannot be its answer."))
    if post.hidden_at is not None:
        raise ValidationError(_("A hidden post cannot be the answer."))
    thread.answer = None if thread.answer_id == post.pk else post
    thread.save(update_fields=["answer"])
    unit_id = viewer.activity.course.unit_id
    if thread.answer is None:
        audit(
            actor=viewer.actor,
            action="forums.answer_unmark",
            obj=thread,
            unit_id=unit_id,
            changes={"post": post.pk},
        )
    else:
        audit(
            actor=viewer.actor,
            action="forums.answer_mark",
            obj=thread,
            unit_id=unit_id,
            changes={"post": post.pk},
        )
    return thread


@transaction.atomic
def post_hide(*, viewer: Viewer, post: Post, hidden: bool = True) -> Post:
    """Hide a post (or show it again): graders and officers of its group."""
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    if not viewer.moderates(thread.group):
        raise ValidationError(_("Only a grader or an officer of the course moderates."))
    post = Post.objects.select_for_update().get(pk=post.pk)
    if hidden and post.hidden_at is None:
        post.hidden_at, post.hidden_by = timezone.now(), viewer.actor
        if thread.answer_id == post.pk:
            thread.answer = None
            thread.save(update_fields=["answer"])
    elif not hidden:
        post.hidden_at, post.hidden_by = None, None
    post.save(update_fields=["hidden_at", "hidden_by"])
    unit_id = viewer.activity.course.unit_id
    if hidden:
        audit(
            actor=viewer.actor,
            action="forums.post_hide",
            obj=thread,
            unit_id=unit_id,
            changes={"post": post.pk},
        )
    else:
        audit(
            actor=viewer.actor,
            action="forums.post_show",
            obj=thread,
            unit_id=unit_id,
            changes={"post": post.pk},
        )
    return post


THREAD_ACTIONS = ("lock", "unlock", "hide", "show")


@transaction.atomic
def thread_moderate(*, viewer: Viewer, thread: Thread, action: Any) -> Thread:
    """Lock or unlock a question (no more replies), hide or show it: graders and officers."""
    if action not in THREAD_ACTIONS:
        raise ValidationError(_("Choose lock, unlock, hide or show."))
    if not viewer.moderates(thread.group):
        raise ValidationError(_("Only a grader or an officer of the course moderates."))
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if action in ("lock", "unlock"):
        locked.locked = action == "lock"
    else:
        locked.hidden = action == "hide"
    locked.save(update_fields=["locked", "hidden"])
    unit_id = viewer.activity.course.unit_id
    if action == "lock":
        audit(actor=viewer.actor, action="forums.thread_lock", obj=locked, unit_id=unit_id)
    elif action == "unlock":
        audit(actor=viewer.actor, action="forums.thread_unlock", obj=locked, unit_id=unit_id)
    elif action == "hide":
        audit(actor=viewer.actor, action="forums.thread_hide", obj=locked, unit_id=unit_id)
    else:
        audit(actor=viewer.actor, action="forums.thread_show", obj=locked, unit_id=unit_id)
    return locked


# --- module packages (learning.kinds) -------------------------------------------------------


def export_forum(activity: Activity) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The forum's settings only (never the threads)."""
    found = Forum.objects.filter(activity=activity).first() or Forum(activity=activity)
    return {"intro": found.intro, "grouping": found.grouping, "min_posts": found.min_posts}, {}


def import_forum(activity: Activity, data: Any, files: Any) -> None:
    forum_save(
        actor=None,
        activity=activity,
        intro=data.get("intro", ""),
        grouping=data.get("grouping", Grouping.COURSE),
        min_posts=data.get("min_posts", 0),
    )
