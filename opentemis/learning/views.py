"""Course pages under /learn/ (issue 13 items 1, 7, 8).

* ``learn/``: "Khóa học của tôi", the signed-in person's courses with progress and deadlines;
* ``learn/courses/<pk>/``: a course as its learner sees it: sections, each activity's state,
  what is still missing, the deadline (an officer who manages it sees a preview);
* ``learn/activities/<pk>/``: an activity, sent to its kind's page;
* ``learn/manage/``: the courses an officer offers or reads, and a new course;
* ``learn/courses/<pk>/manage/``: the builder: settings, audience, sections and activities,
  staggered deadlines, graders, opening, the module package;
* ``learn/courses/<pk>/progress/``: who of a unit's subtree started, completed, is stuck where.

Every write goes through ``learning.services``; refusals come back as messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, perm_paths
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.http import file_response
from opentemis.core.params import parse_positive_int
from opentemis.core.replicas import reads_from_replica
from opentemis.learning import access, kinds, selectors, services, transfer
from opentemis.learning.forms import (
    ActivityForm,
    AudienceForm,
    CourseForm,
    DeadlineForm,
    GraderForm,
    ImportForm,
    SectionForm,
    SettingsForm,
)
from opentemis.learning.models import Activity, Course, CourseStatus
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import requested_school_year
from opentemis.training.models import Module


def _problems(request: AuthenticatedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_problems(request: AuthenticatedRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


# --- the learner ------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    cards = selectors.my_courses(actor=request.user)
    return render(
        request,
        "learning/mine.html",
        {
            "cards": cards,
            "offers": bool(perm_paths(request.user, Perm.MANAGE_COURSES))
            or bool(perm_paths(request.user, Perm.VIEW_LEARNING)),
        },
    )


@login_required
@require_GET
def course(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = access.own_enrolment(request.user, pk)
    # Not enrolled: the officer's preview, or a 404.
    found = enrolment.course if enrolment else access.managed_course(request.user, pk)
    view = selectors.outline(course=found, enrolment=enrolment)
    return render(
        request,
        "learning/course.html",
        {"outline": view, "course": found, "preview": enrolment is None},
    )


@login_required
@require_GET
def activity(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An activity, sent to its kind's page (the learner's, or the builder's for an officer)."""
    found = Activity.objects.filter(pk=parse_positive_int(pk) or 0).select_related("course").first()
    if found is None:
        raise Http404
    if access.own_enrolment(request.user, found.course_id) is not None:
        url = kinds.learner_url(found.kind, found.pk)
    elif access.manages_course(request.user, found.course):
        url = kinds.manage_url(found.kind, found.pk) or kinds.learner_url(found.kind, found.pk)
    else:
        raise Http404
    if not url:
        messages.info(request, _("This kind of activity cannot be opened here yet."))
        return redirect("learning_course", found.course_id)
    return redirect(url)


# --- officers ---------------------------------------------------------------------------------


def _offering_units(user: User) -> list[Unit]:
    """The units where the actor may offer a course (``learning.manage``), highest first."""
    paths = perm_paths(user, Perm.MANAGE_COURSES)
    qs: QuerySet[Unit] = Unit.objects.all()
    if paths is None:
        return list(qs.filter(depth=1).order_by("name"))
    if not paths:
        return []
    return list(qs.filter(path__in=paths).order_by("depth", "name"))


def _posted_unit(request: AuthenticatedRequest) -> Unit | None:
    """The offering unit a form posted: one where the actor offers courses (404 for someone
    who offers none; ``None``, with a message, for a missing or foreign choice)."""
    units = {str(u.pk): u for u in _offering_units(request.user)}
    if not units:
        raise Http404
    unit = units.get(request.POST.get("unit", ""))
    if unit is None:
        messages.error(request, _("Choose the unit that offers the course."))
    return unit


def _modules(year_id: int) -> list[tuple[str, str]]:
    return [
        (str(m.pk), f"{m.code} · {m.title}"[:120])
        for m in Module.objects.filter(catalogue__school_year_id=year_id)
        .select_related("catalogue")
        .order_by("catalogue__code", "position")
    ]


@login_required
@require_GET
def courses(request: AuthenticatedRequest) -> HttpResponse:
    year = requested_school_year(request)
    units = _offering_units(request.user)
    found = selectors.courses_for(actor=request.user, school_year_id=year.pk)
    if not units and not found and not perm_paths(request.user, Perm.VIEW_LEARNING):
        raise Http404
    return render(
        request,
        "learning/courses.html",
        {
            "year": year,
            "courses": found,
            "managed": {c.pk for c in found if access.manages_course(request.user, c)},
            "units": units,
            "form": CourseForm(modules=_modules(year.pk), initial={"programme": "03"})
            if units
            else None,
        },
    )


