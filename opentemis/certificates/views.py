"""Pages of certificates, under /certificates/ (issue 14 item 5).

* ``/``: "Chứng nhận của tôi": the person's own certificates, each as a PDF;
* ``verify/`` and ``verify/<code>/``: the **public** verification page (no sign-in), by a
  typed code or the address a QR code carries: the holder's name masked, what, when, who
  issued it, valid or revoked or replaced; nothing else (``selectors.verification``);
* ``issued/``: an officer's list of the certificates they read, with filters; ``units/<pk>/
  zip/`` queues the ZIP of a unit's certificates; ``<pk>/``: one certificate, with re-issue
  and revocation for the issuer's officers;
* ``issuers/``: the issuers an officer configures; ``issuers/<pk>/``: what is printed, the
  template and the programmes certified.

Access through ``selectors`` (the one rule); anything else is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.permissions import perm_paths
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.certificates import codes, documents, selectors, services, tasks
from opentemis.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    Issuer,
    ProgrammeDefinition,
)
from opentemis.core.client_ip import client_ip
from opentemis.core.http import file_response
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.learning.access import read_course
from opentemis.orgs.models import SchoolYear

PDF = "application/pdf"


def _errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --- the holder ---------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "certificates/mine.html",
        {"certificates": selectors.my_certificates(request.user), "printed": codes.printed},
    )


@login_required
@require_GET
def certificate_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    certificate = selectors.certificate_for_reader(request.user, pk)
    return file_response(
        documents.certificate_pdf(certificate),
        filename=documents.filename(certificate),
        content_type=PDF,
        inline=True,
    )


@login_required
@require_GET
def open_badge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The certificate as an Open Badges 3.0 credential (unsigned JSON-LD)."""
    certificate = selectors.certificate_for_reader(request.user, pk)
    content = json.dumps(documents.open_badge(certificate), ensure_ascii=False, indent=2)
    name = documents.filename(certificate).removesuffix(".pdf")
    return file_response(content.encode(), filename=f"{name}.json", content_type="application/json")


# --- the public verification ----------------------------------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Certificate code"), max_length=40, required=False)


def _verify_page(request: HttpRequest, raw: str, *, asked: bool) -> HttpResponse:
    """The page, for a code or none. A wrong code costs the same one query as a right one
    and answers 404 with the same page; misses are counted per address, and past
    ``selectors.MISSES_ALLOWED`` in a window every lookup from there answers 429."""
    address = client_ip(request) or "-"
    status, found, refused = 200, None, False
    if asked:
        if selectors.too_many_misses(address):
            status, refused = 429, True
        else:
            certificate = selectors.lookup(raw)
            if certificate is None:
                selectors.count_miss(address)
                status = 404
            else:
                found = selectors.verification(certificate)
    response = render(
        request,
        "certificates/verify.html",
        {
            "form": VerifyForm(initial={"code": raw if asked and found is None else ""}),
            "asked": asked,
            "found": found,
            "refused": refused,
        },
        status=status,
    )
    # Revocation must show at once: a browser may keep the page but asks again every time;
    # nothing shared (a signed-in visitor's page holds their menu). Codes are not indexed.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    raw = str(request.GET.get("code", "") or "")[:40]
    if raw:
        code = codes.normalise(raw)
        if code is not None:
            return redirect("certificates_verify_code", code=code)
        return _verify_page(request, raw, asked=True)
    return _verify_page(request, "", asked=False)


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    return _verify_page(request, code[:40], asked=True)


# --- the officers ---------------------------------------------------------------------------------


def _require_officer(request: AuthenticatedRequest) -> None:
    if perm_paths(request.user, selectors.PERM) == ():
        raise Http404


