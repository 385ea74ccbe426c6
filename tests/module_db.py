"""Rows built once for a whole test module (a world too costly to build per test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def module_transaction(django_db_blocker: Any) -> Iterator[None]:
    """What is written inside stays for the module's tests and is rolled back at its end.

    For a module-scoped fixture (with ``django_db_setup``): each test's ``db`` savepoint, taken
    inside this transaction, undoes what the test itself wrote.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