@login_required
@require_POST
def course_create(request: AuthenticatedRequest) -> HttpResponse:
    year = requested_school_year(request)
    unit = _posted_unit(request)
    if unit is None:
        return redirect(f"{reverse('learning_courses')}?year={year.code}")
    form = CourseForm(request.POST, modules=_modules(year.pk))
    if not form.is_valid():
        _form_problems(request, form)
        return redirect(f"{reverse('learning_courses')}?year={year.code}")
    data = form.cleaned_data
    module = (
        Module.objects.filter(pk=data["module"], catalogue__school_year=year).first()
        if data["module"]
        else None
    )
    try:
        created = services.course_create(
            actor=request.user,
            unit=unit,
            school_year=year,
            title=data["title"],
            code=data["code"],
            programme=data["programme"],
            hours=data["hours"],
            module=module,
            wave=data["wave"],
            starts=data["starts"],
            due=data["due"],
        )
    except ValidationError as exc:
        _problems(request, exc)
        return redirect(f"{reverse('learning_courses')}?year={year.code}")
    messages.success(request, _("Course created. Add its sections and activities, then open it."))
    return redirect("learning_course_manage", created.pk)


def _children(course: Course) -> list[Unit]:
    unit = course.unit
    return list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("name")
    )


def _manage_context(request: AuthenticatedRequest, course: Course) -> dict[str, Any]:
    sections = list(course.sections.all())
    view = selectors.outline(course=course, enrolment=None)
    activities = [
        (str(line.activity.pk), line.activity.title)
        for section in view.sections
        for line in section.lines
    ]
    children = _children(course)
    rule = course.audience or {}
    return {
        "course": course,
        "outline": view,
        "kinds": kinds.registered(),
        "settings_form": SettingsForm(
            initial={
                "title": course.title,
                "summary": course.summary,
                "hours": course.hours,
                "starts": course.starts,
                "due": course.due,
                "aggregation": (course.completion_rule or {}).get("aggregation", "all"),
            }
        ),
        "audience_form": AudienceForm(
            units=children,
            initial={
                "units": [str(u) for u in rule.get("units", [])],
                "levels": rule.get("levels", []),
                "positions": rule.get("positions", []),
                "subjects": rule.get("subjects", []),
                "from_plans": rule.get("from_plans", False),
            },
        ),
        "section_form": SectionForm(),
        "activity_form": ActivityForm(sections=sections, activities=activities)
        if sections
        else None,
        "deadline_form": DeadlineForm(units=children) if children else None,
        "deadlines": course.deadlines.select_related("unit").order_by("unit__name"),
        "grader_form": GraderForm(units=children),
        "graders": course.graders.select_related("user", "unit").order_by("user__username"),
        "import_form": ImportForm(),
        "enrolled": course.enrolments.count(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def course_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.course_update(
                    actor=request.user,
                    course=found,
                    title=data["title"],
                    summary=data["summary"],
                    hours=data["hours"],
                    starts=data["starts"],
                    due=data["due"],
                    completion_rule={"aggregation": data["aggregation"]},
                )
            except ValidationError as exc:
                _problems(request, exc)
            else:
                messages.success(request, _("Saved."))
        else:
            _form_problems(request, form)
        return redirect("learning_course_manage", found.pk)
    return render(request, "learning/manage.html", _manage_context(request, found))


@login_required
@require_POST
def course_audience(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    form = AudienceForm(request.POST, units=_children(found))
    if form.is_valid():
        data = form.cleaned_data
        services.course_update(
            actor=request.user,
            course=found,
            audience={
                "units": data["units"],
                "levels": data["levels"],
                "positions": data["positions"],
                "subjects": data["subjects"],
                "from_plans": data["from_plans"],
            },
        )
        if found.status == CourseStatus.OPEN:
            counts = services.enrol_sync(course=found)
            messages.success(
                request,
                _("Audience saved: %(added)s enrolled, %(left)s no longer in it.") % counts,
            )
        else:
            messages.success(
                request, _("Audience saved: learners are enrolled when the course opens.")
            )
    else:
        messages.error(request, _("Check the audience."))
    return redirect("learning_course_manage", found.pk)


@login_required
@require_POST
def section_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_add(actor=request.user, course=found, title=form.cleaned_data["title"])
        except ValidationError as exc:
            _problems(request, exc)
    else:
        messages.error(request, _("Enter a title."))
    return redirect(f"{reverse('learning_course_manage', args=[found.pk])}#sections")


@login_required
@require_POST
def activity_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    sections = list(found.sections.all())
    existing = list(found.activities.all())
    form = ActivityForm(
        request.POST,
        sections=sections,
        activities=[(str(a.pk), a.title) for a in existing],
    )
    if not form.is_valid():
        _form_problems(request, form)
        return redirect(f"{reverse('learning_course_manage', args=[found.pk])}#sections")
    data = form.cleaned_data
    section = next(s for s in sections if str(s.pk) == data["section"])
    try:
        created = services.activity_add(
            actor=request.user,
            section=section,
            kind=data["kind"],
            title=data["title"],
            required=data["required"],
            pass_required=data["pass_required"],
            prerequisites=[a for a in existing if str(a.pk) in set(data["after"])],
        )
    except ValidationError as exc:
        _problems(request, exc)
        return redirect(f"{reverse('learning_course_manage', args=[found.pk])}#sections")
    url = kinds.manage_url(created.kind, created.pk)
    messages.success(request, _("Activity added."))
    return redirect(url or f"{reverse('learning_course_manage', args=[found.pk])}#sections")


@login_required
@require_POST
def course_state(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Open or close the course."""
    found = access.managed_course(request.user, pk)
    try:
        if request.POST.get("state") == "open":
            services.course_open(actor=request.user, course=found)
            messages.success(request, _("The course is open: its audience is being enrolled."))
        elif request.POST.get("state") == "close":
            services.course_close(actor=request.user, course=found)
            messages.success(request, _("The course is closed."))
    except ValidationError as exc:
        _problems(request, exc)
    return redirect("learning_course_manage", found.pk)


@login_required
@require_POST
def course_sync(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    if found.status != CourseStatus.OPEN:
        messages.error(request, _("Open the course first."))
    else:
        counts = services.enrol_sync(course=found)
        messages.success(
            request,
            _("Enrolment updated: %(added)s enrolled, %(left)s left the audience, %(back)s back.")
            % counts,
        )
    return redirect("learning_course_manage", found.pk)


@login_required
@require_POST
def course_deadline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    units = _children(found)
    form = DeadlineForm(request.POST, units=units)
    if form.is_valid():
        unit = next(u for u in units if str(u.pk) == form.cleaned_data["unit"])
        due: dt.date | None = form.cleaned_data["due"]
        try:
            services.deadline_set(actor=request.user, course=found, unit=unit, due=due)
        except ValidationError as exc:
            _problems(request, exc)
        else:
            messages.success(request, _("Deadline saved."))
    else:
        messages.error(request, _("Check the deadline."))
    return redirect(f"{reverse('learning_course_manage', args=[found.pk])}#deadlines")


@login_required
@require_POST
def course_grader(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    units = _children(found)
    form = GraderForm(request.POST, units=units)
    if form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        unit = next((u for u in units if str(u.pk) == form.cleaned_data["unit"]), None)
        if user is None or (
            user.person_id is None and not has_perm_on(user, Perm.MANAGE_COURSES, found.unit_path)
        ):
            messages.error(request, _("No such account."))
        else:
            try:
                services.grader_set(actor=request.user, course=found, user=user, unit=unit)
            except ValidationError as exc:
                _problems(request, exc)
            else:
                messages.success(request, _("Grader saved."))
    else:
        messages.error(request, _("Check the grader."))
    return redirect(f"{reverse('learning_course_manage', args=[found.pk])}#graders")


@login_required
@require_GET
def course_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.managed_course(request.user, pk)
    content = transfer.export_course(found)
    return file_response(
        content, filename=f"{found.code}-module.zip", content_type="application/zip"
    )


@login_required
@require_POST
def course_import(request: AuthenticatedRequest) -> HttpResponse:
    year = requested_school_year(request)
    unit = _posted_unit(request)
    if unit is None:
        return redirect(f"{reverse('learning_courses')}?year={year.code}")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a module package (.zip)."))
        return redirect(f"{reverse('learning_courses')}?year={year.code}")
    try:
        created = transfer.import_course(
            actor=request.user, unit=unit, school_year=year, upload=form.cleaned_data["package"]
        )
    except ValidationError as exc:
        _problems(request, exc)
        return redirect(f"{reverse('learning_courses')}?year={year.code}")
    messages.success(request, _("Module loaded as a new course being prepared."))
    return redirect("learning_course_manage", created.pk)


@login_required
@require_GET
@reads_from_replica
def course_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = access.read_course(request.user, pk)
    unit_pk = parse_positive_int(request.GET.get("unit"))
    if request.GET.get("unit") and unit_pk is None:
        raise Http404
    unit = selectors.progress_unit(actor=request.user, course=found, unit_pk=unit_pk)
    report = selectors.course_progress(actor=request.user, course=found, unit=unit)
    return render(request, "learning/progress.html", {"course": found, "report": report})
