"""The pages of course materials (issue 13 item 2), under /learn/:

* learners (and the course's officer, previewing): ``page/<pk>/`` (seen: done),
  ``video/<pk>/`` (the player; its reports go to ``video/<pk>/progress/``; the file to
  ``video/<pk>/stream/``, ``?q=low`` for the low-bitrate copy), ``file/<pk>/`` and its
  ``download/`` (downloaded: done), ``material-file/<pk>/`` (a page's image or attachment);
* officers who build the course: ``page|video|file/<pk>/manage/`` and
  ``material-file/<pk>/delete/``.

Access first (``selectors``: 404 for anyone else, whatever the method), then the method.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.learning.models import ActivityProgress, Enrolment
from opentemis.learning.services import activity_update
from opentemis.materials import sanitize, selectors, services, transcode, validation, watching
from opentemis.materials.models import AssetRole, Rendition
from opentemis.materials.streaming import serve


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _state(enrolment: Enrolment | None, activity_id: int) -> str:
    if enrolment is None:
        return ""
    row = ActivityProgress.objects.filter(enrolment=enrolment, activity_id=activity_id).first()
    return row.state if row is not None else ""


def _method(request: AuthenticatedRequest, *allowed: str) -> HttpResponse | None:
    return None if request.method in allowed else HttpResponseNotAllowed(list(allowed))


# --- pages ---------------------------------------------------------------------------------


@login_required
def page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = selectors.viewed_activity(request.user, pk, "page")
    if refused := _method(request, "GET"):
        return refused
    missing = selectors.missing_before(enrolment, activity)
    state = _state(enrolment, pk)
    if enrolment is not None and not missing and state not in {"complete", "passed"}:
        state = services.page_viewed(enrolment=enrolment, activity=activity).state
    found = selectors.page_of(activity)
    return render(
        request,
        "materials/page.html",
        {
            "activity": activity,
            # Cleaned on save; cleaned again as it is shown (cheap), should the rules tighten.
            "body": sanitize.clean_html(found.body) if found else "",
            "attachments": selectors.assets_of(activity, AssetRole.ATTACHMENT),
            "missing": missing,
            "state": state,
            "preview": enrolment is None,
        },
    )


class PageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Text (HTML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))


@login_required
def page_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.built_activity(request.user, pk, "page")
    if refused := _method(request, "GET", "POST"):
        return refused
    found = selectors.page_of(activity)
    form = PageForm(initial={"body": found.body if found else ""})
    upload = UploadForm()
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "text":
                form = PageForm(request.POST)
                if form.is_valid():
                    services.page_save(
                        actor=request.user, activity=activity, body=form.cleaned_data["body"]
                    )
                    messages.success(request, _("The page is saved."))
                    return redirect("materials_page_manage", pk=pk)
            elif action in {AssetRole.IMAGE, AssetRole.ATTACHMENT}:
                upload = UploadForm(request.POST, request.FILES)
                if upload.is_valid():
                    asset = services.asset_upload(
                        actor=request.user,
                        activity=activity,
                        role=action,
                        uploaded_file=upload.cleaned_data["file"],
                    )
                    messages.success(request, _("“%(name)s” is uploaded.") % {"name": asset.name})
                    return redirect("materials_page_manage", pk=pk)
            else:
                errors.append(_("Choose what to save."))
        except ValidationError as error:
            errors += _errors(error)
    images = selectors.assets_of(activity, AssetRole.IMAGE)
    context = {
        "activity": activity,
        "form": form,
        "upload": upload,
        "errors": errors + [str(e) for e in upload.errors.get("file", [])],
        "images": [(a, reverse("materials_asset", args=[a.pk])) for a in images],
        "attachments": selectors.assets_of(activity, AssetRole.ATTACHMENT),
        "accept_image": validation.ACCEPT_IMAGE,
        "accept_file": validation.ACCEPT_FILE,
        "max_size": filesizeformat(validation.file_max_bytes()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "materials/page_manage.html", context, status=status)


@login_required
def asset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A page's image (shown) or attachment (saved)."""
    found, enrolment = selectors.viewed_asset(request.user, pk)
    if refused := _method(request, "GET", "HEAD"):
        return refused
    selectors.require_unlocked(enrolment, found.activity)
    return serve(
        request,
        found.file,
        content_type=found.content_type,
        filename=found.name,
        inline=found.role == AssetRole.IMAGE,
        size=found.size,
    )


