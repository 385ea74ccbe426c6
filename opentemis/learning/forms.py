"""Forms of the course pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.core.widgets import NativeDateInput
from opentemis.learning.models import ActivityKind, Section, Wave
from opentemis.orgs.models import SchoolLevel, Unit
from opentemis.staff.models import Position, Subject
from opentemis.training.models import Programme

HOURS_HELP = _(
    "The periods credited to the BDTX ledger when the online part is completed. A face-to-face "
    "class of the course credits its attended periods itself when it is closed: do not count "
    "them here too."
)


class CourseForm(forms.Form):
    """A new course: which module, for which wave, how many periods."""

    module = forms.ChoiceField(label=_("Catalogue module"), required=False)
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=500)
    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    hours = forms.CharField(label=_("Periods (tiết)"), max_length=8, help_text=HOURS_HELP)
    wave = forms.ChoiceField(label=_("Wave"), choices=Wave.choices)
    starts = forms.DateField(label=_("Opens"), required=False, widget=NativeDateInput)
    due = forms.DateField(label=_("Deadline"), required=False, widget=NativeDateInput)

    def __init__(self, *args: Any, modules: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", "—"), *modules]  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea({"rows": 3})
    )
    hours = forms.CharField(label=_("Periods (tiết)"), max_length=8, help_text=HOURS_HELP)
    starts = forms.DateField(label=_("Opens"), required=False, widget=NativeDateInput)
    due = forms.DateField(label=_("Deadline"), required=False, widget=NativeDateInput)
    aggregation = forms.ChoiceField(
        label=_("Completion rule"),
        choices=[
            ("all", _("Every required activity")),
            ("any", _("Any one required activity")),
        ],
    )


class AudienceForm(forms.Form):
    units = forms.MultipleChoiceField(
        label=_("Units (empty: the whole unit)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    levels = forms.MultipleChoiceField(
        label=_("School levels"), required=False, widget=forms.CheckboxSelectMultiple
    )
    positions = forms.MultipleChoiceField(
        label=_("Positions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    subjects = forms.MultipleChoiceField(
        label=_("Subjects"), required=False, widget=forms.SelectMultiple({"size": 6})
    )
    from_plans = forms.BooleanField(
        label=_("Only people whose approved BDTX plan holds this module"), required=False
    )

    def __init__(self, *args: Any, units: list[Unit] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(str(u.pk), u.name) for u in units]  # type: ignore[attr-defined]
        self.fields["levels"].choices = [  # type: ignore[attr-defined]
            (lv.code, lv.name) for lv in SchoolLevel.objects.all()
        ]
        self.fields["positions"].choices = [  # type: ignore[attr-defined]
            (p.code, p.name) for p in Position.objects.order_by("name")
        ]
        self.fields["subjects"].choices = [  # type: ignore[attr-defined]
            (sub.code, sub.name) for sub in Subject.objects.order_by("name")
        ]


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=255)


class ActivityForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    required = forms.BooleanField(label=_("Required for completion"), required=False, initial=True)
    pass_required = forms.BooleanField(label=_("Must be passed"), required=False)
    after = forms.MultipleChoiceField(
        label=_("Only after"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        sections: list[Section] = (),  # type: ignore[assignment]
        activities: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(str(s.pk), s.title) for s in sections]  # type: ignore[attr-defined]
        self.fields["after"].choices = list(activities)  # type: ignore[attr-defined]


class DeadlineForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    due = forms.DateField(label=_("Deadline"), required=False, widget=NativeDateInput)

    def __init__(self, *args: Any, units: list[Unit] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]  # type: ignore[attr-defined]


class GraderForm(forms.Form):
    username = forms.CharField(label=_("Grader's account (username)"), max_length=150)
    unit = forms.ChoiceField(label=_("Grades the learners of"), required=False)

    def __init__(self, *args: Any, units: list[Unit] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", _("the whole course")),
            *[(str(u.pk), u.name) for u in units],
        ]


class ImportForm(forms.Form):
    package = forms.FileField(label=_("Module package (.zip)"))
