"""The site's settings for the benchmarks: the same, plus their baseline route (bench/urls.py).

The bench scripts that compare against the trivial view select this module
(``DJANGO_SETTINGS_MODULE=bench.settings``); gunicorn started by them inherits it.
"""

from opentemis.settings import *  # noqa: F403  (the site's settings, unchanged)

ROOT_URLCONF = "bench.urls"
