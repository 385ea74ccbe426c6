"""The course forum: questions to the core teacher and to peers (issue 13 item 5; decision
0019).

* :class:`Forum`: one per activity of kind "forum". Its learners are split into **groups**
  (``grouping``): one group for the whole course, one per province, or one per school, by the
  learner's unit path at that depth (the ministry is the root: a province is the path's first
  two steps; a school is the learner's own unit). A learner reads and writes only in their
  group; a grader of the course and its officers read and moderate the groups their grading
  subtrees reach (``learning.access.graded_paths``; all of them for an officer). The grouping
  cannot change once a thread exists (threads keep the group they were written in).
* :class:`Thread` (a question: title, group, locked, hidden, the post marked as its answer) and
  :class:`Post` (the question's body is the thread's first post; replies may name the post they
  answer). Bodies are plain text: rendered escaped, line breaks kept, http(s) links made
  clickable (``templatetags/forums_text.py``); no HTML from anyone.

Threads and posts are written to a group, not kept about a person: they are not unit-scoped
rows (a per-province group mixes several schools' learners); every read goes through the
group rule of ``access.py``.

Progress (``min_posts``): 0, posts are not counted and opening the forum records "complete"
(reading it is what is asked); n > 0, opening it records "started" and the learner's n-th post
(question or reply, not hidden) records "complete". A post hidden later does not undo it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grouping(models.TextChoices):
    COURSE = "course", _("One group for the whole course")
    PROVINCE = "province", _("One group per province")
    SCHOOL = "school", _("One group per school")


class Forum(models.Model):
    activity = models.OneToOneField(
        "learning.Activity", on_delete=models.CASCADE, related_name="forum"
    )
    intro = models.TextField(_("introduction"), blank=True)
    grouping = models.CharField(
        _("groups"), max_length=8, choices=Grouping.choices, default=Grouping.COURSE
    )
    min_posts = models.PositiveSmallIntegerField(_("posts needed to complete"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"forum of activity {self.activity_id}"


class Thread(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    # "": the whole course; else the unit path of the province or school of the group.
    group = models.CharField(max_length=255, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField()
    post_count = models.PositiveIntegerField(default=0)
    locked = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    answer = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        indexes = [models.Index(fields=["forum", "group", "-last_post_at"], name="thread_list")]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    # The form's one-time token: the same token twice (a double click, a retried request) is
    # the same post.
    token = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "token"],
                condition=~models.Q(token=""),
                name="one_post_per_token",
            )
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in thread {self.thread_id}"
