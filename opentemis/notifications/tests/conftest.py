"""The evaluation fixtures (``ev``), for the notices of evaluation events."""

from opentemis.evaluations.tests.conftest import ev  # noqa: F401
