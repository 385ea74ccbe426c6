"""Submit the test attempts whose time ran out (the task worker runs the same sweep)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opentemis.quizzes.services import overdue_sweep


class Command(BaseCommand):
    help = "Submit the test attempts whose time ran out, with the answers their learners saved."

    def handle(self, *args: Any, **options: Any) -> None:
        done = overdue_sweep()
        self.stdout.write(f"submitted {done}")
