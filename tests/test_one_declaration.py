"""Concepts declared once: a second copy of the level codes in the code fails here.

The four levels (Chưa đạt, Đạt, Khá, Tốt) are declared in ``standards/rules.py`` (their codes,
legal names, abbreviations and labels); everything else reads them from there. This test reads
every module's syntax tree and fails on a literal collection (tuple, list, set, or a dict's
keys) naming three or more level codes anywhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import opentemis

ROOT = Path(opentemis.__file__).parent
CODES = {"ChuaDat", "Dat", "Kha", "Tot"}
DECLARED_IN = ROOT / "standards" / "rules.py"
# Values keyed by level, which declare something else about each level: the palettes of the
# page's SVG and of the PDF, and the demo's share of each result.
ALLOWED = {
    ("reports/templatetags/report_tags.py", "RATING_COLOURS"),
    ("reports/exports/pdf.py", "RATING_COLOURS"),
    ("evaluations/demo.py", "TARGETS"),
}


def _strings(node: ast.AST) -> set[str]:
    items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    return {n.value for n in items if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _copies() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == DECLARED_IN or "tests" in path.parts or "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            id(node.value): target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                continue
            if len(_strings(node) & CODES) >= 3 and (relative, names.get(id(node))) not in ALLOWED:
                found.append(f"{relative}:{node.lineno}")
    return found


def test_the_level_codes_are_declared_only_in_standards_rules():
    assert _copies() == []
