"""The evaluation fixtures (an open cycle over province A, a subject group) serve here too."""

from opentemis.evaluations.tests.conftest import EvalWorld, ev

__all__ = ["EvalWorld", "ev"]
