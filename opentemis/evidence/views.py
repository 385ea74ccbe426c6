"""Pages of the evidence library, its HTMX partial, and file downloads.

``evidence/_library.html`` can be included in other pages (e.g. a criterion of a self-evaluation)
with the context built by :func:`library_context`. Its forms post here and, under HTMX, get the
partial back in place; the host's settings (element id, "use this item" target) travel with
each form as hidden fields, so the partial comes back the way the host page drew it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import file_response
from opentemis.evidence import selectors, services, validation
from opentemis.evidence.forms import EvidenceLinkForm, EvidenceUploadForm
from opentemis.evidence.models import Evidence, EvidenceKind
from opentemis.staff.models import Person

DEFAULT_DOM_ID = "evidence-library"
_DOM_ID = re.compile(r"^[A-Za-z][\w-]{0,63}$")
_PICK_NAME = re.compile(r"^[A-Za-z][\w]{0,31}$")
_TARGET = re.compile(r"^[#.\w\s:>-]{1,100}$")
_PICK_PREFIX = "library_pick__"


@dataclass
class EvidenceLibrary:
    """What ``evidence/_library.html`` draws (build it with :func:`library_context`)."""

    owner: Person
    items: list[Evidence]
    can_edit: bool
    upload_form: EvidenceUploadForm | None = None
    link_form: EvidenceLinkForm | None = None
    dom_id: str = DEFAULT_DOM_ID
    # "Use" buttons: POST evidence=<pk> plus pick_fields to pick_url, swapping pick_target.
    pick_url: str = ""
    pick_fields: list[tuple[str, str]] = field(default_factory=list)
    pick_target: str = ""
    examples: list[str] = field(default_factory=list)
    notice: str = ""
    notice_level: str = "success"
    # Where the notice is shown: "" above the list, "upload" / "link" in that form (beside
    # what the person acted on).
    notice_at: str = ""
    next_url: str = ""
    max_bytes: int = 0
    accept: str = validation.ACCEPT


def library_context(
    request: AuthenticatedRequest,
    *,
    owner: Person,
    dom_id: str = DEFAULT_DOM_ID,
    pick_url: str = "",
    pick_fields: dict[str, Any] | None = None,
    pick_target: str = "",
    examples: list[str] | None = None,
    next_url: str = "",
    upload_form: EvidenceUploadForm | None = None,
    link_form: EvidenceLinkForm | None = None,
    notice: str = "",
    notice_level: str = "success",
    notice_at: str = "",
) -> dict[str, Any]:
    """``{"library": EvidenceLibrary}`` for ``owner``; 404 unless the user is the owner or
    evaluates them. Editing (upload, link, delete) is for the owner only."""
    items = list(selectors.evidence_library(actor=request.user, owner=owner))
    can_edit = request.user.person_id == owner.pk
    auto_id = f"{dom_id}-%s"
    return {
        "library": EvidenceLibrary(
            owner=owner,
            items=items,
            can_edit=can_edit,
            upload_form=upload_form
            or (EvidenceUploadForm(prefix="up", auto_id=auto_id) if can_edit else None),
            link_form=link_form
            or (EvidenceLinkForm(prefix="ln", auto_id=auto_id) if can_edit else None),
            dom_id=dom_id,
            pick_url=pick_url,
            pick_fields=[(str(k), str(v)) for k, v in (pick_fields or {}).items()],
            pick_target=pick_target,
            examples=list(examples or []),
            notice=notice,
            notice_level=notice_level,
            notice_at=notice_at,
            next_url=next_url,
            max_bytes=validation.max_bytes(),
        )
    }


def _local_url(request: HttpRequest, url: str) -> str:
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _host_options(request: HttpRequest, data: QueryDict) -> dict[str, Any]:
    """The including page's settings, echoed by the partial's forms (checked, never trusted)."""
    dom_id = data.get("library_dom_id", "")
    target = data.get("library_pick_target", "")
    pick_fields = {
        key.removeprefix(_PICK_PREFIX): value[:200]
        for key, value in data.items()
        if key.startswith(_PICK_PREFIX) and _PICK_NAME.match(key.removeprefix(_PICK_PREFIX))
    }
    return {
        "dom_id": dom_id if _DOM_ID.match(dom_id) else DEFAULT_DOM_ID,
        "pick_url": _local_url(request, data.get("library_pick_url", "")),
        "pick_fields": pick_fields,
        "pick_target": target if _TARGET.match(target) else "",
        "next_url": _local_url(request, data.get("library_next", "")),
    }


def _own_person(request: AuthenticatedRequest) -> Person:
    person = request.user.person
    if person is None:
        raise Http404
    return person


def _reply(
    request: AuthenticatedRequest,
    options: dict[str, Any],
    *,
    notice: str = "",
    level: str = "success",
    notice_at: str = "",
    upload_form: EvidenceUploadForm | None = None,
    link_form: EvidenceLinkForm | None = None,
) -> HttpResponse:
    """HTMX: the partial again, in place. Otherwise: back to the page (or the form, on errors)."""
    owner = _own_person(request)
    failed = upload_form is not None or link_form is not None
    if request.htmx:
        context = library_context(
            request,
            owner=owner,
            notice=notice,
            notice_level=level,
            notice_at=notice_at,
            upload_form=upload_form,
            link_form=link_form,
            **options,
        )
        return render(request, "evidence/_library.html", context)
    if failed:
        context = library_context(
            request, owner=owner, upload_form=upload_form, link_form=link_form, **options
        )
        return render(request, "evidence/library.html", context, status=400)
    getattr(messages, level)(request, notice)
    return redirect(options["next_url"] or reverse("evidence_library"))


def _saved_notice(item: Evidence) -> str:
    if item.reused:
        return _("This is already in your evidence: “%(title)s”.") % {"title": item.title}
    return _("Added to your evidence: “%(title)s”.") % {"title": item.title}


@login_required
def evidence_library(request: AuthenticatedRequest) -> HttpResponse:
    """My evidence: the list, an upload form and a link form."""
    if not request.user.person_id:
        return render(request, "evidence/library.html", {"library": None})
    context = library_context(request, owner=_own_person(request))
    template = "evidence/_library.html" if request.htmx else "evidence/library.html"
    return render(request, template, context)


@login_required
def evidence_person_library(request: AuthenticatedRequest, person_pk: int) -> HttpResponse:
    """Someone's evidence, read-only, for the people who evaluate them (others: 404)."""
    owner = get_object_or_404(Person.objects.select_related("unit"), pk=person_pk)
    context = library_context(request, owner=owner)
    return render(request, "evidence/library.html", context)


