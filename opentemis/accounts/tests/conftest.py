"""The evaluation world (opentemis/evaluations/tests/conftest.py), for the audit sentences
of evaluation events."""

from opentemis.evaluations.tests.conftest import ev  # noqa: F401