@login_required
@require_GET
def issued(request: AuthenticatedRequest) -> HttpResponse:
    _require_officer(request)
    params = request.GET
    unit_pk = parse_positive_int(params.get("unit"))
    course_pk = parse_positive_int(params.get("course"))
    filters = selectors.IssuedFilters(
        unit=selectors.reachable_unit(request.user, unit_pk) if unit_pk else None,
        course=read_course(request.user, course_pk) if course_pk else None,
        kind=str(params.get("kind", "")),
        status=str(params.get("status", "")),
        query=str(params.get("q", ""))[:100].strip(),
    )
    page = selectors.issued(request.user, filters, str(params.get("page") or 1))
    return render(
        request,
        "certificates/issued.html",
        {
            "page": page,
            "filters": filters,
            "kinds": CertificateKind.choices,
            "statuses": CertificateStatus.choices,
            "printed": codes.printed,
            "own_units": selectors.own_units(request.user),
        },
    )


class EndForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _detail(
    request: AuthenticatedRequest,
    certificate: Certificate,
    *,
    revoke_form: EndForm | None = None,
    reissue_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_act = selectors.may_act(request.user, certificate) and certificate.is_valid
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "snap": certificate.snapshot,
            "code": codes.printed(certificate.code),
            "may_act": may_act,
            "revoke_form": revoke_form or EndForm(prefix="revoke"),
            "reissue_form": reissue_form or EndForm(prefix="reissue"),
            "replaces": _replaced(certificate),
            "verification": selectors.verification(certificate),
        },
        status=status,
    )


def _replaced(certificate: Certificate) -> Certificate | None:
    with system_scope():
        return Certificate.objects.filter(replaced_by=certificate).first()


@login_required
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.certificate_for_officer(request.user, pk))


def _end(request: AuthenticatedRequest, pk: int, which: str) -> HttpResponse:
    """Revoke or re-issue (``which``) a certificate with the officer's reason: the one form of
    both, its refusal shown on the certificate's page."""
    certificate = selectors.certificate_for_officer(request.user, pk)
    form = EndForm(request.POST, prefix=which)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if which == "revoke":
                services.certificate_revoke(
                    actor=request.user, certificate=certificate, reason=reason
                )
                done, shown = _("The certificate was revoked."), certificate
            else:
                shown = services.certificate_reissue(
                    actor=request.user, certificate=certificate, reason=reason
                )
                done = _("A corrected certificate was issued with a new code.")
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("certificates_detail", pk=shown.pk)
    return _detail(request, certificate, status=400, **{f"{which}_form": form})


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _end(request, pk, "revoke")


@login_required
@require_POST
def reissue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _end(request, pk, "reissue")


