"""Pages of face-to-face classes, under /learn/classes/ (issue 13 item 6). Built for a phone:
the roll call is a list of big buttons saved per tap (HTMX), the learner's page a single field
for the code.

* ``<activity>/``: the learner's sessions, their attendance and share, the code to enter;
* ``<activity>/manage/``: officers set the class up (unit of the roster, threshold, sessions),
  fill the roster and close the class; lecturers and graders see the sessions to take;
* ``<activity>/results/`` (and ``.xlsx``): each learner's sessions, share, met or not;
* ``sessions/<session>/``: the roll call; ``.../mark/`` saves one tap; ``.../code/`` opens a
  6-digit code for the window.

Access: ``learning.access.learner_activity`` (learners), ``classes.access`` (takers). Refusals
come back as messages (or a 400 with the message for HTMX).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opentemis.accounts.models import User
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.classes import access, selectors, services
from opentemis.classes.models import AttendanceStatus, ClassStatus, FaceClass
from opentemis.classes.xlsx_export import results_workbook
from opentemis.core.http import xlsx_response
from opentemis.core.params import parse_positive_int
from opentemis.core.scoping import system_scope
from opentemis.core.widgets import NativeDateInput
from opentemis.learning.access import learner_activity, manages_course
from opentemis.learning.models import CourseGrader, Enrolment
from opentemis.orgs.models import Unit


class SessionForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=NativeDateInput)
    starts = forms.TimeField(
        label=gettext_lazy("Starts"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    ends = forms.TimeField(
        label=gettext_lazy("Ends"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=255, required=False)
    lecturer = forms.TypedChoiceField(
        label=gettext_lazy("Lecturer (account)"), required=False, coerce=int, empty_value=None
    )
    lecturer_name = forms.CharField(
        label=gettext_lazy("Lecturer (name)"), max_length=255, required=False
    )
    periods = forms.CharField(
        label=gettext_lazy("Periods (tiết)"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, lecturers: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lecturer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [
            (u.pk, u.get_full_name() or u.get_username()) for u in lecturers or []
        ]


class SettingsForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Roster: learners of"), required=False, coerce=int, empty_value=None
    )
    attendance_min = forms.CharField(
        label=gettext_lazy("Attendance threshold (%; empty: the school year's)"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    code_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes a code stays valid"), min_value=1, max_value=120
    )

    def __init__(self, *args: Any, units: list[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("The whole course"))] + [(u.pk, u.name) for u in units or []]


def _lecturers(face_class: FaceClass, actor: User) -> list[User]:
    """Who may be named lecturer of a session: the course's graders and the officer."""
    ids = set(
        CourseGrader.objects.filter(course=face_class.activity.course).values_list(
            "user_id", flat=True
        )
    )
    ids.add(actor.pk)
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def _units(face_class: FaceClass) -> list[Unit]:
    """The course's unit and the two levels below it (a province's communes...)."""
    course = face_class.activity.course
    depth = len(course.unit_path)
    return [
        u
        for u in Unit.objects.filter(path__startswith=course.unit_path).order_by("path")[:300]
        if len(u.path) <= depth + 8
    ]


