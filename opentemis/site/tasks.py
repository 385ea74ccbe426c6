"""System tasks (Django Tasks): the clean-up of stored files nobody needs any more.

django-tasks has no scheduler: run ``manage.py cleanup`` daily from cron or a systemd timer
(``docs/operations.md``), or enqueue :func:`cleanup_files` from code.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from opentemis.site.cleanup import cleanup_all


@task()
def cleanup_files(dry_run: bool = False) -> dict[str, Any]:
    """Run every clean-up sweep; returns ``{"counts": {sweep: n}, "failed": [sweep, ...]}``."""
    return cleanup_all(dry_run=dry_run).as_dict()
