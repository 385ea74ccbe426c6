from opentemis.evaluations.tests.conftest import ev  # noqa: F401 - the drafts tests use the BM1
