"""The benchmarks' baseline route lives in the bench URL conf only (bench/urls.py, selected by
bench/settings.py), never in the site's: `make bench` still has its trivial view."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_the_site_has_no_benchmark_route() -> None:
    assert Client().get("/bench/trivial").status_code == 404


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bench_url_conf_adds_the_trivial_view_to_the_whole_site() -> None:
    client = Client()
    answer = client.get("/bench/trivial")
    assert answer.status_code == 200 and answer.content == b"ok"
    assert client.get("/healthz").status_code == 200  # the site's routes are all there


def test_the_bench_settings_select_the_bench_url_conf() -> None:
    bench = importlib.import_module("bench.settings")
    site = importlib.import_module("opentemis.settings")
    assert bench.ROOT_URLCONF == "bench.urls"
    assert bench.INSTALLED_APPS == site.INSTALLED_APPS
