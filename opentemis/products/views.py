"""Pages of the final product, under /learn/products/ (issue 13 item 4).

* ``<activity>/``: the learner's page: the instructions, the rubric, what they handed in and
  the grader's result and comments; the form to hand in (or replace what waits);
* ``<activity>/manage/``: the builder's settings (instructions, rubric, what may be handed in);
* ``<activity>/queue/``: the grader's queue: waiting (oldest first), graded, by school;
* ``submissions/<pk>/grade/``: the grading page: the submission, the rubric and the form;
* ``submissions/<pk>/file/``: the file handed in, for its learner and its graders (the
  auditor reads it through ``audits``, with :func:`submission_file_response`).

Grading that never stalls (issue 14 item 3; decision 0021):

* ``mine/``: "Bài chờ chấm của tôi", what waits for the grader across their courses, oldest
  first, and the overflow pool's count; ``pool/claim/`` (POST) takes the next one with a
  lease; ``submissions/<pk>/release/`` (POST) gives it back. Grading is the page above;
* ``second-marks/``: a lecturer's sample and appeals; ``submissions/<pk>/second-mark/``: their
  own decision; ``submissions/<pk>/appeal/`` (POST): the learner appeals a Chưa đạt grade;
* ``courses/<pk>/workload/``: per-grader workload and turnaround for the course's officers
  (``workload.xlsx``: the same in Excel).

Access through ``learning.access`` (and ``selectors`` for graders); anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.admission import completes_work
from opentemis.core.http import file_response, xlsx_response
from opentemis.core.params import parse_positive_int
from opentemis.evidence import validation
from opentemis.evidence.forms import upload_input_attrs
from opentemis.learning.access import learner_activity, manages_course
from opentemis.learning.services import prerequisites_missing
from opentemis.products import access, exports, selectors, services
from opentemis.products.models import AppealStatus, Product, Submission, SubmissionStatus


class SubmitForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your product (text)"),
        required=False,
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(label=gettext_lazy("File of your product"), required=False)

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not product.accepts_text:
            del self.fields["text"]
        if not product.accepts_file:
            del self.fields["file"]
        else:
            attrs = upload_input_attrs()
            attrs["data-max-bytes"] = str(services.limit_bytes(product))
            self.fields["file"].widget.attrs.update(attrs)


VERDICTS = [("passed", gettext_lazy("Passed")), ("failed", gettext_lazy("Not passed"))]


class GradeForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=VERDICTS, widget=forms.RadioSelect
    )
    score = forms.CharField(
        label=gettext_lazy("Score on 10 (optional)"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments to the learner"),
        required=False,
        max_length=services.COMMENTS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, rubric: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, criterion in enumerate(rubric):
            self.fields[f"remark_{index}"] = forms.CharField(
                label=criterion["title"],
                help_text=criterion.get("description", ""),
                required=False,
                max_length=services.REMARK_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def remark_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("remark_")]

    def remarks(self) -> list[str]:
        return [self.cleaned_data.get(n, "") for n in self.fields if n.startswith("remark_")]


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why you appeal the grade"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SecondMarkForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Your decision"), choices=VERDICTS, widget=forms.RadioSelect
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments"),
        required=False,
        max_length=services.COMMENTS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


MEGABYTE = 1024 * 1024


class ManageForm(forms.Form):
    instructions = forms.CharField(
        label=gettext_lazy("Instructions"),
        required=False,
        max_length=services.INSTRUCTIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    accepts_text = forms.BooleanField(label=gettext_lazy("A text may be written"), required=False)
    accepts_file = forms.BooleanField(label=gettext_lazy("A file may be attached"), required=False)
    max_mb = forms.IntegerField(
        label=gettext_lazy("Largest file (MB; 0: the site's limit)"),
        min_value=0,
        max_value=max(1, validation.max_bytes() // MEGABYTE),
        required=False,
    )
    file_types = forms.MultipleChoiceField(
        label=gettext_lazy("File types accepted (none ticked: all)"),
        choices=[(t, t.upper()) for t in services.FILE_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    resubmit_until_pass = forms.BooleanField(
        label=gettext_lazy("A learner graded Chưa đạt may hand in again"), required=False
    )

    def __init__(self, *args: Any, rubric: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = min(len(rubric) + 2, services.CRITERIA_MAX)
        for index in range(rows):
            given = rubric[index] if index < len(rubric) else {}
            self.fields[f"criterion_{index}"] = forms.CharField(
                label=_("Criterion %(n)s") % {"n": index + 1},
                required=False,
                max_length=services.CRITERION_TITLE_MAX,
                initial=given.get("title", ""),
            )
            self.fields[f"criterion_{index}_description"] = forms.CharField(
                label=_("What is expected"),
                required=False,
                max_length=services.CRITERION_DESCRIPTION_MAX,
                initial=given.get("description", ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def criteria(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        names = [n for n in self.fields if n.startswith("criterion_") and n.count("_") == 1]
        return [(self[n], self[f"{n}_description"]) for n in names]

    def rubric(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        names = [n for n in self.fields if n.startswith("criterion_") and n.count("_") == 1]
        return [
            {"title": data.get(n, ""), "description": data.get(f"{n}_description", "")}
            for n in names
        ]


def _errors(form: forms.Form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --- the learner ----------------------------------------------------------------------------


def _learner_page(
    request: AuthenticatedRequest, pk: int, form: SubmitForm | None = None, status: int = 200
) -> HttpResponse:
    activity, enrolment = learner_activity(request.user, pk)
    if activity.kind != "product":
        raise Http404
    product = services.product_of(activity)
    submissions = selectors.my_submissions(activity, enrolment.pk)
    latest = submissions[0] if submissions else None
    open_to_submit = services.can_submit(product, latest) and enrolment.status != "left"
    if form is None and open_to_submit:
        form = SubmitForm(product=product)
    appeal = selectors.appeal_of(latest) if latest is not None else None
    return render(
        request,
        "products/activity.html",
        {
            "activity": activity,
            "course": activity.course,
            "product": product,
            "submissions": submissions,
            "latest": latest,
            "form": form if open_to_submit else None,
            "replacing": latest is not None and latest.status == SubmissionStatus.PENDING,
            "limit": filesizeformat(services.limit_bytes(product)),
            "missing": [a.title for a in prerequisites_missing(enrolment, activity)],
            "upload_attrs": flatatt(upload_input_attrs()),
            "appeal": appeal,
            "may_appeal": latest is not None
            and latest.status == SubmissionStatus.FAILED
            and appeal is None,
            "appeal_form": AppealForm(),
        },
        status=status,
    )


@login_required
@require_GET
def activity_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _learner_page(request, pk)


@completes_work
@login_required
@require_POST
def submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = learner_activity(request.user, pk)
    if activity.kind != "product":
        raise Http404
    product = services.product_of(activity)
    form = SubmitForm(request.POST, request.FILES, product=product)
    if form.is_valid():
        try:
            services.submission_submit(
                actor=request.user,
                activity=activity,
                enrolment=enrolment,
                text=form.cleaned_data.get("text", ""),
                uploaded_file=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(
                request, _("Your product was handed in. You will see the result here.")
            )
            return redirect("products_activity", pk=pk)
    return _learner_page(request, pk, form=form, status=400)


@login_required
@require_GET
def submission_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return submission_file_response(selectors.submission_readable(request.user, pk))


def submission_file_response(submission: Submission) -> HttpResponse:
    """The file handed in, once a rule allowed the reader (its learner and graders above; the
    independent auditor's route, ``audits.views``, after its own rule): the one place a
    product's file is sent from."""
    if not submission.file.name:
        raise Http404
    try:
        handle = submission.file.open("rb")
    except OSError:
        raise Http404 from None
    return file_response(
        handle, filename=submission.file_name or "san-pham", content_type=submission.file_type
    )


# --- the builder ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.managed_product_activity(request.user, pk)
    product = services.product_of(activity)
    initial = {
        "instructions": product.instructions,
        "accepts_text": product.accepts_text,
        "accepts_file": product.accepts_file,
        "max_mb": product.max_bytes // MEGABYTE,
        "file_types": product.file_types,
        "resubmit_until_pass": product.resubmit_until_pass,
    }
    status = 200
    if request.method == "POST":
        form = ManageForm(request.POST, rubric=product.rubric, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.product_save(
                    actor=request.user,
                    activity=activity,
                    instructions=data["instructions"],
                    rubric=form.rubric(),
                    accepts_text=data["accepts_text"],
                    accepts_file=data["accepts_file"],
                    max_bytes=(data["max_mb"] or 0) * MEGABYTE,
                    file_types=data["file_types"],
                    resubmit_until_pass=data["resubmit_until_pass"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("The final product's settings were saved."))
                return redirect("products_manage", pk=pk)
        status = 400
    else:
        form = ManageForm(rubric=product.rubric, initial=initial)
    return render(
        request,
        "products/manage.html",
        {"activity": activity, "course": activity.course, "form": form},
        status=status,
    )


# --- the grader -----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.graded_activity(request.user, pk)
    found = selectors.queue(
        request.user, activity, unit_pk=parse_positive_int(request.GET.get("unit"))
    )
    return render(
        request,
        "products/queue.html",
        {"activity": activity, "course": activity.course, "queue": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def grade(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_to_grade(request.user, pk)
    product = submission.product
    initial: dict[str, Any] = {"revision": submission.revision}
    if submission.status != SubmissionStatus.PENDING:
        initial.update(
            verdict=submission.status,
            score=submission.score if submission.score is not None else "",
            comments=submission.comments,
        )
        for index, remark in enumerate(submission.remarks):
            initial[f"remark_{index}"] = remark.get("remark", "")
    status = 200
    if request.method == "POST":
        form = GradeForm(request.POST, rubric=product.rubric, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submission_grade(
                    actor=request.user,
                    submission=submission,
                    passed=data["verdict"] == "passed",
                    score=data["score"],
                    comments=data["comments"],
                    remarks=form.remarks(),
                    revision=data["revision"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("The grade was saved; the learner sees it now."))
                if request.GET.get("from") == "mine":
                    return redirect("products_mine")
                return redirect("products_queue", pk=product.activity_id)
        status = 400
    else:
        form = GradeForm(rubric=product.rubric, initial=initial)
    latest = not selectors.has_later(submission)
    now = timezone.now()
    appeal = selectors.appeal_of(submission)
    may_grade = access.may_grade(request.user, submission, now) and appeal is None
    return render(
        request,
        "products/grade.html",
        {
            "submission": submission,
            "activity": product.activity,
            "course": product.activity.course,
            "product": product,
            "person": submission.enrolment.person,
            "earlier": selectors.others_of(submission),
            "form": form if latest and may_grade else None,
            "latest": latest,
            "leased": access.lease_live(submission, now),
            "may_release": access.lease_live(submission, now)
            and (
                submission.claimed_by_id == request.user.pk
                or manages_course(request.user, product.activity.course)
            ),
            "appeal": appeal,
            "second_marks": selectors.second_marks_of(submission),
            "from_mine": request.GET.get("from") == "mine",
        },
        status=status,
    )


# --- grading that never stalls --------------------------------------------------------------


@login_required
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "products/mine.html", {"queue": selectors.my_queue(request.user)})


@login_required
@require_POST
def claim(request: AuthenticatedRequest) -> HttpResponse:
    claimed = services.submission_claim_next(actor=request.user)
    if claimed is None:
        messages.info(request, _("Nothing waits in the pool you may grade."))
        return redirect("products_mine")
    messages.success(
        request,
        _("The submission is yours to grade until %(t)s.")
        % {"t": timezone.localtime(claimed.lease_expires).strftime("%H:%M %d/%m/%Y")},
    )
    return redirect(f"{reverse('products_grade', args=[claimed.pk])}?from=mine")


@login_required
@require_POST
def release(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_to_grade(request.user, pk)
    try:
        services.submission_release(actor=request.user, submission=submission)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The submission went back to the pool."))
    return redirect("products_mine")


@login_required
@require_GET
def second_marks(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.second_mark_list(request.user)
    return render(request, "products/second_marks.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def second_mark(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_to_second_mark(request.user, pk)
    appeal = selectors.appeal_of(submission)
    marks = selectors.second_marks_of(submission)
    open_appeal = appeal is not None and appeal.status == AppealStatus.OPEN
    done = (appeal is not None and not open_appeal) or (
        appeal is None and any(m.appeal_id is None for m in marks)
    )
    status = 200
    form = SecondMarkForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.second_mark_record(
                    actor=request.user,
                    submission=submission,
                    passed=form.cleaned_data["verdict"] == "passed",
                    comments=form.cleaned_data["comments"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("products_second_marks")
        status = 400
    product = submission.product
    return render(
        request,
        "products/second_mark.html",
        {
            "submission": submission,
            "activity": product.activity,
            "course": product.activity.course,
            "product": product,
            "person": submission.enrolment.person,
            "appeal": appeal,
            "marks": marks,
            "form": None if done else form,
        },
        status=status,
    )


@login_required
@require_POST
def appeal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = selectors.own_submission(request.user, pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_lodge(
                actor=request.user, submission=submission, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Your appeal was sent to the lecturers."))
            return redirect("products_activity", pk=submission.product.activity_id)
    for message in [*form.non_field_errors(), *form.errors.get("reason", [])]:
        messages.error(request, message)
    return redirect("products_activity", pk=submission.product.activity_id)


@login_required
@require_GET
def workload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    course, paths = selectors.workload_course(request.user, pk)
    return render(
        request,
        "products/workload.html",
        {
            "course": course,
            "load": selectors.workload(course, paths),
            "disagreements": selectors.disagreements(course, paths),
        },
    )


@login_required
@require_GET
def workload_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    course, paths = selectors.workload_course(request.user, pk)
    content, name = exports.workload_xlsx(selectors.workload(course, paths))
    return xlsx_response(content, name)