@login_required
def asset_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = selectors.built_asset(request.user, pk)
    if refused := _method(request, "POST"):
        return refused
    activity = found.activity
    services.asset_delete(actor=request.user, asset=found)
    messages.success(request, _("“%(name)s” is deleted.") % {"name": found.name})
    name = "materials_file_manage" if activity.kind == "file" else "materials_page_manage"
    return redirect(name, pk=activity.pk)


# --- videos --------------------------------------------------------------------------------


@login_required
def video(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = selectors.viewed_activity(request.user, pk, "video")
    if refused := _method(request, "GET"):
        return refused
    found = selectors.video_of(activity)
    watched = (
        services.video_watched(enrolment=enrolment, activity=activity, video=found)
        if found is not None and enrolment is not None
        else None
    )
    context: dict[str, Any] = {
        "activity": activity,
        "video": found,
        "watched": watched,
        "missing": selectors.missing_before(enrolment, activity),
        "preview": enrolment is None,
        "min_percent": round(watching.min_watch(activity.options) * 100),
        "has_low": found is not None and found.low_state == Rendition.DONE and bool(found.low),
    }
    return render(request, "materials/video.html", context)


@login_required
def video_stream(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = selectors.viewed_activity(request.user, pk, "video")
    if refused := _method(request, "GET", "HEAD"):
        return refused
    selectors.require_unlocked(enrolment, activity)
    found = selectors.video_of(activity)
    if found is None:
        return HttpResponse(_("This video has not been uploaded yet."), status=404)
    # With S3 the player keeps asking the presigned URL for ranges while it plays: valid for
    # twice the video's length (pauses) and ten minutes more, at most six hours.
    expire = min(int(found.duration * 2) + 600, 6 * 3600)
    if request.GET.get("q") == "low" and found.low_state == Rendition.DONE and found.low:
        return serve(
            request, found.low, content_type="video/mp4", filename="video-360p.mp4",
            size=found.low_size, expire=expire,
        )  # fmt: skip
    extension = "webm" if found.content_type == "video/webm" else "mp4"
    return serve(
        request,
        found.file,
        content_type=found.content_type,
        filename=f"video.{extension}",
        size=found.size,
        expire=expire,
    )


def _intervals(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else []
        except ValueError:
            raise ValidationError(
                _("The watched parts must be a list of at most %(n)s [start, end] pairs.")
                % {"n": watching.MAX_INTERVALS}
            ) from None
    return raw


@login_required
def video_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The player's report (a form post: its periodic ``fetch`` and the ``sendBeacon`` on
    pause and leave send the same fields): ``position`` and ``intervals`` (JSON)."""
    activity, enrolment = selectors.viewed_activity(request.user, pk, "video")
    if refused := _method(request, "POST"):
        return refused
    found = selectors.video_of(activity)
    if found is None:
        return JsonResponse({"detail": _("This video has not been uploaded yet.")}, status=404)
    if enrolment is None:  # the officer previewing: nothing to record
        return JsonResponse({"preview": True})
    selectors.require_unlocked(enrolment, activity)
    try:
        watched = services.video_progress(
            enrolment=enrolment,
            activity=activity,
            video=found,
            position=request.POST.get("position"),
            intervals=_intervals(request.POST.get("intervals", "")),
        )
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(_errors(error))}, status=400)
    return JsonResponse({**watched.as_dict(), "label": watched_label(watched)})


def watched_label(watched: services.Watched) -> str:
    """The learner's state in words: not watched yet, watching (xx %), done."""
    if watched.state in {"complete", "passed"}:
        return _("Done: %(percent)s%% watched") % {"percent": watched.percent}
    if watched.state:
        return _("Watching: %(percent)s%% watched") % {"percent": watched.percent}
    return _("Not watched yet")


class VideoForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Video (MP4 or WebM)"))
    duration = forms.CharField(
        label=gettext_lazy("Duration in seconds (only if the video does not say)"),
        required=False,
        max_length=20,
    )


class MinWatchForm(forms.Form):
    min_watch = forms.IntegerField(
        label=gettext_lazy("Share to watch for it to count (%)"), min_value=1, max_value=100
    )


@login_required
def video_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.built_activity(request.user, pk, "video")
    if refused := _method(request, "GET", "POST"):
        return refused
    form = VideoForm()
    share_form = MinWatchForm(
        initial={"min_watch": round(watching.min_watch(activity.options) * 100)}
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "min_watch":
                share_form = MinWatchForm(request.POST)
                if share_form.is_valid():
                    activity_update(
                        actor=request.user,
                        activity=activity,
                        options={"min_watch": share_form.cleaned_data["min_watch"] / 100},
                    )
                    messages.success(request, _("Saved."))
                    return redirect("materials_video_manage", pk=pk)
            else:
                form = VideoForm(request.POST, request.FILES)
                if form.is_valid():
                    services.video_upload(
                        actor=request.user,
                        activity=activity,
                        uploaded_file=form.cleaned_data["file"],
                        duration=form.cleaned_data["duration"],
                    )
                    messages.success(request, _("The video is uploaded."))
                    return redirect("materials_video_manage", pk=pk)
        except ValidationError as error:
            errors += _errors(error)
    context = {
        "activity": activity,
        "video": selectors.video_of(activity),
        "form": form,
        "share_form": share_form,
        "errors": errors,
        "transcoder": transcode.available(),
        "accept": validation.ACCEPT_VIDEO,
        "max_size": filesizeformat(validation.video_max_bytes()),
    }
    return render(
        request,
        "materials/video_manage.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# --- files ---------------------------------------------------------------------------------


@login_required
def file_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = selectors.viewed_activity(request.user, pk, "file")
    if refused := _method(request, "GET"):
        return refused
    files = selectors.assets_of(activity, AssetRole.FILE)
    return render(
        request,
        "materials/file.html",
        {
            "activity": activity,
            "asset": files[-1] if files else None,
            "missing": selectors.missing_before(enrolment, activity),
            "state": _state(enrolment, pk),
            "preview": enrolment is None,
        },
    )


@login_required
def file_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = selectors.viewed_activity(request.user, pk, "file")
    if refused := _method(request, "GET", "HEAD"):
        return refused
    selectors.require_unlocked(enrolment, activity)
    files = selectors.assets_of(activity, AssetRole.FILE)
    if not files:
        return HttpResponse(_("No file has been uploaded yet."), status=404)
    found = files[-1]
    done = _state(enrolment, pk) in {"complete", "passed"}
    if enrolment is not None and request.method == "GET" and not done:
        services.file_downloaded(enrolment=enrolment, activity=activity)
    return serve(
        request, found.file, content_type=found.content_type, filename=found.name, size=found.size
    )


@login_required
def file_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.built_activity(request.user, pk, "file")
    if refused := _method(request, "GET", "POST"):
        return refused
    upload = UploadForm()
    errors: list[str] = []
    if request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        try:
            if upload.is_valid():
                found = services.asset_upload(
                    actor=request.user,
                    activity=activity,
                    role=AssetRole.FILE,
                    uploaded_file=upload.cleaned_data["file"],
                )
                messages.success(request, _("“%(name)s” is uploaded.") % {"name": found.name})
                return redirect("materials_file_manage", pk=pk)
        except ValidationError as error:
            errors += _errors(error)
    files = selectors.assets_of(activity, AssetRole.FILE)
    return render(
        request,
        "materials/file_manage.html",
        {
            "activity": activity,
            "asset": files[-1] if files else None,
            "upload": upload,
            "errors": errors,
            "accept": validation.ACCEPT_FILE,
            "max_size": filesizeformat(validation.file_max_bytes()),
        },
        status=400 if request.method == "POST" else 200,
    )
