"""The page of who evaluates managers, with the other national configuration under /standards/.

Its routes keep their paths and names (``urls_evaluators.py`` is mounted at ``standards/``);
the code is here because the rule model is evaluations' (``evaluator_rules.py``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.permissions import require_superuser
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.evaluations import evaluator_rules
from opentemis.evaluations.forms import EvaluatorRuleForm
from opentemis.evaluations.models import EvaluatorRule


@login_required
def evaluator_rule_list(request: AuthenticatedRequest) -> HttpResponse:
    require_superuser(request.user)
    form = EvaluatorRuleForm()
    if request.method == "POST":
        form = EvaluatorRuleForm(request.POST)
        if form.is_valid():
            try:
                evaluator_rules.evaluator_rule_save(
                    actor=request.user,
                    position=form.cleaned_data["position"],
                    level=form.cleaned_data["level"] or None,
                    evaluator=form.cleaned_data["evaluator"],
                    superior_kind=form.cleaned_data["superior_kind"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The rule is saved."))
                return redirect("evaluator_rules")
    context = {
        "rules": evaluator_rules.evaluator_rules(),
        "uncovered": evaluator_rules.managers_without_rule(),
        "form": form,
    }
    return render(request, "standards/evaluators.html", context)


@login_required
@require_POST
def evaluator_rule_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_superuser(request.user)
    rule = get_object_or_404(EvaluatorRule, pk=pk)
    evaluator_rules.evaluator_rule_remove(actor=request.user, rule=rule)
    messages.success(request, _("The rule is removed."))
    return redirect("evaluator_rules")
