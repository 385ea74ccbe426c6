"""The evaluation world (opentemis/evaluations/tests/conftest.py) for the page crawl."""

from opentemis.evaluations.tests.conftest import ev  # noqa: F401
