"""Pages and endpoints of the packages app (issue 13 item 2).

* ``packages_play``: the learner's player (a full-width iframe on the launch file, the SCORM
  run-time API from scorm-again on this page, or h5p-standalone for H5P);
* ``packages_manage``: the officer's upload page (the version found, the launch file);
* ``packages_file``: a package's files, to an enrolled learner or the course's officer;
* ``packages_commit``: the SCORM player's commits (``LMSCommit``/``Commit``, and the final one
  ``LMSFinish``/``Terminate`` sends with ``navigator.sendBeacon``); GET gives the stored data;
* ``packages_xapi``: the H5P player's xAPI statements and saved state.

The commit endpoint is exempt from Django's CSRF check because a beacon cannot carry the
header; it requires instead a key in its URL (``?k=``) that only the player page knows: an HMAC
of the learner, the activity and the session, so another site cannot forge a commit.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.admission import completes_work
from opentemis.core.http import file_response
from opentemis.learning.services import NotAllowed, prerequisites_missing
from opentemis.packages import cmi, selectors, services
from opentemis.packages.http import package_page_response
from opentemis.packages.models import Package, Standard

STATE_LABELS = {
    "": gettext_lazy("Not started"),
    "started": gettext_lazy("In progress"),
    "complete": gettext_lazy("Completed"),
    "passed": gettext_lazy("Passed"),
    "failed": gettext_lazy("Not passed yet"),
}


def commit_key(request: HttpRequest, activity_pk: int) -> str:
    """The key the player page puts in the commit URL (module docstring)."""
    session = getattr(request, "session", None)
    session_key = (session.session_key if session is not None else "") or ""
    return salted_hmac(
        "opentemis.packages.commit", f"{request.user.pk}:{activity_pk}:{session_key}"
    ).hexdigest()[:32]


def _files_base(activity_pk: int) -> str:
    return reverse("packages_file", kwargs={"pk": activity_pk, "path": "x"})[:-1]


def _player_config(
    request: HttpRequest, package: Package, enrolment: Any, runtime: Any
) -> dict[str, Any]:
    base = _files_base(package.activity_id)
    data = runtime.data if runtime is not None else {}
    config: dict[str, Any] = {
        "standard": package.standard,
        "files": base,
        "csrf": "",
        "labels": {k: str(v) for k, v in STATE_LABELS.items()},
    }
    person = enrolment.person
    if package.is_scorm:
        initial = cmi.resumed(package.standard, data)
        if package.standard == Standard.SCORM12:
            initial.update(
                {
                    "cmi.core.student_id": person.staff_code,
                    "cmi.core.student_name": person.full_name,
                }
            )
        else:
            initial.update(
                {"cmi.learner_id": person.staff_code, "cmi.learner_name": person.full_name}
            )
        config.update(
            launch=base + package.launch,
            commit=reverse("packages_commit", kwargs={"pk": package.activity_id})
            + "?k="
            + commit_key(request, package.activity_id),
            cmi=initial,
        )
    else:
        vendor = static("packages/vendor/h5p-standalone/")
        config.update(
            xapi=reverse("packages_xapi", kwargs={"pk": package.activity_id}),
            frameJs=vendor + "frame.bundle.js",
            frameCss=vendor + "styles/h5p.css",
            state=data.get("state", ""),
            name=person.full_name,
        )
    return config


@login_required
def packages_play(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The learner's player page."""
    activity, enrolment, package = selectors.learner_package(request.user, pk)
    missing = prerequisites_missing(enrolment, activity)
    runtime = selectors.runtime_of(enrolment, package) if package is not None else None
    state = runtime.state if runtime is not None else ""
    config = None
    if package is not None and not missing:
        config = _player_config(request, package, enrolment, runtime)
    return render(
        request,
        "packages/play.html",
        {
            "activity": activity,
            "course": activity.course,
            "package": package,
            "missing": missing,
            "state": state,
            "state_label": STATE_LABELS.get(state, ""),
            "score": runtime.score if runtime is not None else None,
            "config": config,
        },
    )


class UploadForm(forms.Form):
    package = forms.FileField(label=gettext_lazy("Package file"))


