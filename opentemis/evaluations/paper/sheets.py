"""The paper file format: sheet names, column headers, level values and the school's frameworks.

Like the staff spreadsheet (``opentemis.staff.excel``), the sheet names, the Vietnamese column
headers and the level values ("Chưa đạt", "Đạt", "Khá", "Tốt") are a contract with the users'
files, so they are data and are not translated; everything the user reads *about* the file
(instructions, errors) is translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from opentemis.core.imports.reader import cell_text
from opentemis.core.imports.reader import header_key as cell_header_key
from opentemis.core.text import fold
from opentemis.evaluations.models import Cycle, EvaluationKind
from opentemis.evaluations.services import framework_for_person, rule_set_for
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person
from opentemis.standards.applicability import YearFrameworks
from opentemis.standards.models import Framework
from opentemis.standards.rules import Level

HELP_SHEET = "Hướng dẫn"
CODE_HEADER = "Mã cán bộ"
NAME_HEADER = "Họ và tên"
OVERALL_HEADER = "Xếp loại chung"
# The header row is searched for among the first rows (the template has a title row above it).
HEADER_SEARCH_ROWS = 10
# A school has at most a few hundred people to evaluate: a file with more rows is not a paper
# record of one school.
MAX_DATA_ROWS = 3000
MAX_CELL_CHARS = 200

LEVEL_LABELS: dict[str, str] = {level.code: level.legal_name for level in Level}
_KIND_LABELS: dict[str, str] = {
    EvaluationKind.TEACHER: "Giáo viên",
    EvaluationKind.MANAGER: "Cán bộ quản lý",
}
_CRITERION_HEADER = re.compile(r"^(?:tieu chi|tc)\s*(\d{1,2})$")
_CODE_ALIASES = {fold(CODE_HEADER), "ma dinh danh", "ma gv", "staff code"}
_NAME_ALIASES = {fold(NAME_HEADER), "ho ten", "full name"}
_OVERALL_ALIASES = {fold(OVERALL_HEADER), "xep loai", "danh gia chung", "overall"}


def criterion_header(number: int) -> str:
    return f"Tiêu chí {number}"


def parse_level(value: object) -> str | None:
    """The level code written in a cell, or None when it is not a level."""
    # The full name or the form's abbreviation (BM1 uses CĐ/Đ/K/T), in any case, with or
    # without diacritics, spaces or dots ("C.Đ", "chua dat", "KHÁ").
    level = Level.from_text(cell_text(value))
    return None if level is None else level.code


def header_key(value: object) -> str | int | None:
    """What a header cell names: "code", "name", "overall", a criterion number, or None."""
    text = cell_header_key(value)
    if text in _CODE_ALIASES:
        return "code"
    if text in _NAME_ALIASES:
        return "name"
    if text in _OVERALL_ALIASES:
        return "overall"
    match = _CRITERION_HEADER.match(text)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class PaperSheet:
    """One data sheet of the template: the framework its rows are evaluated against."""

    name: str
    framework: Framework
    kind: str
    criteria: tuple[int, ...] = field(default=())


def short_ref(framework: Framework) -> str:
    """ "TT 20-2018" from the legal reference (a sheet name may not contain "/")."""
    match = re.search(r"(\d+)/(\d{4})", framework.legal_ref or "")
    if match:
        return f"TT {match.group(1)}-{match.group(2)}"
    return re.sub(r"[\[\]:*?/\\]", "-", framework.code)[:20]


class FrameworkResolver:
    """``framework_for_person`` memoised by position set (a school's people share a few)."""

    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self._cache: dict[tuple[int, tuple[str, ...]], tuple[Framework, str] | ValidationError] = {}
        self.table = YearFrameworks(cycle.school_year)  # the year's configuration, read once

    def __call__(self, person: Person) -> tuple[Framework, str]:
        key = (person.unit_id, tuple(sorted(p.code for p in person.positions.all())))
        found = self._cache.get(key)
        if found is None:
            try:
                found = framework_for_person(cycle=self.cycle, person=person, table=self.table)
            except ValidationError as exc:
                found = exc
            self._cache[key] = found
        if isinstance(found, ValidationError):
            raise found
        return found


def sheets_for(
    *, unit: Unit, cycle: Cycle, extra: list[tuple[Framework, str]] | None = None
) -> list[PaperSheet]:
    """The data sheets for a school: the frameworks its teachers and managers are evaluated
    against this year (from the year's configuration), plus any ``extra`` ones (frameworks of
    evaluations already started); teachers first."""
    found: dict[int, tuple[Framework, str]] = {}
    levels = [level.code for level in unit.levels.all()] or [""]
    year = YearFrameworks(cycle.school_year)
    kinds: tuple[tuple[str, str], ...] = (
        ("GV", EvaluationKind.TEACHER),
        ("HT", EvaluationKind.MANAGER),
    )
    for position, kind in kinds:
        for level in levels:
            framework = year.get(position, level)
            if framework is not None:
                found.setdefault(framework.pk, (framework, kind))
    for framework, kind in extra or []:
        found.setdefault(framework.pk, (framework, kind))
    ordered = sorted(found.values(), key=lambda fk: (fk[1] != EvaluationKind.TEACHER, fk[0].code))
    sheets: list[PaperSheet] = []
    names: set[str] = set()
    for framework, kind in ordered:
        name = f"{_KIND_LABELS.get(kind, kind)} ({short_ref(framework)})"
        if fold(name) in names:
            name = f"{name[:27]} v{framework.version}"
        try:
            criteria = rule_set_for(framework).criteria
        except LookupError:  # a framework without rating rules cannot be rated from paper
            continue
        names.add(fold(name))
        sheets.append(PaperSheet(name=name, framework=framework, kind=kind, criteria=criteria))
    return sheets
