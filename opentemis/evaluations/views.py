"""Pages of the evaluation workflow: the person's BM1, colleagues' opinions, the review, cycles.

Views authenticate, call one service or selector, render. A write that fails because the
database is unavailable re-renders what the user typed with a 503 and saves nothing: the
stored draft stays as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opentemis.accounts.models import AuditEvent, User
from opentemis.accounts.permissions import actor_perms, has_perm_on, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.admission import completes_work
from opentemis.core.params import id_param, parse_positive_int
from opentemis.core.unavailable import mark_unavailable
from opentemis.evaluations import access, selectors, services
from opentemis.evaluations.access import Action
from opentemis.evaluations.forms import CycleForm, ReviewState, SelfState, version_of
from opentemis.evaluations.models import Cycle, Evaluation, Status
from opentemis.evaluations.printing import access as print_access
from opentemis.evidence import services as evidence_services
from opentemis.evidence.examples import examples_for
from opentemis.evidence.forms import upload_input_attrs, upload_limits_text
from opentemis.evidence.models import Evidence
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import ancestors, current_school_year, default_unit, get_unit_for_user
from opentemis.staff.selectors import heads_of
from opentemis.standards.models import Criterion, Framework
from opentemis.standards.rules import Level

logger = logging.getLogger(__name__)
LEVELS = [(level.code, level.label) for level in Level]


def _db_down(request: HttpRequest) -> None:
    logger.exception("database error during an evaluation write")
    messages.error(
        request,
        _(
            "The server could not save right now (database unavailable). Nothing was changed: "
            "your previous draft is intact and what you typed is still on this page. "
            "Try again in a moment."
        ),
    )


def _criteria(evaluation: Evaluation) -> list[Criterion]:
    return list(evaluation.framework.criteria.select_related("standard").order_by("number"))


def _numbers(evaluation: Evaluation) -> list[int]:
    """Criterion numbers from the cached rule set: no query on the write paths."""
    return list(services.rule_set_for(evaluation.framework).criteria)


def _rating(framework: Framework, levels: dict[str, str]) -> dict[str, Any] | None:
    """The computed overall rating with its explanation, or None while levels are missing."""
    if not services.is_complete(framework, levels):
        return None
    result = services.rate_levels(framework, levels)
    return {
        "level": result.level,
        "explanation": result.explanation(),
        "citation": services.rule_set_for(framework).citation,
    }


def _current(conflict: services.ConflictError) -> Evaluation:
    """The record as the other save left it, to show beside what the actor typed."""
    current = conflict.current
    if not isinstance(current, Evaluation):  # never: the services raise it about an evaluation
        raise TypeError("a conflict on an evaluation carries the evaluation") from conflict
    return current


def _links_by_criterion(evaluation: Evaluation) -> dict[int, list[Evidence]]:
    links: dict[int, list[Evidence]] = {}
    for link in evaluation.links.select_related("evidence", "evidence__stored_file"):
        links.setdefault(link.criterion, []).append(link.evidence)
    return links


# --- home and the person's own evaluation ---------------------------------------------------


@login_required
def evaluation_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    person = user.person
    cycle = selectors.own_cycle(actor=user)
    mine = selectors.evaluation_of(actor=user, cycle=cycle) if cycle else None
    perms = actor_perms(user)
    review_units: list[Unit] = []
    if Perm.REVIEW_TEACHERS in perms:
        paths = perm_paths(user, Perm.REVIEW_TEACHERS) or ()
        review_units = list(Unit.objects.filter(path__in=paths, kind__in=["school", "gdtx_centre"]))
    context = {
        "cycle": cycle,
        "mine": mine,
        "rating": _rating(mine.framework, mine.review_levels)
        if mine and access.sees_review(user, mine)
        else None,
        "in_group": bool(person and person.subject_group_id),
        "review_units": review_units,
        "managers": selectors.managers_to_review(actor=user, cycle=cycle)
        if cycle and Perm.REVIEW_MANAGERS in perms
        else [],
        "cycles": list(selectors.cycles_visible(actor=user)[:50])
        if Perm.VIEW_EVALUATIONS in perms
        else [],
        "can_open": Perm.MANAGE_CYCLES in perms,
        "poll": _poll_for(user, cycle) if cycle else None,
    }
    return render(request, "evaluations/home.html", context)


def _poll_for(user: User, cycle: Cycle) -> list[Evaluation]:
    """Managers of the user's school whose poll the user may answer."""
    return list(
        selectors.poll_candidates(actor=user)
        .filter(cycle=cycle)
        .select_related("person")
        .prefetch_related("person__positions")
    )


