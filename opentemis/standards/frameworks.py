"""Built-in frameworks, read from the project's copy of the research data (not ../shared)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from opentemis.standards.rules import RuleSet

DATA = Path(__file__).resolve().parent / "data" / "frameworks.yaml"


@cache
def framework_data() -> dict[str, dict[str, Any]]:
    with DATA.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {fw["code"]: fw for fw in raw["frameworks"]}


def criteria_of(code: str) -> list[dict[str, Any]]:
    """The criteria of a built-in framework, in the order of the data."""
    fw = framework_data()[code]
    standards = fw["standards"] if isinstance(fw["standards"], list) else []
    return [c for s in standards if isinstance(s.get("criteria"), list) for c in s["criteria"]]


def criteria_numbers(code: str) -> list[int]:
    return [c["number"] for c in criteria_of(code)]


@cache
def rule_set(code: str) -> RuleSet:
    """The rating rules of a built-in framework, e.g. ``rule_set("TT20_2018_GVPT")``."""
    fw = framework_data()[code]
    rules = fw["rating_rules"]
    if not rules.get("rules"):
        raise LookupError(f"{code} has no verified rating rules yet")
    citation = f"{fw['legal_ref']}, {rules.get('legal_ref', '')}".strip(", ")
    suspended = {c["number"]: c["suspended"] for c in criteria_of(code) if c.get("suspended")}
    return RuleSet.from_data(criteria_numbers(code), rules, citation=citation, suspended=suspended)


MODULES = Path(__file__).resolve().parent / "data" / "modules.yaml"


@cache
def module_data() -> dict[str, Any]:
    with MODULES.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def modules_for(framework_code: str, criterion: int) -> list[str]:
    """BDTX module codes that train ``criterion`` of a framework (data: modules.yaml)."""
    table = module_data()["criteria"].get(framework_code) or {}
    return list(table.get(criterion) or [])


def module_name(code: str) -> str:
    return str(module_data()["modules"].get(code, code))
