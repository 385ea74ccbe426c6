"""Reading and checking a BDTX data file (YAML; the format of ``training/data/catalogues.yaml``).

:func:`read_training_file` returns the file's data, normalised (:class:`TrainingData`), and the
problems found, each an import-framework :class:`~opentemis.core.imports.issues.Issue` placed by
its line in the file and naming the field ("catalogues > TT17-GVPT > GVPT 13 > hours"). Nothing
here writes: the services load what this returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _

from opentemis.core.imports.container import looks_like_workbook
from opentemis.core.imports.issues import Issue
from opentemis.core.imports.reader import FileRejected
from opentemis.standards.files import NoAliasLoader
from opentemis.training.models import Audience, CatalogueKind, Programme, Title
from opentemis.training.xlsx import raw_from_xlsx

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_HOURS = 1000
MODULE_FIELDS = (
    "code",
    "title",
    "audience",
    "levels",
    "hours",
    "framework",
    "criteria",
    "contents",
    "outcomes",
)
Path = tuple[str | int, ...]
# The choices of a year's result rule (plans.rules.judge applies them): "hours" — each
# programme's requirement met, or only the total; "items" — every assessed content of the plan
# passed, or not looked at.
RESULT_RULE_OPTIONS: dict[str, tuple[str, ...]] = {
    "hours": ("each_programme", "total"),
    "items": ("all_passed", "ignore"),
}


def _valid_month_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(f"2000-{value}")
    except ValueError:
        return False
    return len(value) == 5


@dataclass
class TrainingData:
    """What a file holds, checked and normalised (see the module docstring)."""

    regulation_version: str = ""
    year: dict[str, Any] | None = None
    requirements: list[dict[str, Any]] = field(default_factory=list)
    catalogues: list[dict[str, Any]] = field(default_factory=list)
    contents: list[dict[str, Any]] = field(default_factory=list)


def read_training_file(
    content: bytes,
    *,
    levels: set[str],
    province_exists: Callable[[str], bool] | None = None,
) -> tuple[TrainingData, list[Issue]]:
    """The data of an uploaded file and its issues (``levels``: the school-level codes known;
    ``province_exists``: whether a provincial department has a code, if the units of the
    programme-02 contents are to be checked here, each issue placed at its line or cell)."""
    if not content:
        return TrainingData(), [Issue(_("The file is empty."))]
    if len(content) > MAX_FILE_BYTES:
        return TrainingData(), [Issue(_("The file is too large for a catalogue file."))]
    if looks_like_workbook(content[:8]):
        try:
            raw, places = raw_from_xlsx(content)
        except FileRejected as exc:
            return TrainingData(), [Issue(exc.problem)]
        checker = _Checker(places=places, levels=levels, province_exists=province_exists)
        return checker.check(raw), checker.issues
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return TrainingData(), [Issue(_("The file is not a UTF-8 text (YAML) file."))]
    try:
        loader = NoAliasLoader(text)
        try:
            node = loader.get_single_node()
            document: Any = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        return TrainingData(), [Issue(_("The YAML is nested too deeply."))]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return TrainingData(), [
            Issue(
                _("The YAML cannot be read: %(error)s") % {"error": problem},
                line=mark.line + 1 if mark is not None else None,
            )
        ]
    lines: dict[Path, int] = {}
    if node is not None:
        _walk_lines(node, (), lines)
    checker = _Checker(
        places={path: {"line": line} for path, line in lines.items()},
        levels=levels,
        province_exists=province_exists,
    )
    data = checker.check(document)
    return data, checker.issues


def _walk_lines(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _walk_lines(value_node, (*path, str(key_node.value)), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_lines(item, (*path, index), lines)


@dataclass
class _Checker:
    places: dict[Path, dict[str, Any]]  # where each value is: {"line"} or {"sheet", "row", ...}
    levels: set[str]
    province_exists: Callable[[str], bool] | None = None  # checks the contents' units
    issues: list[Issue] = field(default_factory=list)

    def problem(self, path: Path, where: str, message: str) -> None:
        place: dict[str, Any] = {}
        for cut in range(len(path), -1, -1):
            place = self.places.get(path[:cut], {})
            if place:
                break
        if "column" in place:  # a cell names its own place: the message needs no path
            self.issues.append(Issue(message, **place))
        else:
            self.issues.append(Issue(f"«{where}»: {message}", **place))

    # --- scalars ---------------------------------------------------------------------------

    def text(
        self, obj: dict[str, Any], key: str, path: Path, where: str, *, required: bool = False
    ) -> str:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.problem((*path, key), f"{where} > {key}", _("is required."))
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem((*path, key), f"{where} > {key}", _("must be a text."))
            return ""
        return str(value).strip()

    def hours(
        self, obj: dict[str, Any], key: str, path: Path, where: str, *, required: bool = False
    ) -> int | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem((*path, key), f"{where} > {key}", _("is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_HOURS:
            self.problem(
                (*path, key),
                f"{where} > {key}",
                _("must be a whole number of periods from 1 to %(max)s, or empty if unknown.")
                % {"max": MAX_HOURS},
            )
            return None
        return value

    def month_day(self, obj: dict[str, Any], key: str, path: Path, where: str) -> str:
        """A yearly date as ``MM-DD`` (e.g. ``05-31``), placed in the school year on loading."""
        value = self.text(obj, key, path, where)
        if value and not _valid_month_day(value):
            self.problem(
                (*path, key), f"{where} > {key}", _("must be a month and day as MM-DD (05-31).")
            )
            return ""
        return value

    def score(self, obj: dict[str, Any], key: str, path: Path, where: str) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
            self.problem((*path, key), f"{where} > {key}", _("must be a score from 0 to 10."))
            return None
        return float(value)

    def share(self, obj: dict[str, Any], key: str, path: Path, where: str) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            self.problem((*path, key), f"{where} > {key}", _("must be a share above 0, up to 1."))
            return None
        return float(value)

    def rule(self, obj: dict[str, Any], key: str, path: Path, where: str) -> dict[str, str]:
        value = obj.get(key)
        if value is None:
            return {}
        known = RESULT_RULE_OPTIONS
        if not isinstance(value, dict) or any(
            k not in known or v not in known[k] for k, v in value.items()
        ):
            choices = "; ".join(f"{k}: {', '.join(v)}" for k, v in known.items())
            self.problem(
                (*path, key),
                f"{where} > {key}",
                _("must choose among %(choices)s.") % {"choices": choices},
            )
            return {}
        return {str(k): str(v) for k, v in value.items()}

    def criteria_map(self, obj: dict[str, Any], key: str, path: Path, where: str) -> dict[str, int]:
        value = obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value.values()
        ):
            self.problem(
                (*path, key),
                f"{where} > {key}",
                _("must map a framework code to a criterion number."),
            )
            return {}
        return {str(k): int(v) for k, v in value.items()}

    def notes(self, obj: dict[str, Any], path: Path, where: str) -> dict[str, str]:
        value = obj.get("to_verify") or {}
        if not isinstance(value, dict) or not all(
            key in MODULE_FIELDS and isinstance(note, str) for key, note in value.items()
        ):
            self.problem(
                (*path, "to_verify"),
                f"{where} > to_verify",
                _("must map fields (%(fields)s) to a note.") % {"fields": ", ".join(MODULE_FIELDS)},
            )
            return {}
        return {str(key): note.strip() for key, note in value.items()}

    def items(self, obj: dict[str, Any], key: str, path: Path, where: str) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem((*path, key), f"{where} > {key}", _("must be a list."))
            return []
        return value

    # --- the file --------------------------------------------------------------------------

    def check(self, raw: Any) -> TrainingData:
        data = TrainingData()
        if not isinstance(raw, dict):
            self.issues.append(
                Issue(_("The YAML must be a mapping with requirements:, catalogues: ..."))
            )
            return data
        known = {"regulation_version", "year", "requirements", "catalogues", "contents"}
        for key in raw:
            if key not in known:
                self.problem((str(key),), str(key), _("is not a known section."))
        data.regulation_version = self.text(raw, "regulation_version", (), "regulation_version")
        year = raw.get("year")
        if isinstance(year, dict):
            data.year = {
                "max_weeks": self.hours(year, "max_weeks", ("year",), "year"),
                "max_weeks_source": self.text(year, "max_weeks_source", ("year",), "year"),
                "to_verify": self.text(year, "to_verify", ("year",), "year"),
                "plan_due": self.month_day(year, "plan_due", ("year",), "year"),
                "school_plan_due": self.month_day(year, "school_plan_due", ("year",), "year"),
                "plan_source": self.text(year, "plan_source", ("year",), "year"),
                "pass_score": self.score(year, "pass_score", ("year",), "year"),
                "result_rule": self.rule(year, "result_rule", ("year",), "year"),
                "result_source": self.text(year, "result_source", ("year",), "year"),
                "result_to_verify": self.text(year, "result_to_verify", ("year",), "year"),
                "evidence_criteria": self.criteria_map(
                    year, "evidence_criteria", ("year",), "year"
                ),
                "attendance_min": self.share(year, "attendance_min", ("year",), "year"),
                "attendance_source": self.text(year, "attendance_source", ("year",), "year"),
                "attendance_to_verify": self.text(year, "attendance_to_verify", ("year",), "year"),
            }
        elif year is not None:
            self.problem(("year",), "year", _("must be a mapping."))
        seen: set[tuple[str, str]] = set()
        for index, row in enumerate(self.items(raw, "requirements", (), "requirements")):
            self.requirement(row, ("requirements", index), data, seen)
        codes: set[str] = set()
        for index, row in enumerate(self.items(raw, "catalogues", (), "catalogues")):
            catalogue = self.catalogue(row, ("catalogues", index))
            if catalogue is None:
                continue
            if catalogue["code"] in codes:
                self.problem(
                    ("catalogues", index, "code"),
                    f"catalogues > {catalogue['code']}",
                    _("the catalogue code appears twice in the file."),
                )
            codes.add(catalogue["code"])
            data.catalogues.append(catalogue)
        for index, row in enumerate(self.items(raw, "contents", (), "contents")):
            content = self.content(row, ("contents", index))
            if content is not None:
                data.contents.append(content)
        if not (data.requirements or data.catalogues or data.contents or data.year):
            self.issues.append(Issue(_("The file holds no requirement, catalogue or content.")))
        return data

    def requirement(
        self, row: Any, path: Path, data: TrainingData, seen: set[tuple[str, str]]
    ) -> None:
        where = f"requirements > {path[-1] + 1 if isinstance(path[-1], int) else path[-1]}"
        if not isinstance(row, dict):
            self.problem(path, where, _("must be a mapping."))
            return
        titles = row.get("titles", [row.get("title")] if "title" in row else None)
        if not isinstance(titles, list) or not titles:
            self.problem((*path, "titles"), f"{where} > titles", _("is required."))
            return
        bad = [t for t in titles if t not in Title.values]
        if bad:
            self.problem(
                (*path, "titles"),
                f"{where} > titles",
                _("unknown title %(value)s; known: %(known)s.")
                % {"value": ", ".join(map(str, bad)), "known": ", ".join(Title.values)},
            )
            return
        programme = str(row.get("programme", ""))
        if programme not in Programme.values:
            self.problem((*path, "programme"), f"{where} > programme", _("must be 01, 02 or 03."))
            return
        rebalanceable = row.get("rebalanceable", False)
        if not isinstance(rebalanceable, bool):
            self.problem(
                (*path, "rebalanceable"), f"{where} > rebalanceable", _("must be true or false.")
            )
            return
        if rebalanceable and programme == Programme.P03:
            # TT 17/2019 §IV: hours move between programmes 01 and 02 only; 03 is fixed.
            self.problem(
                (*path, "rebalanceable"),
                f"{where} > rebalanceable",
                _("programme 03 is fixed: only 01 and 02 may be rebalanced."),
            )
            return
        hours = self.hours(row, "hours", path, where, required=True)
        if hours is None:
            return
        for title in titles:
            if (title, programme) in seen:
                self.problem(
                    path,
                    where,
                    _("%(title)s, programme %(programme)s is given twice.")
                    % {"title": title, "programme": programme},
                )
                continue
            seen.add((title, programme))
            data.requirements.append(
                {
                    "title": title,
                    "programme": programme,
                    "hours": hours,
                    "rebalanceable": rebalanceable,
                    "source": self.text(row, "source", path, where),
                    "to_verify": self.text(row, "to_verify", path, where),
                }
            )

    def catalogue(self, row: Any, path: Path) -> dict[str, Any] | None:
        where = f"catalogues > {path[-1] + 1 if isinstance(path[-1], int) else path[-1]}"
        if not isinstance(row, dict):
            self.problem(path, where, _("must be a mapping."))
            return None
        code = self.text(row, "code", path, where, required=True)
        where = f"catalogues > {code or where}"
        kind = row.get("kind")
        if kind not in CatalogueKind.values:
            self.problem(
                (*path, "kind"),
                f"{where} > kind",
                _("must be one of %(known)s.") % {"known": ", ".join(CatalogueKind.values)},
            )
        catalogue: dict[str, Any] = {
            "code": code,
            "kind": kind,
            "title": self.text(row, "title", path, where, required=True),
            "legal_ref": self.text(row, "legal_ref", path, where),
            "regulation_version": self.text(row, "regulation_version", path, where),
            "to_verify": self.text(row, "to_verify", path, where),
            "modules": [],
        }
        modules = self.items(row, "modules", path, where)
        if not modules:
            self.problem((*path, "modules"), f"{where} > modules", _("is required."))
        seen: set[str] = set()
        for index, item in enumerate(modules):
            module = self.module(item, (*path, "modules", index), where)
            if module is None:
                continue
            if module["code"] in seen:
                self.problem(
                    (*path, "modules", index, "code"),
                    f"{where} > {module['code']}",
                    _("the module code appears twice in the catalogue."),
                )
            seen.add(module["code"])
            catalogue["modules"].append(module)
        if len(code) > 40:
            self.problem((*path, "code"), f"{where} > code", _("is longer than 40 characters."))
        return catalogue if code else None

    def module(self, row: Any, path: Path, parent: str) -> dict[str, Any] | None:
        where = f"{parent} > {path[-1] + 1 if isinstance(path[-1], int) else path[-1]}"
        if not isinstance(row, dict):
            self.problem(path, where, _("must be a mapping."))
            return None
        code = self.text(row, "code", path, where, required=True)
        where = f"{parent} > {code or where}"
        audience = row.get("audience")
        if audience not in Audience.values:
            self.problem((*path, "audience"), f"{where} > audience", _("must be GV or CBQL."))
        levels = row.get("levels") or []
        if not isinstance(levels, list) or not all(lvl in self.levels for lvl in levels):
            self.problem(
                (*path, "levels"),
                f"{where} > levels",
                _("must be a list of school levels among %(known)s.")
                % {"known": ", ".join(sorted(self.levels))},
            )
            levels = []
        criteria = row.get("criteria") or []
        if not isinstance(criteria, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) and 0 < c < 100 for c in criteria
        ):
            self.problem(
                (*path, "criteria"),
                f"{where} > criteria",
                _("must be a list of criterion numbers."),
            )
            criteria = []
        framework = self.text(row, "framework", path, where)
        if criteria and not framework:
            self.problem(
                (*path, "framework"),
                f"{where} > framework",
                _("is required when criteria are given (e.g. TT20_2018_GVPT)."),
            )
        crosswalk = []
        for index, link in enumerate(self.items(row, "crosswalk", path, where)):
            target = link.get("target") if isinstance(link, dict) else None
            if not isinstance(target, str) or target.count("/") != 1:
                self.problem(
                    (*path, "crosswalk", index),
                    f"{where} > crosswalk",
                    _("each link needs a target «CATALOGUE/MODULE», e.g. TT17-GVPT/GVPT 05."),
                )
                continue
            catalogue_code, module_code = (part.strip() for part in target.split("/"))
            crosswalk.append(
                {
                    "target_catalogue": catalogue_code,
                    "target_module": module_code,
                    "to_verify": str(link.get("to_verify") or "").strip(),
                }
            )
        return {
            "code": code,
            "title": self.text(row, "title", path, where, required=True),
            "audience": audience,
            "levels": levels,
            "hours": self.hours(row, "hours", path, where),
            "framework": framework,
            "criteria": criteria,
            "contents": self.text(row, "contents", path, where),
            "outcomes": self.text(row, "outcomes", path, where),
            "to_verify": self.notes(row, path, where),
            "crosswalk": crosswalk,
        }

    def content(self, row: Any, path: Path) -> dict[str, Any] | None:
        where = f"contents > {path[-1] + 1 if isinstance(path[-1], int) else path[-1]}"
        if not isinstance(row, dict):
            self.problem(path, where, _("must be a mapping."))
            return None
        programme = str(row.get("programme", ""))
        unit = self.text(row, "unit", path, where)
        if programme not in {Programme.P01, Programme.P02}:
            self.problem((*path, "programme"), f"{where} > programme", _("must be 01 or 02."))
            return None
        if programme == Programme.P02 and not unit:
            # Programme 02 is set by each Sở for its province (TT 17/2019 §IV).
            self.problem(
                (*path, "unit"), f"{where} > unit", _("programme 02 needs the province's code.")
            )
            return None
        exists = self.province_exists
        if programme == Programme.P02 and exists is not None and not exists(unit):
            self.problem(
                (*path, "unit"),
                f"{where} > unit",
                _("No provincial department (Sở) has the code %(code)s.") % {"code": unit},
            )
            return None
        if programme == Programme.P01 and unit:
            self.problem(
                (*path, "unit"), f"{where} > unit", _("programme 01 is national: no unit.")
            )
            return None
        titles = row.get("titles") or []
        if not isinstance(titles, list) or not all(t in Title.values for t in titles):
            self.problem((*path, "titles"), f"{where} > titles", _("unknown title."))
            return None
        code = self.text(row, "code", path, where, required=True)
        title = self.text(row, "title", path, where, required=True)
        if not code or not title:
            return None
        return {
            "programme": programme,
            "unit": unit,
            "code": code,
            "title": title,
            "titles": titles,
            "hours": self.hours(row, "hours", path, where),
            "description": self.text(row, "description", path, where),
            "to_verify": self.text(row, "to_verify", path, where),
        }