@login_required
@require_POST
def unit_zip(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.reachable_unit(request.user, pk)
    job = tasks.zip_start(actor=request.user, unit=unit)
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
def course_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    course = read_course(request.user, pk)
    if not selectors.may_issue_for_course(request.user, course):
        raise Http404
    job = tasks.issue_start(actor=request.user, course=course)
    return redirect("job_detail", pk=job.pk)


# --- issuers and programmes -----------------------------------------------------------------------


class IssuerForm(forms.ModelForm[Issuer]):
    logo_file = forms.FileField(label=gettext_lazy("Logo (PNG or JPEG)"), required=False)
    signature_file = forms.FileField(
        label=gettext_lazy("Signature image (PNG or JPEG)"), required=False
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
    remove_signature = forms.BooleanField(
        label=gettext_lazy("Remove the signature image"), required=False
    )

    class Meta:
        model = Issuer
        fields = [
            "active",
            "parent_name",
            "name",
            "signer_name",
            "signer_title",
            "place",
            *services.TEMPLATE_FIELDS,
            "accent_colour",
        ]
        widgets = {"accent_colour": forms.TextInput(attrs={"type": "color"})}


class ProgrammeForm(forms.Form):
    school_year = forms.ModelChoiceField(
        label=gettext_lazy("School year"), queryset=SchoolYear.objects.order_by("-start_date")
    )
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    module_codes = forms.CharField(
        label=gettext_lazy("Course codes of its modules (one per line)"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    active = forms.BooleanField(label=gettext_lazy("Certified"), required=False, initial=True)


@login_required
@require_GET
def issuers(request: AuthenticatedRequest) -> HttpResponse:
    _require_officer(request)
    return render(
        request,
        "certificates/issuers.html",
        {
            "issuers": list(selectors.managed_issuers(request.user).order_by("unit__path")[:200]),
            "own_units": selectors.own_units(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_issuer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: what configuring the unit as an issuer means (who issues for its courses now), or
    a link to its issuer's page when it issues already; POST: configure it (with the
    template's defaults) and open its page."""
    unit = selectors.reachable_unit(request.user, pk)
    issuer = Issuer.objects.filter(unit=unit).first()
    if request.method != "POST":
        return render(
            request,
            "certificates/unit_issuer.html",
            {"unit": unit, "issuer": issuer, "above": selectors.issuer_for_path(unit.path)},
        )
    if issuer is None:
        issuer = services.issuer_save(actor=request.user, unit=unit, values={})
        messages.success(request, _("The unit now issues certificates. Check what is printed."))
    return redirect("certificates_issuer", pk=issuer.pk)


def _issuer_page(
    request: AuthenticatedRequest,
    issuer: Issuer,
    form: IssuerForm | None = None,
    programme_form: ProgrammeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "certificates/issuer.html",
        {
            "issuer": issuer,
            "form": form or IssuerForm(instance=issuer),
            "programme_form": programme_form or ProgrammeForm(),
            "programmes": list(issuer.programmes.select_related("school_year")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def issuer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = selectors.managed_issuer(request.user, pk)
    if request.method != "POST":
        return _issuer_page(request, found)
    form = IssuerForm(request.POST, request.FILES, instance=Issuer.objects.get(pk=found.pk))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.issuer_save(
                actor=request.user,
                unit=found.unit,
                values={k: data.get(k) for k in IssuerForm.Meta.fields},
                logo=data.get("logo_file"),
                signature=data.get("signature_file"),
                remove_logo=data.get("remove_logo", False),
                remove_signature=data.get("remove_signature", False),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The issuer's settings were saved."))
            return redirect("certificates_issuer", pk=found.pk)
    return _issuer_page(request, found, form=form, status=400)


@login_required
@require_GET
def issuer_sample(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A specimen certificate in the issuer's template (nothing issued)."""
    found = selectors.managed_issuer(request.user, pk)
    sample = Certificate(
        code="MAUXX00000",
        kind=CertificateKind.MODULE,
        issuer=found,
        snapshot={
            "holder_name": "Nguyễn Thị Mẫu",
            "date_of_birth": "01/01/1990",
            "unit_name": "Trường Tiểu học Mẫu",
            "title": "Mô-đun mẫu: Kiểm tra, đánh giá học sinh theo hướng phát triển năng lực",
            "course_code": "MAU01",
            "hours": "10",
            "school_year": "2025-2026",
            "issued_on": "2026-01-15",
            **services.issuer_fields(found),
        },
    )
    return file_response(
        documents.certificate_pdf(sample, found),
        filename="chung-nhan-mau.pdf",
        content_type=PDF,
        inline=True,
    )


@login_required
@require_POST
def programme_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = selectors.managed_issuer(request.user, pk)
    form = ProgrammeForm(request.POST)
    if form.is_valid():
        try:
            services.programme_save(actor=request.user, issuer=found, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect("certificates_issuer", pk=found.pk)
    return _issuer_page(request, found, programme_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def programme(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found: ProgrammeDefinition = selectors.managed_programme(request.user, pk)
    initial: dict[str, Any] = {
        "school_year": found.school_year,
        "code": found.code,
        "title": found.title,
        "module_codes": "\n".join(found.module_codes),
        "active": found.active,
    }
    status = 200
    if request.method == "POST":
        form = ProgrammeForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.programme_save(
                    actor=request.user, issuer=found.issuer, programme=found, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("The programme was saved."))
                return redirect("certificates_issuer", pk=found.issuer_id)
        status = 400
    else:
        form = ProgrammeForm(initial=initial)
    return render(
        request,
        "certificates/programme.html",
        {"programme": found, "issuer": found.issuer, "form": form},
        status=status,
    )