@login_required
@require_POST
def evidence_upload(request: AuthenticatedRequest) -> HttpResponse:
    owner = _own_person(request)
    options = _host_options(request, request.POST)
    auto_id = f"{options['dom_id']}-%s"
    form = EvidenceUploadForm(request.POST, request.FILES, prefix="up", auto_id=auto_id)
    if form.is_valid():
        try:
            item = services.evidence_upload(
                actor=request.user,
                owner=owner,
                uploaded_file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                school_year=form.cleaned_data["school_year"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return _reply(request, options, notice=_saved_notice(item), notice_at="upload")
    return _reply(request, options, upload_form=form)


@login_required
@require_POST
def evidence_add_link(request: AuthenticatedRequest) -> HttpResponse:
    owner = _own_person(request)
    options = _host_options(request, request.POST)
    auto_id = f"{options['dom_id']}-%s"
    form = EvidenceLinkForm(request.POST, prefix="ln", auto_id=auto_id)
    if form.is_valid():
        try:
            item = services.evidence_add_link(
                actor=request.user,
                owner=owner,
                url=form.cleaned_data["url"],
                title=form.cleaned_data["title"],
                school_year=form.cleaned_data["school_year"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _reply(request, options, notice=_saved_notice(item), notice_at="link")
    return _reply(request, options, link_form=form)


@login_required
@require_POST
def evidence_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.get_evidence_for_user(actor=request.user, pk=pk)
    options = _host_options(request, request.POST)
    try:
        services.evidence_delete(actor=request.user, evidence=item)
    except ValidationError as exc:
        return _reply(request, options, notice=" ".join(exc.messages), level="error")
    return _reply(request, options, notice=_("Deleted: “%(title)s”.") % {"title": item.title})


@login_required
def evidence_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.get_evidence_for_user(actor=request.user, pk=pk)
    return evidence_file_response(item, download=request.GET.get("download") == "1")


def evidence_file_response(item: Evidence, *, download: bool = False) -> HttpResponse:
    """The stored bytes, streamed, with the sniffed type, through the one file helper
    (``core.http.file_response``: sandboxed, nosniff; PNG, JPEG and PDF shown unless
    ``download``, the rest saved). Shared by the page and the API."""
    stored = item.stored_file
    if item.kind != EvidenceKind.FILE or stored is None:
        raise Http404
    kind = validation.BY_CONTENT_TYPE.get(stored.content_type)
    stem = PurePath(item.original_name).stem or slugify(item.title) or "minh-chung"
    filename = f"{stem}.{kind.extension if kind else 'bin'}"
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return file_response(
        handle,
        filename=filename,
        content_type=stored.content_type if kind else "application/octet-stream",
        inline=not download,
        cache="private, no-cache",
    )