@login_required
def packages_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The officer's page: upload (or replace) the package, see what was found."""
    activity, package = selectors.managed_package(request.user, pk)
    form = UploadForm()
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["package"]
            try:
                package = services.package_upload(
                    actor=request.user,
                    activity=activity,
                    upload=upload,
                    size=upload.size or 0,
                    name=upload.name or "",
                )
            except NotAllowed:
                raise Http404 from None
            except ValidationError as exc:
                form.add_error("package", exc)
            else:
                messages.success(request, _("The package was stored."))
                return redirect("packages_manage", pk=activity.pk)
        status = 400
    preview = None
    if package is not None and package.is_scorm:
        preview = _files_base(activity.pk) + package.launch
    return render(
        request,
        "packages/manage.html",
        {
            "activity": activity,
            "course": activity.course,
            "package": package,
            "form": form,
            "preview": preview,
            "learners_url": reverse("packages_play", kwargs={"pk": activity.pk}),
        },
        status=status,
    )


@login_required
def packages_file(request: AuthenticatedRequest, pk: int, path: str) -> HttpResponse:
    """One file of a package. HTML files are the package's pages, played in the player's
    iframe: they are served by ``package_page_response`` (script allowed, same origin; see
    docs/architecture.md, "Files the server sends"); every other file goes through
    ``file_response`` like any stored file (saved if opened alone, sandboxed)."""
    package = selectors.readable_package(request.user, pk)
    name = selectors.package_file(package, path)
    content_type = selectors.content_type_for(name)
    if content_type in selectors.HTML_TYPES:
        if request.headers.get("Sec-Fetch-Dest") == "document":
            # Opened alone, not in the player: show it in the player instead.
            return redirect("packages_play", pk=pk)
        with default_storage.open(package.file_key(name), "rb") as handle:
            return package_page_response(handle.read())
    try:
        handle = default_storage.open(package.file_key(name), "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return file_response(
        handle,
        filename=posixpath.basename(name),
        content_type=content_type,
        cache="private, max-age=600",
    )


def _body(request: HttpRequest) -> Any:
    if len(request.body) > cmi.MAX_BODY:
        raise ValidationError(_("The run-time data is too large."))
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(_("The run-time data is not valid JSON.")) from None


def _refused(exc: ValidationError) -> JsonResponse:
    return JsonResponse(
        {"result": False, "errorCode": 101, "detail": " ".join(exc.messages)}, status=400
    )


def _answer(runtime: Any) -> JsonResponse:
    return JsonResponse(
        {
            "result": True,
            "errorCode": 0,
            "state": runtime.state,
            "label": str(STATE_LABELS.get(runtime.state, "")),
            "score": None if runtime.score is None else str(runtime.score),
        }
    )


@completes_work
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def packages_commit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The SCORM player's commit: the whole flattened CMI as JSON (module docstring)."""
    activity, enrolment, package = selectors.learner_package(request.user, pk)
    if package is None or not package.is_scorm:
        raise Http404
    if request.method == "GET":
        runtime = selectors.runtime_of(enrolment, package)
        return JsonResponse({"cmi": runtime.data if runtime is not None else {}})
    if not constant_time_compare(request.GET.get("k", ""), commit_key(request, pk)):
        return _refused(
            ValidationError(_("Not saved: reload the page (the learning session changed)."))
        )
    try:
        runtime = services.runtime_commit(
            enrolment=enrolment, activity=activity, package=package, payload=_body(request)
        )
    except ValidationError as exc:
        return _refused(exc)
    return _answer(runtime)


@login_required
@require_http_methods(["GET", "POST"])
def packages_xapi(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The H5P player's reports: ``{"statement": <xAPI statement>}`` or ``{"state": "..."}``;
    GET gives what is stored."""
    activity, enrolment, package = selectors.learner_package(request.user, pk)
    if package is None or package.standard != Standard.H5P:
        raise Http404
    if request.method == "GET":
        runtime = selectors.runtime_of(enrolment, package)
        return JsonResponse({"data": runtime.data if runtime is not None else {}})
    try:
        body = _body(request)
        if not isinstance(body, dict) or not ({"statement", "state"} & set(body)):
            raise ValidationError(_("Send a statement or a state."))
        if "statement" in body:
            runtime = services.xapi_record(
                enrolment=enrolment, activity=activity, package=package, statement=body["statement"]
            )
        else:
            runtime = services.h5p_state_save(
                enrolment=enrolment, activity=activity, package=package, state=body["state"]
            )
    except ValidationError as exc:
        return _refused(exc)
    return _answer(runtime)