@login_required
def evaluation_me(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own evaluation in the cycle that covers them: continue it, or start it.

    Only a POST starts one (the "Start my self-evaluation" button); opening the address shows
    that button, so a link, a prefetch or a crawler never creates an evaluation.
    """
    person = request.user.person
    cycle = selectors.own_cycle(actor=request.user)  # None without a staff record too
    if person is None or cycle is None:
        messages.info(request, _("No evaluation cycle covers your unit at the moment."))
        return redirect("evaluation_home")
    if request.method == "POST":
        try:
            evaluation = services.evaluation_start(actor=request.user, cycle=cycle, person=person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("evaluation_home")
    else:
        found = selectors.evaluation_of(actor=request.user, cycle=cycle)
        if found is None:
            return render(request, "evaluations/start.html", {"cycle": cycle})
        evaluation = found
    if evaluation.status in (Status.DRAFT, Status.RETURNED):
        return redirect("evaluation_self", pk=evaluation.pk)
    return redirect("evaluation_detail", pk=evaluation.pk)


def _self_context(
    request: HttpRequest,
    evaluation: Evaluation,
    state: SelfState,
    conflict: services.ConflictError | None = None,
    missing: services.SelfMissing | None = None,
) -> dict[str, Any]:
    criteria = _criteria(evaluation)
    results = request.session.pop(EVIDENCE_RESULT_KEY, None) if request.method == "GET" else None
    return {
        "evaluation": evaluation,
        "criteria": criteria,
        "state": state,
        "levels": LEVELS,
        "rating": _rating(evaluation.framework, state.levels),
        "links": _links_by_criterion(evaluation),
        "examples": {c.number: examples_for(evaluation.framework.code, c.number) for c in criteria},
        "library": _library(evaluation),
        "conflict": conflict,
        "text_fields": _text_fields(),
        "required_texts": services.REQUIRED_TEXT_FIELDS,
        "key_numbers": ", ".join(str(c.number) for c in criteria if c.is_key),
        "incomplete": missing,  # ("missing" is the rating partial's count of criteria left)
        "missing_labels": _missing_labels(missing),
        "evidence_result": results or {},
        **_upload_context(),
    }


def _library(evaluation: Evaluation) -> list[Evidence]:
    return list(
        evaluation.person.evidence_items.select_related("stored_file").order_by("-created_at")[:200]
    )


def _upload_context() -> dict[str, Any]:
    """The evidence file inputs' limits, from the evidence app's one source of truth."""
    return {"upload_attrs": flatatt(upload_input_attrs()), "upload_limits": upload_limits_text()}


def _missing_labels(missing: services.SelfMissing | None) -> list[tuple[str, str]]:
    """(element id, label) of each missing part, for the summary's links."""
    if not missing:
        return []
    labels = [(f"c{n}", _("Criterion %(n)s") % {"n": n}) for n in missing.criteria]
    labels += [(name, str(services.TEXT_FIELD_LABELS[name])) for name in missing.texts]
    return labels


def _text_fields() -> list[tuple[str, str]]:
    return [(name, str(label)) for name, label in services.TEXT_FIELD_LABELS.items()]


@completes_work
@login_required
def evaluation_self(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """BM1: the self-evaluation form. POST with ``action=submit`` submits, else saves."""
    evaluation = selectors.get_evaluation_for_user(
        actor=request.user, pk=pk, for_write=request.method == "POST"
    )
    if not access.is_own(request.user, evaluation):
        raise Http404
    if not evaluation.self_editable:
        return redirect("evaluation_detail", pk=pk)
    if request.method != "POST":
        state = SelfState.from_evaluation(evaluation)
        return render(request, "evaluations/self.html", _self_context(request, evaluation, state))
    numbers = _numbers(evaluation)
    state = SelfState.from_post(request.POST, numbers)
    submit = request.POST.get("action") == "submit"
    service = services.evaluation_submit if submit else services.evaluation_save_draft
    try:
        service(
            actor=request.user,
            evaluation=evaluation,
            version=version_of(request.POST),
            **state.as_kwargs(),
        )
    except services.ConflictError as exc:
        context = _self_context(request, _current(exc), state, conflict=exc)
        return render(request, "evaluations/self.html", context, status=409)
    except ValidationError as exc:
        missing = (
            services.self_missing(evaluation.framework, levels=state.levels, texts=state.texts)
            if submit
            else None
        )
        if not missing:
            messages.error(request, " ".join(exc.messages))
        context = _self_context(request, evaluation, state, missing=missing)
        return render(request, "evaluations/self.html", context, status=400)
    except DatabaseError:
        _db_down(request)
        context = _self_context(request, evaluation, state)
        return mark_unavailable(render(request, "evaluations/self.html", context, status=503))
    if submit:
        messages.success(request, _("Your self-evaluation has been submitted."))
        return redirect("evaluation_detail", pk=pk)
    messages.success(request, _("Draft saved."))
    return redirect("evaluation_self", pk=pk)


@login_required
@require_POST
def evaluation_autosave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """HTMX autosave of the BM1 draft; answers a small status partial.

    The status says whether it was saved (200) or not (409 stale, 400 refused, 503 database):
    the browser keeps its copy of the draft until a 2xx (static/js/drafts.js).
    """
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk, for_write=True)
    numbers = _numbers(evaluation)
    state = SelfState.from_post(request.POST, numbers)
    context: dict[str, Any] = {"evaluation": evaluation}
    status = 200
    try:
        services.evaluation_save_draft(
            actor=request.user,
            evaluation=evaluation,
            version=version_of(request.POST),
            **state.as_kwargs(),
        )
        context["saved"] = True
    except services.ConflictError as exc:
        context.update(conflict=exc, evaluation=exc.current)
        status = 409
    except (ValidationError, PermissionDenied) as exc:
        context["error"] = " ".join(getattr(exc, "messages", [_("Not allowed.")]))
        status = 400
    except DatabaseError:
        logger.exception("autosave failed")
        context["error"] = _("Not saved: the server is unavailable. Your typing is kept here.")
        status = 503
    context["rating"] = _rating(evaluation.framework, state.levels)
    return render(request, "evaluations/_save_status.html", context, status=status)


EVIDENCE_RESULT_KEY = "evaluation_evidence_result"


@login_required
@require_POST
def evaluation_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Attach evidence to the criterion of the card it was chosen in: a new upload, a link, or
    an item of the library; or remove one. The result is shown in that card, beside the file
    input; nothing else of the page is touched (levels chosen meanwhile stay as they are)."""
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk, for_write=True)
    if not access.is_own(request.user, evaluation):
        raise Http404
    raw = request.POST.get("criterion", "")
    result = _evidence_change(request, evaluation, raw)
    number = parse_positive_int(raw) or 0
    if not any(c.number == number for c in _criteria(evaluation)):
        # No such card (a forged request): say it on the page, nothing was stored.
        if request.htmx:
            return HttpResponse(result["text"], status=400)
        messages.error(request, result["text"])
        return redirect("evaluation_self", pk=pk)
    if request.htmx:
        context = _evidence_box_context(evaluation, number, result)
        return render(request, "evaluations/_evidence_box.html", context)
    # Without JavaScript: back to the card, whose box shows the result (not the page's top).
    request.session[EVIDENCE_RESULT_KEY] = {str(number): result}
    return redirect(reverse("evaluation_self", args=[pk]) + f"#c{number}")


def _evidence_change(
    request: AuthenticatedRequest, evaluation: Evaluation, raw: str
) -> dict[str, str]:
    """Attach or remove; the outcome as ``{"level": "success" | "error", "text": ...}``."""
    try:
        # Checked before anything is stored: a file never lands under a foreign criterion.
        criterion = services.criterion_number(evaluation, raw)
        if request.POST.get("remove"):
            remove = parse_positive_int(request.POST["remove"])
            item = evaluation.person.evidence_items.filter(pk=remove).first() if remove else None
            if item is None:
                raise Http404
            services.evidence_detach(
                actor=request.user, evaluation=evaluation, criterion=criterion, evidence=item
            )
            return {"level": "success", "text": _("Removed: “%(title)s”.") % {"title": item.title}}
        # One transaction: a file whose citing is refused (the form was submitted meanwhile)
        # does not stay behind in the library.
        with transaction.atomic():
            item = _evidence_item(request, evaluation)
            services.evidence_attach(
                actor=request.user, evaluation=evaluation, criterion=criterion, evidence=item
            )
        text = _("Attached to criterion %(n)s: “%(title)s”.") % {
            "n": criterion,
            "title": item.title,
        }
        return {"level": "success", "text": text}
    except (ValidationError, PermissionDenied) as exc:
        return {"level": "error", "text": " ".join(getattr(exc, "messages", [_("Not allowed.")]))}
    except DatabaseError:
        logger.exception("evidence attach failed")
        return {"level": "error", "text": _("Not saved: the server is unavailable.")}


def _evidence_box_context(
    evaluation: Evaluation, number: int, result: dict[str, str]
) -> dict[str, Any]:
    criterion = next(c for c in _criteria(evaluation) if c.number == number)
    return {
        "evaluation": evaluation,
        "c": criterion,
        "links": _links_by_criterion(evaluation),
        "library": _library(evaluation),
        "evidence_result": {str(number): result},
        **_upload_context(),
    }


def _evidence_item(request: AuthenticatedRequest, evaluation: Evaluation) -> Evidence:
    title = request.POST.get("title", "").strip()
    upload = request.FILES.get("file")
    if upload:
        return evidence_services.evidence_upload(
            actor=request.user,
            owner=evaluation.person,
            uploaded_file=upload,
            title=title or upload.name or "",
            school_year=evaluation.cycle.school_year,
        )
    if request.POST.get("url"):
        return evidence_services.evidence_add_link(
            actor=request.user,
            owner=evaluation.person,
            url=request.POST["url"].strip(),
            title=title or request.POST["url"].strip(),
        )
    item_id = parse_positive_int(request.POST.get("item"))
    item = evaluation.person.evidence_items.filter(pk=item_id).first() if item_id else None
    if item is None:
        raise ValidationError(_("Choose a file, a link or an item of your evidence library."))
    return item


# --- the record, the result and its explanation --------------------------------------------


@login_required
def evaluation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk)
    is_self = access.is_own(request.user, evaluation)
    sees_review = access.sees_review(request.user, evaluation)
    context = {
        "evaluation": evaluation,
        "rows": _rows(evaluation),
        "self_rating": _rating(evaluation.framework, evaluation.self_levels),
        "final_rating": _rating(evaluation.framework, evaluation.review_levels)
        if sees_review and evaluation.review_levels
        else None,
        "is_self": is_self,
        # The buttons: the one answer the API returns and the services enforce.
        "actions": access.allowed_actions(request.user, evaluation),
        "may_print_result": print_access.may_print_result(request.user, evaluation),
        "needs": list(evaluation.needs.all()) if evaluation.is_locked else [],
        "poll": services.poll_results(evaluation)
        if evaluation.kind == "manager" and not is_self
        else None,
        "opinions": selectors.opinion_summary(evaluation) if sees_review else None,
        "history": AuditEvent.objects.filter(
            object_type="evaluations.evaluation", object_id=str(evaluation.pk)
        ).exclude(action="evaluation.draft")[:30],
    }
    return render(request, "evaluations/detail.html", context)


def _rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    links = _links_by_criterion(evaluation)
    rows = []
    for criterion in _criteria(evaluation):
        key = str(criterion.number)
        rows.append(
            {
                "criterion": criterion,
                "self": evaluation.self_levels.get(key, ""),
                "note": evaluation.self_notes.get(key, ""),
                "review": evaluation.review_levels.get(key, ""),
                "comment": evaluation.review_comments.get(key, ""),
                "evidence": links.get(criterion.number, []),
            }
        )
    return rows


# A step without a form (acknowledge, reopen) that met a save made meanwhile: the detail page
# it returns to shows the record as it is now.
STALE = gettext_lazy("Not saved: this record was changed by someone else after you opened it.")


@login_required
@require_POST
def evaluation_acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk, for_write=True)
    try:
        services.evaluation_acknowledge(actor=request.user, evaluation=evaluation)
        messages.success(request, _("You have acknowledged the result."))
    except services.ConflictError:
        messages.error(request, STALE)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
    except DatabaseError:
        _db_down(request)
    return redirect("evaluation_detail", pk=pk)


@login_required
@require_POST
def evaluation_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk, for_write=True)
    try:
        services.evaluation_reopen(
            actor=request.user, evaluation=evaluation, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The evaluation has been reopened for the reviewer."))
    except services.ConflictError:
        messages.error(request, STALE)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
    except DatabaseError:
        _db_down(request)
    return redirect("evaluation_detail", pk=pk)


# --- review ---------------------------------------------------------------------------------


def _review_context(
    evaluation: Evaluation,
    state: ReviewState,
    conflict: services.ConflictError | None = None,
    warning_refused: bool = False,
) -> dict[str, Any]:
    return {
        "finalise_warning": services.finalise_warning(evaluation),
        "warning_refused": warning_refused,
        "evaluation": evaluation,
        "rows": _rows(evaluation),
        "state": state,
        "levels": LEVELS,
        "rating": _rating(evaluation.framework, state.levels),
        "self_rating": _rating(evaluation.framework, evaluation.self_levels),
        "opinions": selectors.opinion_summary(evaluation),
        "poll": services.poll_results(evaluation) if evaluation.kind == "manager" else None,
        "conflict": conflict,
    }


@completes_work
@login_required
def evaluation_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The reviewer's page: levels and comments per criterion; save, return or finalise."""
    evaluation = selectors.get_evaluation_for_user(
        actor=request.user, pk=pk, for_write=request.method == "POST"
    )
    if not access.can_review(request.user, evaluation):
        raise Http404
    if not access.may(request.user, evaluation, Action.REVIEW):
        return redirect("evaluation_detail", pk=pk)  # not submitted, or the cycle is closed
    if request.method != "POST":
        state = ReviewState.from_evaluation(evaluation)
        return render(request, "evaluations/review.html", _review_context(evaluation, state))
    numbers = _numbers(evaluation)
    state = ReviewState.from_post(request.POST, numbers)
    action = request.POST.get("action", "save")
    version = version_of(request.POST)
    try:
        if action == "return":
            services.evaluation_return(
                actor=request.user,
                evaluation=evaluation,
                version=version,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Returned to the person for revision."))
        elif action == "finalise":
            services.evaluation_finalise(
                actor=request.user,
                evaluation=evaluation,
                version=version,
                acknowledge_no_opinions=request.POST.get("acknowledge_no_opinions") == "1",
                **state.as_kwargs(),
            )
            messages.success(request, _("The evaluation is finalised."))
        else:
            services.evaluation_review_save(
                actor=request.user, evaluation=evaluation, version=version, **state.as_kwargs()
            )
            messages.success(request, _("Review saved."))
            return redirect("evaluation_review", pk=pk)
    except services.ConflictError as exc:
        context = _review_context(_current(exc), state, conflict=exc)
        return render(request, "evaluations/review.html", context, status=409)
    except ValidationError as exc:
        # Not confirmed: the warning beside the button says it (not a message at the top).
        refused = "acknowledge_no_opinions" in getattr(exc, "error_dict", {})
        if not refused:
            messages.error(request, " ".join(exc.messages))
        context = _review_context(evaluation, state, warning_refused=refused)
        return render(request, "evaluations/review.html", context, status=400)
    except DatabaseError:
        _db_down(request)
        context = _review_context(evaluation, state)
        return mark_unavailable(render(request, "evaluations/review.html", context, status=503))
    return redirect("evaluation_detail", pk=pk)


@login_required
@require_POST
def rating_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """HTMX: the overall rating the chosen levels give, with the reasons, before saving."""
    evaluation = selectors.get_evaluation_for_user(actor=request.user, pk=pk, for_write=True)
    numbers = _numbers(evaluation)
    levels = {str(n): request.POST[f"level_{n}"] for n in numbers if request.POST.get(f"level_{n}")}
    try:
        levels = services.clean_levels(evaluation.framework, levels)
    except ValidationError:
        levels = {}
    context = {
        "rating": _rating(evaluation.framework, levels),
        "missing": len(numbers) - len(levels),
    }
    return render(request, "evaluations/_rating.html", context)


# --- school roster, colleagues' opinions, the principal poll --------------------------------


@login_required
def school_roster(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    unit = get_unit_for_user(actor=request.user, pk=unit_pk, perm=Perm.VIEW_UNITS)
    if not (
        has_perm_on(request.user, Perm.REVIEW_TEACHERS, unit.path)
        or has_perm_on(request.user, Perm.VIEW_EVALUATIONS, unit.path)
    ):
        raise Http404
    cycle = selectors.cycle_for_unit(
        actor=request.user, unit_path=unit.path, cycle_id=id_param(request.GET, "cycle")
    )
    rows = selectors.school_roster(actor=request.user, unit=unit, cycle=cycle) if cycle else []
    counts = {
        "total": len(rows),
        "submitted": sum(1 for r in rows if r.evaluation and r.evaluation.submitted_at),
        "finalised": sum(1 for r in rows if r.evaluation and r.evaluation.is_locked),
    }
    groups = list(unit.subject_groups.order_by("name")) if cycle else []
    context = {
        "unit": unit,
        "cycle": cycle,
        "rows": rows,
        "counts": counts,
        "groups": groups,
        "crumbs": ancestors(unit=unit),
    }
    return render(request, "evaluations/school.html", context)


@login_required
def group_opinions(request: AuthenticatedRequest) -> HttpResponse:
    """BM2: give an opinion on each colleague of the subject group; BM3 summary for leaders."""
    person = request.user.person
    cycle = selectors.own_cycle(actor=request.user)
    if person is None or cycle is None:  # (no staff record, no own cycle)
        raise Http404
    if request.method == "POST":
        evaluation = _colleague_evaluation(request, cycle)
        try:
            services.opinion_give(
                actor=request.user,
                evaluation=evaluation,
                level=request.POST.get("level", ""),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Opinion saved."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
        except DatabaseError:
            _db_down(request)
        return redirect("group_opinions")
    group = person.subject_group
    context = {
        "cycle": cycle,
        "group": group,
        # Outside any subject group there are no colleagues to give an opinion on: say so, and
        # whom to ask, rather than "no colleague has submitted yet".
        "heads": ", ".join(p.full_name for p in heads_of(person.unit)) if group is None else "",
        "colleagues": selectors.group_colleagues(actor=request.user, cycle=cycle),
        "levels": LEVELS,
        "summary": selectors.group_summary(actor=request.user, group=group, cycle=cycle)
        if group is not None and selectors.is_group_leader(request.user)
        else None,
    }
    return render(request, "evaluations/group.html", context)


def _colleague_evaluation(request: AuthenticatedRequest, cycle: Cycle) -> Evaluation:
    value = parse_positive_int(request.POST.get("evaluation"))
    evaluation = (
        Evaluation.objects.filter(pk=value, cycle=cycle).select_related("person", "cycle").first()
        if value
        else None
    )
    if evaluation is None or not access.can_give_opinion(request.user, evaluation):
        raise Http404
    return evaluation


@login_required
def poll(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The anonymous poll about a manager, for the school's teachers and staff."""
    evaluation = (
        Evaluation.objects.filter(pk=pk).select_related("person", "framework", "cycle").first()
    )
    if evaluation is None or not access.can_answer_poll(request.user, evaluation):
        raise Http404
    criteria = _criteria(evaluation)
    answered = selectors.poll_answered(actor=request.user, evaluation=evaluation)
    levels: dict[str, str] = {}
    if request.method == "POST" and not answered:
        levels = {
            str(c.number): request.POST[f"level_{c.number}"]
            for c in criteria
            if request.POST.get(f"level_{c.number}")
        }
        try:
            services.poll_answer(
                actor=request.user,
                evaluation=evaluation,
                levels=levels,
                overall=request.POST.get("overall", ""),
            )
            messages.success(request, _("Thank you. Your answer was recorded anonymously."))
            return redirect("evaluation_home")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
        except DatabaseError:
            _db_down(request)
    context = {
        "evaluation": evaluation,
        "criteria": criteria,
        "levels": LEVELS,
        "answered": answered,
        # What was ticked before a refusal, ticked again.
        "chosen": levels,
        "chosen_overall": request.POST.get("overall", ""),
    }
    return render(request, "evaluations/poll.html", context)


# --- cycles and completion ------------------------------------------------------------------


@login_required
def cycle_new(request: AuthenticatedRequest) -> HttpResponse:
    paths = perm_paths(request.user, Perm.MANAGE_CYCLES)
    if paths == ():
        raise Http404
    units = (
        Unit.objects.filter(path__in=paths)
        if paths is not None
        else Unit.objects.filter(depth__lte=2)
    )
    year = current_school_year()
    unit_id = id_param(request.POST, "unit") or id_param(request.GET, "unit")
    unit = (
        units.filter(pk=unit_id).first()
        if unit_id
        else default_unit(actor=request.user, perm=Perm.MANAGE_CYCLES)
    )
    if year is None or unit is None:
        messages.error(request, _("There is no current school year or unit to open a cycle for."))
        return redirect("evaluation_home")
    form = CycleForm(request.POST or None, initial=CycleForm.initial_for(year, unit))
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_open(
                actor=request.user, unit=unit, school_year=year, **form.cleaned_data
            )
            messages.success(request, _("The cycle is open."))
            return redirect("cycle_detail", pk=cycle.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
    context = {"form": form, "units": units[:50], "unit": unit, "year": year}
    return render(request, "evaluations/cycle_new.html", context)


@login_required
def cycle_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Live completion per child unit, drilling down from the cycle's root."""
    cycle = selectors.get_cycle_for_user(actor=request.user, pk=pk)
    unit = selectors.completion_unit(
        actor=request.user, cycle=cycle, unit_id=id_param(request.GET, "unit")
    )
    total, rows = selectors.completion(actor=request.user, cycle=cycle, unit=unit)
    context = {
        "cycle": cycle,
        "unit": unit,
        "total": total,
        "rows": rows,
        "crumbs": [a for a in ancestors(unit=unit) if a.path.startswith(cycle.unit_path)],
        "can_manage": has_perm_on(request.user, Perm.MANAGE_CYCLES, cycle.unit_path),
    }
    return render(request, "evaluations/cycle_detail.html", context)


@login_required
@require_POST
def cycle_finish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Finish the cycle, for the officers who manage it (the button on its page, with a
    confirmation): nothing in it changes any more and the standards it used are locked
    (decision 0005). Anyone else gets 404, as for a missing cycle."""
    cycle = selectors.get_cycle_for_user(actor=request.user, pk=pk)
    if not has_perm_on(request.user, Perm.MANAGE_CYCLES, cycle.unit_path):
        raise Http404
    try:
        services.cycle_finish(actor=request.user, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The cycle is finished; the standards it used are locked."))
    return redirect("cycle_detail", pk=cycle.pk)
