"""Who evaluates managers: the rules page names each rule's superior unit kind."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from opentemis.evaluations.models import EvaluatorKind, EvaluatorRule
from opentemis.orgs.models import UnitKind


def test_superior_kind_label_is_the_unit_kind_name_or_empty_for_any_kind():
    with translation.override("en"):
        assert (
            EvaluatorRule(superior_kind=UnitKind.DEPARTMENT).superior_kind_label
            == "Provincial department (Sở)"
        )
        assert EvaluatorRule(superior_kind="").superior_kind_label == ""
        # A kind the configuration no longer knows is shown as stored, not hidden.
        assert EvaluatorRule(superior_kind="ward_office").superior_kind_label == "ward_office"


@pytest.mark.django_db
def test_the_rules_page_names_the_superior_unit_kind_of_each_rule(admin_client):
    EvaluatorRule.objects.filter(position__code="HT", level=None).update(
        evaluator=EvaluatorKind.SUPERIOR, superior_kind=UnitKind.DEPARTMENT
    )
    EvaluatorRule.objects.filter(position__code="PHT", level=None).update(
        evaluator=EvaluatorKind.SUPERIOR, superior_kind=""
    )
    page = admin_client.get(reverse("evaluator_rules")).content.decode()
    assert "<td>Sở GD&amp;ĐT</td>" in page  # the kind's name, in the site's language
    assert "<td>Mọi đơn vị cấp trên</td>" in page  # no kind: any superior unit
