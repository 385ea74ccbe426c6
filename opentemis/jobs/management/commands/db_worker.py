"""``manage.py db_worker``: django-tasks-db's worker, plus the lease sweeps of the jobs app.

The worker runs the queued tasks as django-tasks-db's does, and every ``JOB_SWEEP_SECONDS`` (at
start first) runs :func:`opentemis.jobs.services.sweep_all`: jobs whose worker died are queued
again or failed, notice emails whose sending died are queued again. So starting a new worker
after one was killed is enough to recover its work. This command overrides the library's
because ``opentemis.jobs`` comes before ``django_tasks_db`` in ``INSTALLED_APPS``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from opentemis.jobs.services import sweep_all


class SweepingWorker(db_worker.Worker):
    """Runs the library's loop in batches, sweeping between them at most every N seconds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last_sweep = float("-inf")

    def sweep(self) -> None:
        if time.monotonic() - self.last_sweep < settings.JOB_SWEEP_SECONDS:
            return
        close_old_connections()
        sweep_all()
        self.last_sweep = time.monotonic()

    def run(self) -> None:
        # The library's loop with batch=True runs every ready task, then returns.
        once, self.batch = self.batch, True
        while self.running:
            self.sweep()
            super().run()
            self.startup_delay = False
            if once or (self.max_tasks is not None and self._run_tasks >= self.max_tasks):
                return
            if self.running:
                time.sleep(self.interval)


class Command(db_worker.Command):
    help = "Run a database background worker (with the job lease sweeps)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The library's handle() with SweepingWorker in place of its Worker (same options).
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SweepingWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process handles signals
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
