"""Forms of the builder's pages: a question (any kind, one form) and the quiz's settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opentemis.quizzes import services
from opentemis.quizzes.models import Category, Grading, Question, QuestionKind


class QuestionForm(forms.Form):
    """One form for every kind. ``answers``: one line each; for a choice question the options,
    the correct ones starting with “*”; for a number the accepted values; for a short answer
    the accepted answers."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(
        label=_("Question"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    answers = forms.CharField(
        label=_("Options or accepted answers"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One a line. Options of a choice question: start the correct ones with *. A number: "
            "the correct value. A short answer: every accepted answer."
        ),
    )
    truth = forms.ChoiceField(
        label=_("The statement is"),
        required=False,
        choices=[("", "—"), ("true", _("True")), ("false", _("False"))],
    )
    tolerance = forms.CharField(label=_("Tolerance (number)"), required=False, max_length=20)
    case_sensitive = forms.BooleanField(label=_("Letter case counts"), required=False)
    points = forms.CharField(label=_("Points"), initial="1", max_length=10)
    feedback = forms.CharField(
        label=_("Explanation shown with the answers"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, bank_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Category.objects.filter(bank_id=bank_id)

    def draft(self) -> services.Draft:
        data = self.cleaned_data
        kind = data["kind"]
        lines = [x.strip() for x in (data.get("answers") or "").splitlines() if x.strip()]
        content: dict[str, Any]
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            content = {
                "choices": [
                    {"text": line.lstrip("*").strip(), "correct": line.startswith("*")}
                    for line in lines
                ]
            }
        elif kind == QuestionKind.TRUEFALSE:
            truth = data.get("truth")
            content = {"answer": truth == "true"} if truth else {}
        elif kind == QuestionKind.NUMERIC:
            content = {
                "answers": [{"value": v, "tolerance": data.get("tolerance") or "0"} for v in lines]
            }
        else:
            content = {
                "answers": [{"text": v} for v in lines],
                "case_sensitive": bool(data.get("case_sensitive")),
            }
        return services.Draft(
            kind=kind,
            text=data["text"],
            data=content,
            points=services.parse_points(data.get("points")),
            feedback=data.get("feedback") or "",
        )

    @staticmethod
    def initial_of(question: Question) -> dict[str, Any]:
        version = question.current
        assert version is not None
        data = version.data
        initial: dict[str, Any] = {
            "category": question.category_id,
            "kind": version.kind,
            "text": version.text,
            "points": f"{version.points.normalize():f}",
            "feedback": version.feedback,
        }
        if version.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            initial["answers"] = "\n".join(
                ("*" if c["correct"] else "") + c["text"] for c in data["choices"]
            )
        elif version.kind == QuestionKind.TRUEFALSE:
            initial["truth"] = "true" if data["answer"] else "false"
        elif version.kind == QuestionKind.NUMERIC:
            initial["answers"] = "\n".join(a["value"] for a in data["answers"])
            initial["tolerance"] = data["answers"][0]["tolerance"]
        else:
            initial["answers"] = "\n".join(a["text"] for a in data["answers"])
            initial["case_sensitive"] = data.get("case_sensitive", False)
        return initial


class QuizForm(forms.Form):
    time_limit = forms.CharField(
        label=_("Time limit (minutes, empty: none)"), required=False, max_length=5
    )
    attempts = forms.CharField(
        label=_("Attempts allowed (0: unlimited)"), initial="0", max_length=5
    )
    grading = forms.ChoiceField(label=_("Grading method"), choices=Grading.choices)
    pass_mark = forms.CharField(
        label=_("Pass mark (on 10, empty: the school year's)"), required=False, max_length=6
    )
    shuffle = forms.BooleanField(
        label=_("Shuffle the questions and options"), required=False, initial=True
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File: Excel (.xlsx) or XML"))
