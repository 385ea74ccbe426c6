"""Pages are sent compressed; hashed static files are cached for good (issue 9)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

import opentemis.settings as project_settings
from opentemis.core.compression import compressible

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.django_db
def test_pages_are_sent_gzipped_to_browsers_that_accept_it(world):
    client = world.client_for(world.officer_a)
    response = client.get(reverse("report_unit", args=[world.province_a.pk]), **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"</html>" in gzip.decompress(response.content)
    plain = client.get(reverse("report_unit", args=[world.province_a.pk]))
    assert not plain.has_header("Content-Encoding")


def test_only_text_is_compressed():
    assert compressible("text/html; charset=utf-8")
    assert compressible("application/json")
    assert compressible("application/problem+json")
    assert not compressible("application/pdf")
    assert not compressible("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert not compressible("application/zip")
    assert not compressible("image/png")


def test_the_middleware_compresses_after_whitenoise_and_before_the_rest():
    stack = project_settings.MIDDLEWARE
    gzip_at = stack.index("opentemis.core.compression.TextGZipMiddleware")
    assert stack.index("whitenoise.middleware.WhiteNoiseMiddleware") == gzip_at - 1
    assert gzip_at < stack.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_production_settings_use_hashed_static_names():
    backend = project_settings.STORAGES["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.django_db
def test_collected_static_files_have_hashed_names_cached_for_ten_years(tmp_path):
    manifest = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES={**project_settings.STORAGES, "staticfiles": manifest},
        WHITENOISE_USE_FINDERS=False,
    ):
        call_command("collectstatic", "--noinput", "-v0")
        client = Client()  # a new handler: WhiteNoise indexes the collected files
        page = client.get(reverse("login")).content.decode()
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
        assert css, "the stylesheet is not linked by its hashed name"
        response = client.get(css.group(1), **GZIP)
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]
        assert response["Content-Encoding"] == "gzip"
        response.close()
