"""Date inputs get ISO values whatever the language (issue 9: the cycle form lost its dates)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

from django import forms
from django.urls import reverse
from django.utils import translation

import opentemis
from opentemis.core.widgets import NativeDateInput


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(opentemis.__path__, "opentemis."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    todo = [forms.Form, forms.ModelForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("opentemis."):
                found.append(sub)
    return found


def test_native_date_input_renders_iso_in_vietnamese():
    with translation.override("vi"):
        html = NativeDateInput().render("d", dt.date(2026, 5, 17))
    assert 'type="date"' in html
    assert 'value="2026-05-17"' in html


def test_every_date_input_in_the_project_renders_iso():
    """A browser date picker drops any other value: one rule for all forms, checked on all."""
    date_inputs = []
    with translation.override("vi"):
        for form_class in _all_form_classes():
            for name, field in form_class.base_fields.items():
                widget = field.widget
                if getattr(widget, "input_type", "") != "date":
                    continue
                date_inputs.append(f"{form_class.__name__}.{name}")
                html = widget.render(name, dt.date(2026, 5, 17))
                assert 'value="2026-05-17"' in html, (form_class, name, html)
    # The cycle form and the staff form have date inputs; the walk must have reached them.
    assert "CycleForm.self_due" in date_inputs
    assert "PersonForm.date_of_birth" in date_inputs


def test_open_cycle_page_offers_its_default_dates_as_iso(world):
    page = world.client_for(world.officer_a).get(reverse("cycle_new")).content.decode()
    end = world.year.end_date.year
    assert f'value="{end}-05-17"' in page  # self-evaluation due: 14 days before 31 May
    assert f'value="{end}-05-31"' in page
    assert "17/05/" not in page
