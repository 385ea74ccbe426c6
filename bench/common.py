"""Shared helpers for the benchmark scripts: percentiles, machine facts, docs/benchmarks.md."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import statistics
import subprocess
from pathlib import Path
from typing import Any


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 1),
        "p95": round(percentile(ms, 95), 1),
        "mean": round(statistics.fmean(ms), 1),
    }


def machine() -> str:
    cores = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    pg = ""
    with contextlib.suppress(OSError):
        pg = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    return f"{cores} cores ({cpu}), {mem} RAM, Python {platform.python_version()}, {pg}"


def write_section(doc: Path, name: str, body: str) -> None:
    """Replace (or append) the block between the markers of section ``name`` in ``doc``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def sample_answer(question: dict[str, Any]) -> Any:
    """An answer to a demo-bank question as the test API takes it (the benches' learners)."""
    kind = question["kind"]
    if kind == "single":
        return 0
    if kind == "multiple":
        return [0]
    if kind == "truefalse":
        return True
    return "thường xuyên"
