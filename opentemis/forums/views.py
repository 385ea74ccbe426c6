"""Pages of the forum, under /learn/forums/ (issue 13 item 5).

* ``<activity>/``: the questions the viewer sees (their group's; a grader's or an officer's
  groups, filtered by group), paginated, and the form to ask one;
* ``threads/<pk>/``: a question and its replies, paginated, the reply form; the author, a
  grader or an officer marks the answer; graders and officers hide posts and lock or hide the
  question;
* ``<activity>/manage/``: the builder's settings (introduction, groups, posts needed).

Every form carries a one-time token, so a double click posts once. Access: ``access.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.params import parse_positive_int
from opentemis.forums import access, selectors, services
from opentemis.forums.models import Grouping, Post
from opentemis.learning.access import managed_activity

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 30


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Your question, in a line"), max_length=services.TITLE_MAX
    )
    body = forms.CharField(
        label=gettext_lazy("Details"),
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=services.TOKEN_MAX, required=False)

    def __init__(
        self, *args: Any, groups: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4().hex
        if groups is not None:
            self.fields["group"] = forms.ChoiceField(label=gettext_lazy("Group"), choices=groups)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your reply"),
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=services.TOKEN_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4().hex


class ManageForm(forms.Form):
    intro = forms.CharField(
        label=gettext_lazy("Introduction"),
        required=False,
        max_length=services.INTRO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    grouping = forms.ChoiceField(label=gettext_lazy("Groups"), choices=Grouping.choices)
    min_posts = forms.IntegerField(
        label=gettext_lazy("Posts needed to complete (0: opening the forum is enough)"),
        min_value=0,
        max_value=services.MIN_POSTS_MAX,
    )


def _errors(request: AuthenticatedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _staff_groups(viewer: access.Viewer) -> list[tuple[str, str]] | None:
    """The group choices of a grader or officer asking a question (None: a learner's own)."""
    if not viewer.is_staff:
        return None
    choices = selectors.staff_groups(viewer)
    if viewer.learner_group is not None and viewer.learner_group not in dict(choices):
        choices.insert(0, (viewer.learner_group, _("My group")))
    return choices


def _forum_page(
    request: AuthenticatedRequest, viewer: access.Viewer, form: ThreadForm | None, status: int = 200
) -> HttpResponse:
    wanted = request.GET.get("group")
    group = wanted if wanted is not None and viewer.sees(wanted) else None
    rows = selectors.threads(viewer, group)
    page = Paginator(rows, THREADS_PER_PAGE).get_page(
        parse_positive_int(request.GET.get("page")) or 1
    )
    groups = _staff_groups(viewer)
    labels = dict(groups or [])
    if groups is None or viewer.forum.grouping != Grouping.COURSE:
        labels.update(selectors.group_labels({t.group for t in page}))
    may_ask = bool(groups) or (
        viewer.learner_group is not None and viewer.may_post(viewer.learner_group)
    )
    return render(
        request,
        "forums/forum.html",
        {
            "viewer": viewer,
            "activity": viewer.activity,
            "course": viewer.activity.course,
            "forum": viewer.forum,
            "page": page,
            "threads": [(t, labels.get(t.group, "")) for t in page],
            "groups": groups,
            "group": group,
            "show_groups": viewer.is_staff and viewer.forum.grouping != Grouping.COURSE,
            "form": (form or ThreadForm(groups=groups)) if may_ask else None,
        },
        status=status,
    )


@login_required
@require_GET
def forum_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    viewer = access.forum_viewer(request.user, pk)
    services.record_visit(viewer)
    return _forum_page(request, viewer, None)


@login_required
@require_POST
def thread_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    viewer = access.forum_viewer(request.user, pk)
    groups = _staff_groups(viewer)
    form = ThreadForm(request.POST, groups=groups)
    if form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                viewer=viewer,
                title=data["title"],
                body=data["body"],
                group=data.get("group") if groups is not None else None,
                token=data.get("token", ""),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return redirect("forums_thread", pk=thread.pk)
    return _forum_page(request, viewer, form, status=400)


def _thread_page(
    request: AuthenticatedRequest, pk: int, form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    thread, viewer = access.thread_viewer(request.user, pk)
    page = Paginator(selectors.posts(thread), POSTS_PER_PAGE).get_page(
        parse_positive_int(request.GET.get("page")) or 1
    )
    moderator = viewer.moderates(thread.group)
    first = selectors.posts(thread).values_list("pk", flat=True).first()
    may_reply = viewer.may_post(thread.group) and not thread.locked
    return render(
        request,
        "forums/thread.html",
        {
            "thread": thread,
            "viewer": viewer,
            "activity": viewer.activity,
            "course": viewer.activity.course,
            "page": page,
            "first_pk": first,
            "moderator": moderator,
            "may_mark": moderator or thread.author_id == request.user.pk,
            "form": (form or ReplyForm()) if may_reply else None,
        },
        status=status,
    )


@login_required
@require_GET
def thread_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _thread_page(request, pk)


@login_required
@require_POST
def reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    thread, viewer = access.thread_viewer(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        parent = (
            Post.objects.filter(pk=data["parent"], thread=thread).first()
            if data["parent"]
            else None
        )
        try:
            post = services.post_create(
                viewer=viewer, thread=thread, body=data["body"], parent=parent, token=data["token"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            count = selectors.posts(thread).filter(pk__lte=post.pk).count()
            last_page = (count - 1) // POSTS_PER_PAGE + 1
            url = reverse("forums_thread", args=[thread.pk])
            return redirect(f"{url}?page={last_page}#post-{post.pk}")
    return _thread_page(request, pk, form=form, status=400)


@login_required
@require_POST
def answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    post, thread, viewer = access.post_viewer(request.user, pk)
    try:
        services.answer_mark(viewer=viewer, post=post)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("forums_thread", pk=thread.pk)


@login_required
@require_POST
def post_hide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    post, thread, viewer = access.post_viewer(request.user, pk)
    if not viewer.moderates(thread.group):
        raise Http404
    try:
        services.post_hide(viewer=viewer, post=post, hidden=request.POST.get("hidden") != "0")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("forums_thread", pk=thread.pk)


@login_required
@require_POST
def thread_moderate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    thread, viewer = access.thread_viewer(request.user, pk)
    if not viewer.moderates(thread.group):
        raise Http404
    try:
        services.thread_moderate(viewer=viewer, thread=thread, action=request.POST.get("action"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("forums_thread", pk=thread.pk)


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = managed_activity(request.user, pk)
    if activity.kind != "forum":
        raise Http404
    forum = access.forum_of(activity)
    initial = {"intro": forum.intro, "grouping": forum.grouping, "min_posts": forum.min_posts}
    status = 200
    if request.method == "POST":
        form = ManageForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.forum_save(actor=request.user, activity=activity, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The forum's settings were saved."))
                return redirect("forums_manage", pk=pk)
        status = 400
    else:
        form = ManageForm(initial=initial)
    return render(
        request,
        "forums/manage.html",
        {"activity": activity, "course": activity.course, "form": form},
        status=status,
    )
