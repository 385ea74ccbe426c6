"""`opentemis synth --size national|province|small [--seed N] [--reset]`: a synthetic nation.

Thin on purpose: the generator and both loaders live in the opentemis/site/synth package.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opentemis.site import synth


class Command(BaseCommand):
    help = (
        "Generate a synthetic nation of units, schools and staff. Sizes: national (≈48,000 "
        "schools, ≈1.2 M staff; PostgreSQL), province (one province, ≈35,000 staff), small "
        "(two provinces scaled down, ≈3,000 staff; the demo). Deterministic for a given --seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # "tiny" is accepted but not advertised: it exists for the test suite.
        parser.add_argument("--size", default="small", help="national, province or small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete every existing unit and staff record (and what depends on them) first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["size"]
        if size not in synth.SIZES:
            raise CommandError(
                f"Unknown size {size!r}: choose one of {', '.join(synth.PUBLIC_SIZES)}."
            )
        verbose = options["verbosity"] >= 1
        started = time.perf_counter()

        def progress(message: str) -> None:
            if verbose:
                self.stdout.write(message)
                self.stdout.flush()

        try:
            report = synth.run(
                size=size, seed=options["seed"], reset=options["reset"], progress=progress
            )
        except synth.SynthError as exc:
            raise CommandError(str(exc)) from exc
        wall = time.perf_counter() - started
        if not verbose:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic nation '{report.size}' (seed {report.seed}) written to "
                f"{report.backend} in {wall:,.1f} s"
            )
        )
        for table, count in report.counts.items():
            self.stdout.write(f"  {table:<28} {count:>12,}")
        phases = ", ".join(f"{name} {seconds:,.1f} s" for name, seconds in report.timings.items())
        self.stdout.write(f"  phases: {phases}")
