"""Function-local imports stay rare and say why (issue 11): an import inside a function hides a
dependency from the layer contract's reader and from the next engineer. Each function that
imports inside its body carries a ``# Local: <why>`` comment before its first such import.
docs/architecture.md lists them, with their reasons; this test keeps that list honest."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "opentemis"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@functools.cache
def local_imports() -> list[tuple[str, int, str, bool]]:
    """(module path, line, function, has a '# Local' reason above) for each local import."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            skip: set[int] = set()
            for node in ast.walk(func):
                if isinstance(node, ast.If) and _is_type_checking(node):
                    skip.update(id(n) for n in ast.walk(node))
            imports = [
                n
                for n in ast.walk(func)
                if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in skip
            ]
            # Nested functions are walked on their own too: count each import once, in the
            # innermost function.
            inner = [
                n
                for child in ast.walk(func)
                if child is not func and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                for n in ast.walk(child)
            ]
            inner_ids = {id(n) for n in inner}
            imports = [n for n in imports if id(n) not in inner_ids]
            if not imports:
                continue
            first = min(n.lineno for n in imports)
            body = lines[func.lineno - 1 : first - 1]
            reasoned = any(re.match(r"\s*# Local\b", line) for line in body)
            for node in imports:
                found.append((str(path.relative_to(ROOT)), node.lineno, func.name, reasoned))
    return found


def test_every_function_local_import_says_why() -> None:
    silent = [f"{path}:{line} in {func}()" for path, line, func, ok in local_imports() if not ok]
    assert not silent, (
        "Import at the top of the module, or put '# Local: <why>' above the first import in "
        "the function:\n" + "\n".join(silent)
    )


def test_the_architecture_doc_gives_the_count() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    match = re.search(r"(\d+) function-local imports", doc)
    assert match, "docs/architecture.md must say 'N function-local imports'"
    assert int(match.group(1)) == len(local_imports())