def _error(request: AuthenticatedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the learner ------------------------------------------------------------------------------


@login_required
@require_GET
def class_learn(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = learner_activity(request.user, pk)
    face_class = FaceClass.objects.filter(activity=activity).first()
    mine = None
    if face_class is not None:
        face_class.activity = activity
        mine = selectors.mine(face_class, enrolment)
    return render(
        request,
        "classes/learn.html",
        {"activity": activity, "course": activity.course, "face_class": face_class, "mine": mine},
    )


@login_required
@require_POST
def class_code_enter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity, enrolment = learner_activity(request.user, pk)
    face_class = FaceClass.objects.filter(activity=activity).first()
    if face_class is None:
        raise Http404
    face_class.activity = activity
    try:
        services.code_enter(
            face_class=face_class, enrolment=enrolment, code=request.POST.get("code", "")
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Your attendance is recorded."))
    return redirect("class_learn", pk=pk)


# --- officers, lecturers, graders -------------------------------------------------------------


@login_required
@require_GET
def class_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class, _paths = access.taker_class(request.user, pk)
    manager = manages_course(request.user, face_class.activity.course)
    context: dict[str, Any] = {
        "face_class": face_class,
        "activity": face_class.activity,
        "course": face_class.activity.course,
        "sessions": selectors.sessions(face_class),
        "manager": manager,
        "threshold": services.threshold(face_class),
        "closed": face_class.status == ClassStatus.CLOSED,
    }
    if manager:
        context["members"] = face_class.members.count()  # the officer's own subtree
        context["session_form"] = SessionForm(lecturers=_lecturers(face_class, request.user))
        context["settings_form"] = SettingsForm(
            units=_units(face_class),
            initial={
                "unit": face_class.unit_id,
                "attendance_min": f"{face_class.attendance_min * 100:.0f}"
                if face_class.attendance_min is not None
                else "",
                "code_minutes": face_class.code_minutes,
            },
        )
    return render(request, "classes/manage.html", context)


@login_required
@require_POST
def class_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class = access.managed_class(request.user, pk)
    units = _units(face_class)
    form = SettingsForm(request.POST, units=units)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("class_manage", pk=pk)
    unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
    try:
        services.class_update(
            actor=request.user,
            face_class=face_class,
            unit=unit,
            attendance_min=form.cleaned_data["attendance_min"],
            code_minutes=form.cleaned_data["code_minutes"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The class's settings are saved."))
    return redirect("class_manage", pk=pk)


@login_required
@require_POST
def class_roster_fill(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class = access.managed_class(request.user, pk)
    try:
        added = services.roster_fill(actor=request.user, face_class=face_class)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("%(n)s learners added to the roster.") % {"n": added})
    return redirect("class_manage", pk=pk)


@login_required
@require_POST
def class_session_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class = access.managed_class(request.user, pk)
    lecturers = _lecturers(face_class, request.user)
    form = SessionForm(request.POST, lecturers=lecturers)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("class_manage", pk=pk)
    data = form.cleaned_data
    try:
        services.session_add(
            actor=request.user,
            face_class=face_class,
            date=data["date"],
            starts=data["starts"],
            ends=data["ends"],
            place=data["place"],
            lecturer=next((u for u in lecturers if u.pk == data["lecturer"]), None),
            lecturer_name=data["lecturer_name"],
            periods=data["periods"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The session is added."))
    return redirect("class_manage", pk=pk)


@login_required
@require_POST
def class_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class = access.managed_class(request.user, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm closing the class."))
        return redirect("class_manage", pk=pk)
    try:
        posted = services.class_close(actor=request.user, face_class=face_class)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("The class is closed; attended hours were posted for %(n)s learners.")
            % {"n": posted},
        )
    return redirect("class_manage", pk=pk)


@login_required
@require_GET
def class_results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class, paths = access.taker_class(request.user, pk)
    data = selectors.results(face_class, paths)
    return render(
        request,
        "classes/results.html",
        {
            "face_class": face_class,
            "activity": face_class.activity,
            "course": face_class.activity.course,
            "results": data,
            "met": sum(1 for r in data.rows if r.met),
        },
    )


@login_required
@require_GET
def class_results_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    face_class, paths = access.taker_class(request.user, pk)
    data = selectors.results(face_class, paths)
    course = face_class.activity.course
    content = results_workbook(f"{course.title} · {face_class.activity.title}", data)
    return xlsx_response(content, f"ket-qua-lop-{face_class.activity_id}.xlsx")


@login_required
@require_GET
def class_rollcall(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session, paths = access.taker_session(request.user, pk)
    face_class = session.face_class
    return render(
        request,
        "classes/rollcall.html",
        {
            "session": session,
            "face_class": face_class,
            "activity": face_class.activity,
            "course": face_class.activity.course,
            "rows": selectors.roll_call(session, paths),
            "code_open": services.code_is_open(session),
            "may_open_code": paths is None and not session.cancelled,
            "closed": face_class.status == ClassStatus.CLOSED or session.cancelled,
            "class_closed": face_class.status == ClassStatus.CLOSED,
            "statuses": AttendanceStatus.choices,
        },
    )


@login_required
@require_POST
def class_rollcall_mark(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One tap of the roll call: saves the mark and answers the member's row (HTMX), or goes
    back to the page (without JavaScript)."""
    session, paths = access.taker_session(request.user, pk)
    enrolment_id = parse_positive_int(request.POST.get("enrolment"))
    with system_scope():  # the taker may take learners outside their scope (classes.access)
        enrolment = (
            Enrolment.objects.filter(pk=enrolment_id, course=session.face_class.activity.course)
            .select_related("person")
            .first()
            if enrolment_id
            else None
        )
    try:
        if enrolment is None or not access.within(enrolment.unit_path, paths):
            raise ValidationError(_("Choose a learner of the roster."))
        services.attendance_mark(
            actor=request.user,
            session=session,
            enrolment=enrolment,
            status=request.POST.get("status", ""),
            paths=paths,
        )
    except ValidationError as exc:
        if request.htmx:
            return HttpResponseBadRequest(" ".join(exc.messages))
        _error(request, exc)
        return redirect("class_rollcall", pk=pk)
    if request.htmx:
        row = next(
            r for r in selectors.roll_call(session, paths) if r.member.enrolment_id == enrolment.pk
        )
        return render(
            request,
            "classes/_roll_row.html",
            {
                "row": row,
                "session": session,
                "statuses": AttendanceStatus.choices,
                "closed": False,
            },
        )
    return redirect("class_rollcall", pk=pk)


@login_required
@require_POST
def class_code_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session, _paths = access.taker_session(request.user, pk)
    try:
        services.code_open(actor=request.user, session=session)
    except ValidationError as exc:
        _error(request, exc)
    return redirect("class_rollcall", pk=pk)


@login_required
@require_POST
def class_session_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session, _paths = access.taker_session(request.user, pk)
    face_class = session.face_class
    if not manages_course(request.user, face_class.activity.course):
        raise Http404
    try:
        services.session_cancel(actor=request.user, session=session)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect("class_manage", pk=face_class.activity_id)
