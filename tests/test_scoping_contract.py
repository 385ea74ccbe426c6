"""The scoping contract (docs/architecture.md, "Scoping") lists every bypass of the scoped
managers in the code: each use of ``Unit.dangerously_unscoped`` and of ``system_scope()``
outside the tests, by ``module.function``, with its reason. The list is the allow-list: a use in
a function it does not name fails here, and so does a row whose function no longer uses it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = ROOT / "docs" / "architecture.md"
USES = ("dangerously_unscoped", "system_scope()")
_ROW = re.compile(r"^\|\s*`(?P<use>[^`]+)`\s*\|\s*`(?P<where>[^`]+)`\s*\|(?P<why>[^|]*)\|\s*$")


def documented() -> dict[tuple[str, str], str]:
    """(use, ``module.function``) -> why, from the contract's table."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- scoping-contract:start -->")[1].split("<!-- scoping-contract:end -->")[
        0
    ]
    rows: dict[tuple[str, str], str] = {}
    for line in table.splitlines():
        found = _ROW.match(line.strip())
        if found and found["use"] in USES:
            rows[(found["use"], found["where"])] = found["why"].strip()
    return rows


class _Uses(ast.NodeVisitor):
    """The bypasses of one module, by the (class and) function they are in."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.within: list[str] = []
        self.found: set[tuple[str, str]] = set()

    def _here(self) -> str:
        return f"{self.module}.{'.'.join(self.within) or '<module>'}"

    def _enter(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.within.append(node.name)
        self.generic_visit(node)
        self.within.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "system_scope":
            self.found.add(("system_scope()", self._here()))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "dangerously_unscoped":
            self.found.add(("dangerously_unscoped", self._here()))
        self.generic_visit(node)


def uses_in(source: str, module: str) -> set[tuple[str, str]]:
    visitor = _Uses(module)
    visitor.visit(ast.parse(source))
    return visitor.found


def uses_in_the_code() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "opentemis").rglob("*.py")):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found |= uses_in(path.read_text(encoding="utf-8"), module)
    return found


def test_every_bypass_in_the_code_is_in_the_contract_with_its_reason() -> None:
    listed = documented()
    unlisted = sorted(uses_in_the_code() - listed.keys())
    assert not unlisted, (
        "a bypass of the scoped managers that docs/architecture.md (the scoping contract's "
        f"table) does not list, with its reason: {unlisted}"
    )
    assert all(listed.values()), [key for key, why in listed.items() if not why]


def test_every_bypass_in_the_contract_is_still_in_the_code() -> None:
    gone = sorted(documented().keys() - uses_in_the_code())
    assert not gone, f"listed in docs/architecture.md, no longer in the code: {gone}"


def test_the_reading_finds_each_kind_of_use_by_its_function() -> None:
    source = '''
from opentemis.core.scoping import system_scope

def load():
    with system_scope():
        return Unit.dangerously_unscoped.exists()

class Command:
    def handle(self):
        with system_scope(), other():
            pass

"""system_scope() and Unit.dangerously_unscoped in a docstring are not uses."""
'''
    assert uses_in(source, "app.mod") == {
        ("system_scope()", "app.mod.load"),
        ("dangerously_unscoped", "app.mod.load"),
        ("system_scope()", "app.mod.Command.handle"),
    }
    assert len(documented()) > 20 and len(uses_in_the_code()) > 20  # both sides were read
