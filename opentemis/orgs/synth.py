"""A synthetic nation for demos and benchmarks: the unit tree, schools and staff of Vietnam.

``opentemis synth --size national`` builds the Bộ, 34 Sở, ≈3,300 communes, ≈48,000 schools and
≈1.2 million staff. The generator is plain functions over plain tuples so that one code path
feeds two loaders:

* PostgreSQL: rows are streamed with ``COPY ... FROM STDIN`` into tables truncated in the same
  transaction (so ``COPY FREEZE`` applies and the rows need no later VACUUM), with foreign keys,
  unique constraints and secondary indexes dropped during the load and rebuilt after it: one
  index build is far cheaper than 1.2 M index insertions and trigger checks.
* Any other database (SQLite for the demo and tests): the ORM's ``bulk_create``.

Materialised paths are computed here with treebeard's encoding (steplen 4, base 36), children
numbered from 1 in the order they are generated, so treebeard's own operations (``add_child``,
``move``, ``find_problems``) work on the result.

Everything random comes from ``random.Random`` seeded with the seed *and* the province code, so a
seed always gives the same nation, and a province is the same in every size that holds it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from opentemis.core.scoping import system_scope
from opentemis.core.text import fold
from opentemis.orgs import synth_data as data
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit, UnitKind, UnitStatus
from opentemis.staff.ethnicities import is_minority
from opentemis.staff.models import (
    Assignment,
    CoreDesignation,
    CoreKind,
    EmploymentStatus,
    Person,
    Position,
    Subject,
    SubjectGroup,
)

Row = tuple[Any, ...]
Progress = Callable[[str], None]

CURRENT_YEAR = "2025-2026"
PREVIOUS_YEAR = "2024-2025"
# Ages and dates are counted from the start of the current school year.
REFERENCE_DATE = dt.date(2025, 9, 1)


class SynthError(RuntimeError):
    """The generator cannot run (non-empty database without reset, missing reference data)."""


# ---------------------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class SizeSpec:
    """How much of the nation to build.

    ``communes_per_province`` / ``schools_per_province`` None means the real counts (national
    allocation); a number scales a province down for the demo and tests.
    """

    name: str
    provinces: tuple[str, ...] | None  # province codes; None = all 34
    communes_per_province: int | None = None
    schools_per_province: int | None = None
    staff_scale: float = 1.0
    training: int = 0  # teacher-training institutions under the Bộ
    training_staff: int = 150


SIZES: dict[str, SizeSpec] = {
    "national": SizeSpec("national", None, training=len(data.TEACHER_TRAINING)),
    # Đà Nẵng: a mid-sized unit (≈35 k staff): city wards, mountain communes, Cơ-tu staff.
    "province": SizeSpec("province", ("48",)),
    # The demo: the capital and a northern mountain province, scaled down.
    "small": SizeSpec("small", ("01", "15"), 10, 60, training=1, training_staff=40),
    # Hidden: national-shaped but tiny, so tests exercise every loader path in a second.
    "tiny": SizeSpec(
        "tiny", ("01", "15", "79"), 2, 5, staff_scale=0.45, training=1, training_staff=14
    ),
}
PUBLIC_SIZES = ("national", "province", "small")

# ------------------------------------------------------------------------------ materialised path


def path_step(n: int) -> str:
    """The ``n``-th child's path segment (1-based), as treebeard's ``_get_path`` encodes it."""
    alphabet, steplen = Unit.alphabet, Unit.steplen
    base = len(alphabet)
    if not 0 < n < base**steplen:
        raise ValueError(f"path step {n} does not fit in {steplen} characters")
    digits = []
    while n:
        n, rest = divmod(n, base)
        digits.append(alphabet[rest])
    return "".join(reversed(digits)).rjust(steplen, alphabet[0])


# ---------------------------------------------------------------------------------- random picks


def seeded(seed: int, *key: str) -> random.Random:
    """A generator per (seed, province, purpose): a province is the same in every size."""
    # Synthetic data, not secrets: a reproducible PRNG is the point.
    return random.Random(":".join([str(seed), *key]))  # noqa: S311


class Picker:
    """Weighted choice over precomputed cumulative weights (``random.choices`` re-sums them)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        self.items: list[Any] = []
        self.cum: list[float] = []
        running = 0.0
        for item, weight in pairs:
            if weight <= 0:
                continue
            running += weight
            self.items.append(item)
            self.cum.append(running)
        if not self.items:
            raise ValueError("Picker needs at least one positive weight")
        self.total = running

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def uniform(items: Sequence[Any]) -> Picker:
    return Picker((item, 1.0) for item in items)


def apportion(
    total: int, weights: Sequence[float], minimum: Sequence[int] | None = None
) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), after the minimums."""
    counts = list(minimum) if minimum else [0] * len(weights)
    rest = total - sum(counts)
    weight_sum = sum(weights)
    if rest <= 0 or weight_sum <= 0:
        return counts
    quotas = [rest * w / weight_sum for w in weights]
    floors = [math.floor(q) for q in quotas]
    left = rest - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [c + f for c, f in zip(counts, floors, strict=True)]


# --------------------------------------------------------------------------------------- the plan


@dataclass(slots=True)
class PlannedUnit:
    """One row of ``orgs_unit`` before it is written, with what the staff generator needs."""

    path: str
    depth: int
    code: str
    name: str
    kind: str
    disadvantaged: bool = False
    levels: tuple[str, ...] = ()
    stype: str = ""  # school type key (synth_data.SCHOOL_TYPES, or "TT"), empty for offices
    staff: int = 0
    province: data.ProvinceData | None = None
    region: str = "north"
    urban: bool = False
    numchild: int = 0
    id: int = 0


@dataclass
class Plan:
    units: list[PlannedUnit]
    schools: list[PlannedUnit]

    @property
    def staff_total(self) -> int:
        return sum(s.staff for s in self.schools)


MIN_STAFF = {
    "MN": 6,
    "TH": 7,
    "THCS": 7,
    "TH_THCS": 8,
    "THCS_THPT": 10,
    "THPT": 12,
    "GDTX": 6,
    "TT": 8,
}


def _province_weight(prov: data.ProvinceData) -> float:
    # Mountain provinces have many more, smaller schools per inhabitant (scattered villages).
    return prov.population_k * (1 + 0.9 * prov.mountain)


def _type_adjust(stype: str, prov: data.ProvinceData) -> float:
    m = prov.mountain
    return {
        "TH": 1 - 0.1 * m,
        "THCS": 1 - 0.2 * m,
        "TH_THCS": 1 + 3 * m,  # multi-level and semi-boarding (PTDTBT) schools in the mountains
        "THCS_THPT": 1 + 2 * m,  # ethnic boarding schools (PTDTNT)
        "GDTX": 1 + 0.3 * m,
    }.get(stype, 1.0)


def school_counts(
    spec: SizeSpec, provinces: Sequence[data.ProvinceData]
) -> dict[str, dict[str, int]]:
    """Schools of each type in each province: the national apportionment, or a scaled split."""
    types = list(data.SCHOOL_TYPES)
    result: dict[str, dict[str, int]] = {p.code: {} for p in provinces}
    if spec.schools_per_province is None:
        for stype in types:
            national = data.SCHOOL_TYPES[stype][0]
            weights = [_province_weight(p) * _type_adjust(stype, p) for p in data.PROVINCES]
            for prov, n in zip(data.PROVINCES, apportion(national, weights), strict=True):
                if prov.code in result:
                    result[prov.code][stype] = n
        return result
    core = {"MN", "TH", "THCS", "THPT"}
    for prov in provinces:
        weights = [data.SCHOOL_TYPES[t][0] * _type_adjust(t, prov) for t in types]
        minimum = [1 if t in core else 0 for t in types]
        counts = apportion(spec.schools_per_province, weights, minimum)
        result[prov.code] = dict(zip(types, counts, strict=True))
    return result


def _place_name(rng: random.Random, first: Sequence[str], second: Sequence[str]) -> str:
    a, b = rng.choice(first), rng.choice(second)
    while b == a:
        b = rng.choice(second)
    return f"{a} {b}"


def _commune_names(rng: random.Random, prov: data.ProvinceData, n: int, wards: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        is_ward = i < wards
        for _attempt in range(60):
            if not is_ward and prov.highlands and rng.random() < 0.45:
                base = _place_name(rng, data.HIGHLAND_FIRST, data.HIGHLAND_SECOND)
            elif not is_ward and rng.random() < prov.mountain * 0.6 and prov.region == "north":
                base = _place_name(rng, data.MOUNTAIN_FIRST, data.MOUNTAIN_SECOND)
            else:
                base = _place_name(rng, data.COMMUNE_FIRST, data.COMMUNE_SECOND)
            if base not in seen:
                break
        else:  # pragma: no cover - the pools hold far more names than a province needs
            base = f"{base} {i}"
        seen.add(base)
        names.append(base)
    return names


@dataclass(slots=True)
class _Commune:
    base: str
    ward: bool
    disadvantaged: bool
    weight: float
    schools: list[str] = field(default_factory=list)


def _school_name(
    rng: random.Random,
    stype: str,
    place: str,
    prov: data.ProvinceData,
    *,
    first: bool,
    disadvantaged: bool,
    taken: set[str],
) -> str:
    mountain = prov.mountain >= 0.5
    for _attempt in range(20):
        if stype == "MN":
            name = f"Trường Mầm non {place if first else rng.choice(data.PRESCHOOL_NAMES)}"
        elif stype == "TH":
            if first:
                name = f"Trường Tiểu học {place}"
            elif rng.random() < 0.5:
                name = f"Trường Tiểu học {place} số {rng.randint(2, 4)}"
            else:
                name = f"Trường Tiểu học {rng.choice(data.FAMOUS_YOUNG)}"
        elif stype == "THCS":
            if disadvantaged and mountain and rng.random() < 0.2:
                name = f"Trường PTDTBT THCS {place}"
            elif first and rng.random() < 0.7:
                name = f"Trường THCS {place}"
            else:
                name = f"Trường THCS {rng.choice(data.FAMOUS)}"
        elif stype == "TH_THCS":
            prefix = "PTDTBT " if disadvantaged and mountain and rng.random() < 0.5 else ""
            name = f"Trường {prefix}TH&THCS {place}"
        elif stype == "THCS_THPT":
            if mountain and rng.random() < 0.6:
                name = f"Trường PTDTNT THCS&THPT {place}"
            else:
                name = (
                    f"Trường THCS&THPT {rng.choice(data.FAMOUS) if rng.random() < 0.5 else place}"
                )
        elif stype == "THPT":
            if first:
                name = f"Trường THPT chuyên {prov.name}"
            elif rng.random() < 0.5:
                name = f"Trường THPT {rng.choice(data.FAMOUS)}"
            else:
                name = f"Trường THPT {place}"
        elif first:  # GDTX
            name = f"Trung tâm GDTX {'thành phố' if prov.is_city else 'tỉnh'} {prov.name}"
        else:
            name = f"Trung tâm GDNN-GDTX {place}"
        if name not in taken:
            break
        first = False
    else:
        name = f"{name} ({place})"
    taken.add(name)
    return name


def _staff_count(
    rng: random.Random,
    stype: str,
    spec: SizeSpec,
    *,
    urban: bool,
    disadvantaged: bool,
    flagship: bool = False,
) -> int:
    mean = data.SCHOOL_TYPES[stype][2]
    # log-normal with mean 1: most schools near the mean, a long tail of large urban schools
    factor = rng.lognormvariate(-0.06125, 0.35)
    if urban:
        factor *= 1.2
    if disadvantaged:
        factor *= 0.85
    if flagship:
        factor *= 1.3
    return max(MIN_STAFF[stype], round(mean * factor * spec.staff_scale))


def _plan_province(
    spec: SizeSpec,
    seed: int,
    prov: data.ProvinceData,
    dept: PlannedUnit,
    counts: dict[str, int],
    units: list[PlannedUnit],
    schools: list[PlannedUnit],
) -> None:
    rng = seeded(seed, prov.code, "units")
    n_communes = spec.communes_per_province or prov.communes
    n_wards = round(n_communes * prov.ward_share)
    names = _commune_names(rng, prov, n_communes, n_wards)
    # Wards are rarely disadvantaged; communes carry the rest so the province keeps its rate.
    rate = prov.disadvantaged
    ward_share = n_wards / n_communes
    p_ward = 0.3 * rate
    p_commune = min(0.98, rate * (1 - 0.3 * ward_share) / max(1e-9, 1 - ward_share))
    communes = [
        _Commune(
            base=name,
            ward=i < n_wards,
            disadvantaged=rng.random() < (p_ward if i < n_wards else p_commune),
            weight=rng.lognormvariate(0, 0.45) * (1.5 if i < n_wards else 1.0),
        )
        for i, name in enumerate(names)
    ]
    weights = [c.weight for c in communes]
    for stype in data.COMMUNE_TYPES:
        for commune, n in zip(communes, apportion(counts.get(stype, 0), weights), strict=True):
            commune.schools.extend([stype] * n)

    school_no = 0
    taken: set[str] = set()

    def add_school(parent: PlannedUnit, stype: str, place: _Commune, *, first: bool) -> None:
        nonlocal school_no
        school_no += 1
        flagship = first and stype == "THPT"
        name = _school_name(
            rng,
            stype,
            place.base,
            prov,
            first=first,
            disadvantaged=place.disadvantaged,
            taken=taken,
        )
        parent.numchild += 1
        unit = PlannedUnit(
            path=parent.path + path_step(parent.numchild),
            depth=parent.depth + 1,
            code=f"{prov.code}T{school_no:05d}",
            name=name,
            kind=UnitKind.GDTX_CENTRE if stype == "GDTX" else UnitKind.SCHOOL,
            disadvantaged=place.disadvantaged,
            levels=data.SCHOOL_TYPES[stype][1],
            stype=stype,
            staff=_staff_count(
                rng,
                stype,
                spec,
                urban=place.ward,
                disadvantaged=place.disadvantaged,
                flagship=flagship,
            ),
            province=prov,
            region=prov.region,
            urban=place.ward,
        )
        units.append(unit)
        schools.append(unit)

    for i, commune in enumerate(communes, 1):
        dept.numchild += 1
        kind_word = "Phường" if commune.ward else "Xã"
        unit = PlannedUnit(
            path=dept.path + path_step(dept.numchild),
            depth=dept.depth + 1,
            code=f"{prov.code}X{i:04d}",
            name=f"{kind_word} {commune.base}",
            kind=UnitKind.COMMUNE,
            disadvantaged=commune.disadvantaged,
            province=prov,
        )
        units.append(unit)
        seen_types: set[str] = set()
        for stype in commune.schools:
            add_school(unit, stype, commune, first=stype not in seen_types)
            seen_types.add(stype)

    # Upper-secondary schools and GDTX centres report to the Sở; each sits in some commune.
    picker = Picker((c, c.weight) for c in communes)
    for stype in data.DEPARTMENT_TYPES:
        for k in range(counts.get(stype, 0)):
            add_school(dept, stype, picker(rng), first=k == 0)


def plan_nation(spec: SizeSpec, seed: int, *, first_id: int = 1) -> Plan:
    """The whole unit tree in memory (≈51 k rows nationally), in path order, ids assigned."""
    provinces = sorted(
        (p for p in data.PROVINCES if spec.provinces is None or p.code in spec.provinces),
        key=lambda p: p.code,
    )
    if spec.provinces is not None and len(provinces) != len(spec.provinces):
        known = {p.code for p in data.PROVINCES}
        raise SynthError(f"Unknown province code(s): {sorted(set(spec.provinces) - known)}")
    counts = school_counts(spec, provinces)
    root = PlannedUnit(
        path=path_step(1),
        depth=1,
        code=data.MINISTRY_CODE,
        name=data.MINISTRY_NAME,
        kind=UnitKind.MINISTRY,
    )
    units: list[PlannedUnit] = [root]
    schools: list[PlannedUnit] = []
    for prov in provinces:
        root.numchild += 1
        dept = PlannedUnit(
            path=root.path + path_step(root.numchild),
            depth=2,
            code=f"SGD{prov.code}",
            name=prov.department_name,
            kind=UnitKind.DEPARTMENT,
            province=prov,
        )
        units.append(dept)
        _plan_province(spec, seed, prov, dept, counts[prov.code], units, schools)
    rng = seeded(seed, "TT", "units")
    for k in range(spec.training):
        name, region = data.TEACHER_TRAINING[k % len(data.TEACHER_TRAINING)]
        root.numchild += 1
        staff = max(MIN_STAFF["TT"], round(spec.training_staff * rng.lognormvariate(-0.045, 0.3)))
        unit = PlannedUnit(
            path=root.path + path_step(root.numchild),
            depth=2,
            code=f"SP{k + 1:03d}",
            name=name,
            kind=UnitKind.TEACHER_TRAINING,
            stype="TT",
            staff=staff,
            region=region,
        )
        units.append(unit)
        schools.append(unit)
    for offset, unit in enumerate(units):
        unit.id = first_id + offset
    return Plan(units=units, schools=schools)


# ------------------------------------------------------------------------------------ the people


@dataclass
class Refs:
    """Ids of the reference rows (loaded by migrations) and the values shared by every row."""

    positions: dict[str, int]
    subjects: dict[str, int]
    levels: dict[str, int]
    year_id: int
    now: Any  # a datetime for the ORM, its ISO text for COPY (formatted once, not per row)


@dataclass
class Ids:
    """Next primary key of each generated table (rows carry explicit ids to link them)."""

    unit: int = 1
    unit_level: int = 1
    group: int = 1
    person: int = 1
    position: int = 1
    subject: int = 1
    assignment: int = 1
    core: int = 1


@dataclass(slots=True)
class Batch:
    """The rows generated for one school."""

    groups: list[Row] = field(default_factory=list)
    persons: list[Row] = field(default_factory=list)
    positions: list[Row] = field(default_factory=list)
    subjects: list[Row] = field(default_factory=list)
    assignments: list[Row] = field(default_factory=list)
    cores: list[Row] = field(default_factory=list)


class _Pools:
    """Pickers built once: names, ages, qualifications, subjects and group templates."""

    def __init__(self) -> None:
        self.surnames = {
            region: Picker((s, w[i]) for s, *w in data.SURNAMES)
            for i, region in enumerate(("north", "central", "south"))
        }
        self.middle_male = Picker(data.MIDDLE_MALE)
        self.middle_female_older = Picker(data.MIDDLE_FEMALE_OLDER)
        self.middle_female_younger = Picker(data.MIDDLE_FEMALE_YOUNGER)
        self.given_male = Picker(data.GIVEN_MALE)
        self.given_female = Picker(data.GIVEN_FEMALE)
        self.age_teacher = Picker(((lo, hi), w) for lo, hi, w in data.AGE_BANDS_TEACHER)
        self.age_manager = Picker(((lo, hi), w) for lo, hi, w in data.AGE_BANDS_MANAGER)
        self.quals = {k: Picker(v) for k, v in data.QUALIFICATIONS.items()}
        self.subjects = {k: Picker(v) for k, v in data.SUBJECT_WEIGHTS.items()}
        self.ethnic_surnames = {
            code: uniform(names) for code, (_style, names) in data.ETHNIC_NAMING.items() if names
        }
        self.phone_prefixes = uniform(data.MOBILE_PREFIXES)
        # Per (school type, number of groups): names, a picker per group for its first teacher
        # (so every group has a member whose subject belongs there), and subject -> groups.
        self.groups: dict[
            tuple[str, int], tuple[list[str], list[Picker], dict[str, list[int]]]
        ] = {}
        for stype, by_size in data.GROUP_TEMPLATES.items():
            weights = dict(data.SUBJECT_WEIGHTS[stype])
            for k, template in by_size.items():
                names = [name for name, _subjects in template]
                firsts = []
                by_subject: dict[str, list[int]] = {}
                for index, (_name, subjects) in enumerate(template):
                    firsts.append(Picker((s, weights.get(s, 0.0)) for s in subjects))
                    for s in subjects:
                        by_subject.setdefault(s, []).append(index)
                self.groups[(stype, k)] = (names, firsts, by_subject)
        self._folded: dict[str, str] = {}
        self._slugs: dict[str, str] = {}

    def folded(self, part: str) -> str:
        value = self._folded.get(part)
        if value is None:
            value = self._folded[part] = fold(part)
        return value

    def slug(self, part: str) -> str:
        value = self._slugs.get(part)
        if value is None:
            value = self._slugs[part] = "".join(ch for ch in fold(part) if ch.isalnum())
        return value


@dataclass
class _ProvinceCtx:
    prefix: str  # staff-code prefix
    region: str
    ethnic: Picker | None
    p_dtts_disadvantaged: float
    p_dtts_other: float
    email_domain: str
    rng: random.Random
    next_no: int = 0


def _province_ctx(
    seed: int, prov: data.ProvinceData | None, region: str, share_dis: float
) -> _ProvinceCtx:
    if prov is None:  # teacher-training institutions: national staff, few DTTS
        return _ProvinceCtx(
            prefix="00",
            region=region,
            ethnic=Picker(data.NORTH_MIX),
            p_dtts_disadvantaged=0.03,
            p_dtts_other=0.03,
            email_domain=f"moet.{data.EMAIL_DOMAIN_SUFFIX}",
            rng=seeded(seed, "TT", "staff"),
        )
    # DTTS staff concentrate in disadvantaged areas; keep the province's mean at prov.dtts.
    norm = 1.8 * share_dis + 0.6 * (1 - share_dis)
    slug = "".join(ch for ch in fold(prov.name) if ch.isalnum())
    return _ProvinceCtx(
        prefix=prov.code,
        region=prov.region,
        ethnic=Picker(prov.ethnic_mix),
        p_dtts_disadvantaged=min(0.97, prov.dtts * 1.8 / norm),
        p_dtts_other=min(0.97, prov.dtts * 0.6 / norm),
        email_domain=f"{slug}.{data.EMAIL_DOMAIN_SUFFIX}",
        rng=seeded(seed, prov.code, "staff"),
    )


# Roles inside a school, with their positions (staff.reference.POSITIONS codes).
ROLE_POSITIONS: dict[str, tuple[str, ...]] = {
    "HT": ("HT",),
    "PHT": ("PHT",),
    "GD": ("GD",),
    "PGD": ("PGD",),
    "TTCM": ("GV", "TTCM"),
    "TPCM": ("GV", "TPCM"),
    "GV": ("GV",),
    "GVSP_HEAD": ("GVSP", "TTCM"),
    "GVSP": ("GVSP",),
    "TPT": ("TPT",),
    "NV": ("NV",),
}
MANAGER_ROLES = frozenset({"HT", "PHT", "GD", "PGD"})
TEACHER_ROLES = frozenset({"TTCM", "TPCM", "GV", "GVSP_HEAD", "GVSP"})
NV_SHARE = {"MN": 0.14, "TT": 0.12, "GDTX": 0.15}
PRIMARY_LIKE = frozenset({"MN", "TH"})
QUAL_KEY = {"TH_THCS": "THCS", "THCS_THPT": "THPT"}


def _group_count(stype: str, teachers: int) -> int:
    wanted = 3 if teachers < 9 else 4 if teachers < 20 else 5 if teachers < 35 else 6
    sizes = sorted(data.GROUP_TEMPLATES[stype])
    fitting = [k for k in sizes if k <= min(wanted, teachers)]
    return fitting[-1] if fitting else sizes[0]


def _name(
    pools: _Pools, rng: random.Random, region: str, ethnicity: str, female: bool, birth_year: int
) -> tuple[str, str, str, str]:
    """(full name, folded full name, given-name slug, family-name slug)."""
    style, _names = data.ETHNIC_NAMING.get(ethnicity, ("std", ()))
    if ethnicity == "01" or ethnicity not in data.ETHNIC_NAMING:
        surname = pools.surnames[region](rng)
    elif style in ("std", "hmong", "khmer", "clan", "clan_h", "ede"):
        surname = pools.ethnic_surnames[ethnicity](rng)
    else:
        surname = ""
    given_pool = pools.given_female if female else pools.given_male
    if style == "std":
        if female:
            middle_pool = (
                pools.middle_female_older if birth_year < 1990 else pools.middle_female_younger
            )
        else:
            middle_pool = pools.middle_male
        middle = middle_pool(rng)
        given = given_pool(rng)
        if rng.random() < 0.1:
            extra = rng.choice(data.MIDDLE2_FEMALE if female else data.MIDDLE2_MALE)
            if extra not in (middle, given):
                middle = f"{middle} {extra}"
        parts = [surname, middle, given]
    elif style == "hmong":
        middle = "Thị" if female else rng.choice(data.HMONG_MALE_MIDDLE)
        given = rng.choice(data.HMONG_GIVEN_FEMALE if female else data.HMONG_GIVEN_MALE)
        parts = [surname, middle, given]
    elif style == "khmer":
        given = rng.choice(data.KHMER_GIVEN)
        parts = [surname, "Thị", given] if female and rng.random() < 0.6 else [surname, given]
    elif style == "ede":
        given = rng.choice(data.HIGHLAND_GIVEN)
        parts = [f"H'{given}" if female else f"Y {given}", surname]
    elif style in ("clan", "clan_h"):
        given = rng.choice(data.HIGHLAND_GIVEN) if rng.random() < 0.6 else given_pool(rng)
        parts = [surname, f"H'{given}" if female and style == "clan_h" else given]
    elif style == "koho":
        given = rng.choice(data.HIGHLAND_GIVEN)
        parts = [f"Ka {given}" if female else f"K'{given}"]
        surname = parts[0]
    else:  # "ay": A (men) / Y (women) + given
        given = rng.choice(data.HIGHLAND_GIVEN) if rng.random() < 0.5 else given_pool(rng)
        parts = [("Y " if female else "A ") + given]
        surname = given
    full = " ".join(parts)
    folded = " ".join(pools.folded(p) for p in parts)
    return full, folded, pools.slug(given), pools.slug(surname or given)


def _school_batch(
    school: PlannedUnit, ctx: _ProvinceCtx, pools: _Pools, refs: Refs, ids: Ids
) -> Batch:
    """Staff, subject groups, positions, subjects, assignments and core designations of a school."""
    rng = ctx.rng
    stype = school.stype
    n = school.staff
    batch = Batch()
    # --- composition: one head, 1-3 deputies, office staff, then teachers in 3-6 groups
    head, deputy = ("GD", "PGD") if stype == "GDTX" else ("HT", "PHT")
    if stype == "TT":
        deputies = 2 if n < 100 else 3
    elif stype in PRIMARY_LIKE:
        deputies = 1 if n < 18 else 2 if n < 40 else 3
    else:
        deputies = 1 if n < 28 else 2 if n < 55 else 3
    nv = max(1, round(n * NV_SHARE.get(stype, 0.10)))
    tpt = 1 if stype in ("TH", "THCS", "TH_THCS") and n >= 15 else 0
    teachers = max(3, n - 1 - deputies - nv - tpt)
    k = _group_count(stype, teachers)
    group_names, first_pickers, by_subject = pools.groups[(stype, k)]
    group_ids = []
    for name in group_names:
        group_ids.append(ids.group)
        batch.groups.append((ids.group, school.id, name))
        ids.group += 1

    subject_picker = pools.subjects[stype]
    roles: list[tuple[str, str | None, int | None]] = [(head, subject_picker(rng), None)]
    roles += [(deputy, subject_picker(rng), None) for _ in range(deputies)]
    members = [0] * k
    teacher_role = "GVSP" if stype == "TT" else "GV"
    for i in range(teachers):
        if i < k:  # the first teacher of each group leads it (tổ trưởng)
            group, subject = i, first_pickers[i](rng)
            role = "GVSP_HEAD" if stype == "TT" else "TTCM"
        else:
            subject = subject_picker(rng)
            options = by_subject.get(subject)
            group = rng.choice(options) if options else rng.randrange(k)
            role = teacher_role
            if members[group] == 7 and stype != "TT":  # a deputy leader for groups of 8+
                role = "TPCM"
        members[group] += 1
        roles.append((role, subject, group))
    if tpt:
        roles.append(("TPT", rng.choice(("AN", "GDTC", "HDTN", "MT")), None))
    roles += [("NV", None, None)] * nv

    women = data.WOMEN_SHARE[stype]
    year_now = REFERENCE_DATE.year
    for role, subject, group in roles:
        is_manager = role in MANAGER_ROLES
        if is_manager:
            p_female = 0.95 if stype == "MN" else women * 0.8
            lo, hi = pools.age_manager(rng)
        else:
            p_female = 0.7 if role == "NV" else 0.5 if role == "TPT" else women
            lo, hi = pools.age_teacher(rng)
        female = rng.random() < p_female
        age = rng.randint(lo, hi)
        if female and age > 58:  # women retire earlier (≈57 in 2025)
            age -= rng.randint(2, 6)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        # exactly ``age`` years old on REFERENCE_DATE (1 September)
        birth_year = year_now - age - (1 if (month, day) > (9, 1) else 0)
        dob = f"{birth_year}-{month:02d}-{day:02d}"
        p_dtts = ctx.p_dtts_disadvantaged if school.disadvantaged else ctx.p_dtts_other
        ethnicity = ctx.ethnic(rng) if ctx.ethnic is not None and rng.random() < p_dtts else "01"
        full, folded, given_slug, family_slug = _name(
            pools, rng, school.region, ethnicity, female, birth_year
        )
        ctx.next_no += 1
        staff_code = f"{ctx.prefix}{ctx.next_no:08d}"
        if role == "NV":
            qual = pools.quals["NV"](rng)
        elif is_manager:
            qual = pools.quals["MANAGER"](rng)
        else:
            qual = pools.quals[QUAL_KEY.get(stype, stype)](rng)
            if age < 28 and qual in ("trung_cap", "cao_dang") and stype != "MN":
                qual = "dai_hoc"  # the 2019 Education Law requires a degree of new teachers
        phone = (
            f"0{pools.phone_prefixes(rng)}{rng.randrange(10_000_000):07d}"
            if rng.random() < 0.92
            else ""
        )
        email = (
            f"{given_slug}.{family_slug}{ctx.next_no % 10_000:04d}@{ctx.email_domain}"
            if rng.random() < 0.7
            else ""
        )
        leave = 0.03 if female and age < 40 else 0.008
        status = (
            EmploymentStatus.ON_LEAVE.value
            if rng.random() < leave
            else EmploymentStatus.WORKING.value
        )
        person_id = ids.person
        ids.person += 1
        batch.persons.append(
            (
                person_id,
                staff_code,
                full,
                f"{folded} {staff_code.lower()}",
                "F" if female else "M",
                dob,
                ethnicity,
                is_minority(ethnicity),
                phone,
                email,
                qual,
                school.id,
                school.path,
                group_ids[group] if group is not None else None,
                status,
                1,
                refs.now,
                refs.now,
            )
        )
        for code in ROLE_POSITIONS[role]:
            batch.positions.append((ids.position, person_id, refs.positions[code]))
            ids.position += 1
        if subject is not None:
            batch.subjects.append((ids.subject, person_id, refs.subjects[subject]))
            ids.subject += 1
            second = data.SECOND_SUBJECT.get(subject)
            if (
                second
                and stype not in PRIMARY_LIKE
                and role in TEACHER_ROLES
                and rng.random() < 0.12
            ):
                batch.subjects.append((ids.subject, person_id, refs.subjects[second]))
                ids.subject += 1
        # The current post: since hiring or a later transfer, mostly at the start of a year.
        hired = min(year_now, birth_year + 22 + rng.randrange(4))
        start_year = rng.randint(hired, year_now)
        month = 9 if rng.random() < 0.7 or start_year == year_now else rng.randint(1, 12)
        batch.assignments.append(
            (
                ids.assignment,
                person_id,
                school.id,
                f"{start_year}-{month:02d}-01",
                None,
                "",
                None,
            )
        )
        ids.assignment += 1
        # Core (cốt cán) staff: ≥5 years of service (TT 20, Điều 12); group leaders more often.
        if age >= 28 and role in ("GV", "TTCM", "TPCM"):
            p_core = 0.12 if role == "TTCM" else 0.05
            if rng.random() < p_core:
                batch.cores.append(
                    (
                        ids.core,
                        person_id,
                        refs.year_id,
                        CoreKind.TEACHER.value,
                        refs.subjects[subject] if subject else None,
                    )
                )
                ids.core += 1
        elif is_manager and rng.random() < 0.06:
            batch.cores.append((ids.core, person_id, refs.year_id, CoreKind.MANAGER.value, None))
            ids.core += 1
    return batch


def iter_school_batches(plan: Plan, seed: int, refs: Refs, ids: Ids) -> Iterator[Batch]:
    """Generate the staff of every school of the plan, one batch per school, in plan order."""
    pools = _Pools()
    ctxs: dict[str, _ProvinceCtx] = {}
    dis_share: dict[str, list[int]] = {}
    for school in plan.schools:
        key = school.province.code if school.province else "TT"
        counts = dis_share.setdefault(key, [0, 0])
        counts[0] += school.disadvantaged
        counts[1] += 1
    for school in plan.schools:
        key = school.province.code if school.province else "TT"
        ctx = ctxs.get(key)
        if ctx is None:
            dis, total = dis_share[key]
            ctx = ctxs[key] = _province_ctx(seed, school.province, school.region, dis / total)
        yield _school_batch(school, ctx, pools, refs, ids)


# ------------------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Table:
    """A generated table: its model and the fields each generated row holds, in order."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        return [self.model._meta.get_field(f).column for f in self.fields]


def tables() -> list[Table]:
    """The eight loaded tables, parents first."""
    return [
        Table(
            "unit",
            Unit,
            (
                "id",
                "path",
                "depth",
                "numchild",
                "code",
                "name",
                "search_name",
                "kind",
                "disadvantaged_area",
                "status",
                "created_at",
                "updated_at",
            ),
        ),
        Table("unit_level", Unit.levels.through, ("id", "unit", "schoollevel")),
        Table("group", SubjectGroup, ("id", "unit", "name")),
        Table(
            "person",
            Person,
            (
                "id",
                "staff_code",
                "full_name",
                "search_text",
                "gender",
                "date_of_birth",
                "ethnicity",
                "is_dtts",
                "phone",
                "email",
                "qualification",
                "unit",
                "unit_path",
                "subject_group",
                "employment_status",
                "version",
                "created_at",
                "updated_at",
            ),
        ),
        Table("position", Person.positions.through, ("id", "person", "position")),
        Table("subject", Person.subjects.through, ("id", "person", "subject")),
        Table(
            "assignment",
            Assignment,
            ("id", "person", "unit", "start_date", "end_date", "note", "recorded_by"),
        ),
        Table("core", CoreDesignation, ("id", "person", "school_year", "kind", "subject")),
    ]


def unit_rows(plan: Plan, refs: Refs) -> Iterator[Row]:
    for u in plan.units:
        yield (
            u.id,
            u.path,
            u.depth,
            u.numchild,
            u.code,
            u.name,
            fold(u.name),
            str(u.kind),
            u.disadvantaged,
            UnitStatus.ACTIVE.value,
            refs.now,
            refs.now,
        )


def unit_level_rows(plan: Plan, refs: Refs, ids: Ids) -> Iterator[Row]:
    for u in plan.units:
        for code in u.levels:
            yield (ids.unit_level, u.id, refs.levels[code])
            ids.unit_level += 1


# --------------------------------------------------------------------------------- the run itself


@dataclass
class Report:
    """What a run wrote and how long each phase took."""

    size: str
    seed: int
    backend: str
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


class _Clock:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.report.timings[phase] = self.report.timings.get(phase, 0.0) + now - self.last
        self.last = now


def has_data() -> bool:
    with system_scope():
        return Unit.dangerously_unscoped.exists() or Person._base_manager.exists()


def ensure_school_years() -> SchoolYear:
    """2024-2025 (closed) and 2025-2026 (current); the current one is returned."""
    SchoolYear.objects.filter(is_current=True).exclude(code=CURRENT_YEAR).update(is_current=False)
    SchoolYear.objects.update_or_create(
        code=PREVIOUS_YEAR,
        defaults={
            "start_date": dt.date(2024, 9, 1),
            "end_date": dt.date(2025, 8, 31),
            "is_current": False,
        },
    )
    year, _created = SchoolYear.objects.update_or_create(
        code=CURRENT_YEAR,
        defaults={
            "start_date": dt.date(2025, 9, 1),
            "end_date": dt.date(2026, 8, 31),
            "is_current": True,
        },
    )
    return year


def load_refs(year: SchoolYear) -> Refs:
    refs = Refs(
        positions=dict(Position.objects.values_list("code", "id")),
        subjects=dict(Subject.objects.values_list("code", "id")),
        levels=dict(SchoolLevel.objects.values_list("code", "id")),
        year_id=year.pk,
        now=timezone.now(),
    )
    needed_positions = {code for codes in ROLE_POSITIONS.values() for code in codes}
    needed_subjects = {code for pairs in data.SUBJECT_WEIGHTS.values() for code, _w in pairs}
    missing = (needed_positions - set(refs.positions)) | (needed_subjects - set(refs.subjects))
    missing |= {c for t in data.SCHOOL_TYPES.values() for c in t[1]} - set(refs.levels)
    if missing:
        raise SynthError(
            f"Reference data is missing ({', '.join(sorted(missing))}): run `migrate` first."
        )
    return refs


def run(
    *, size: str | SizeSpec, seed: int = 1, reset: bool = False, progress: Progress | None = None
) -> Report:
    """Build the synthetic nation in the default database. The entry point of the command."""
    spec = size if isinstance(size, SizeSpec) else SIZES[size]
    say = progress or (lambda _msg: None)
    report = Report(size=spec.name, seed=seed, backend=connection.vendor)
    clock = _Clock(report)
    if has_data() and not reset:
        raise SynthError(
            "The database already holds units or staff. Run again with --reset to delete every "
            "unit, school, staff record (and what depends on them) before generating."
        )
    plan = plan_nation(spec, seed)
    say(
        f"Plan: {len(plan.units):,} units, {len(plan.schools):,} schools, "
        f"≈{plan.staff_total:,} staff"
    )
    clock.lap("plan")
    with system_scope():
        if connection.vendor == "postgresql":
            _load_postgres(plan, seed, report, clock, say)
        else:
            _load_orm(plan, seed, report, clock, say, reset=reset)
    return report


def _progress_line(label: str, rows: int, started: float) -> str:
    elapsed = max(1e-9, time.perf_counter() - started)
    return f"  {label}: {rows:,} rows in {elapsed:,.1f} s ({rows / elapsed:,.0f} rows/s)"


# ----------------------------------------------------------------------------------- ORM loader


def _load_orm(
    plan: Plan, seed: int, report: Report, clock: _Clock, say: Progress, *, reset: bool
) -> None:
    """bulk_create, for SQLite and any non-PostgreSQL backend. Fine up to a province or so."""
    with transaction.atomic():
        if reset:
            # The ORM collector applies each relation's on_delete (role grants cascade, users
            # lose their person link, audit rows keep their text).
            for model in (CoreDesignation, Assignment, Person, SubjectGroup):
                model._base_manager.all().delete()
            Unit._base_manager.all().delete()
            clock.lap("reset")
        year = ensure_school_years()
        refs = load_refs(year)
        ids = _next_ids()
        offset = ids.unit - plan.units[0].id
        for unit in plan.units:
            unit.id += offset
        specs = {t.key: t for t in tables()}
        rows: dict[str, list[Row]] = {key: [] for key in specs}
        rows["unit"] = list(unit_rows(plan, refs))
        rows["unit_level"] = list(unit_level_rows(plan, refs, ids))
        started = time.perf_counter()
        for batch in iter_school_batches(plan, seed, refs, ids):
            rows["group"] += batch.groups
            rows["person"] += batch.persons
            rows["position"] += batch.positions
            rows["subject"] += batch.subjects
            rows["assignment"] += batch.assignments
            rows["core"] += batch.cores
        say(_progress_line("generated staff", len(rows["person"]), started))
        clock.lap("generate")
        for key, table in specs.items():
            started = time.perf_counter()
            attnames = [table.model._meta.get_field(f).attname for f in table.fields]
            objs = [table.model(**dict(zip(attnames, row, strict=True))) for row in rows[key]]
            table.model._base_manager.bulk_create(objs, batch_size=2000)
            report.counts[table.db_table] = len(objs)
            say(_progress_line(table.db_table, len(objs), started))
        clock.lap("write")


def _next_ids() -> Ids:
    def next_id(model: type[models.Model]) -> int:
        current = model._base_manager.aggregate(m=models.Max("id"))["m"]
        return (current or 0) + 1

    specs = {t.key: t.model for t in tables()}
    return Ids(
        unit=next_id(specs["unit"]),
        unit_level=next_id(specs["unit_level"]),
        group=next_id(specs["group"]),
        person=next_id(specs["person"]),
        position=next_id(specs["position"]),
        subject=next_id(specs["subject"]),
        assignment=next_id(specs["assignment"]),
        core=next_id(specs["core"]),
    )


# ------------------------------------------------------------------------------ PostgreSQL loader


def _copy_value(value: Any) -> str:
    # COPY text format. Generated strings never hold tabs, newlines or backslashes
    # (tests check the name pools), so no escaping is needed.
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _tsv(rows: Iterable[Row], suffix: str) -> str:
    return "".join("\t".join(map(_copy_value, row)) + suffix + "\n" for row in rows)


def _extra_columns(table: Table) -> tuple[list[str], str]:
    """Columns other engineers may add to a loaded model later: filled with their defaults."""
    produced = set(table.fields)
    columns: list[str] = []
    values: list[str] = []
    for f in table.model._meta.concrete_fields:
        if f.name in produced or f.attname in produced:
            continue
        default = f.get_default() if f.has_default() else None
        if default is None and not f.null:
            raise SynthError(
                f"synth does not fill {table.db_table}.{f.column}: give it a default or add it "
                "to opentemis/orgs/synth.py"
            )
        if default is not None and not isinstance(default, str | int | float | bool | dt.date):
            raise SynthError(f"synth cannot COPY the default of {table.db_table}.{f.column}")
        columns.append(f.column)
        values.append(_copy_value(default))
    return columns, "".join("\t" + v for v in values)


def _cascade_closure(
    loaded: list[type[models.Model]],
) -> tuple[
    list[type[models.Model]],
    list[tuple[type[models.Model], models.Field]],
    list[tuple[type[models.Model], models.Field]],
]:
    """Tables emptied with the loaded ones, as the ORM's on_delete would do it.

    Returns (tables to truncate, foreign keys to set NULL, foreign keys that protect).
    """
    targets = list(loaded)
    all_models = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
    changed = True
    while changed:
        changed = False
        for model in all_models:
            if model in targets:
                continue
            for f in model._meta.concrete_fields:
                if (
                    f.is_relation
                    and f.related_model in targets
                    and f.remote_field.on_delete is models.CASCADE
                ):
                    targets.append(model)
                    changed = True
                    break
    set_null, protect = [], []
    for model in all_models:
        if model in targets:
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in targets:
                if f.remote_field.on_delete is models.SET_NULL:
                    set_null.append((model, f))
                else:
                    protect.append((model, f))
    return targets, set_null, protect


def _load_postgres(plan: Plan, seed: int, report: Report, clock: _Clock, say: Progress) -> None:
    from psycopg.copy import QueuedLibpqWriter

    qn = connection.ops.quote_name
    specs = tables()
    loaded = [t.model for t in specs]
    targets, set_null, protect = _cascade_closure(loaded)
    loaded_names = [t.db_table for t in specs]
    target_names = [m._meta.db_table for m in targets]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
        # Run the checks a caller's transaction may have deferred: ALTER TABLE and TRUNCATE
        # refuse tables with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        for model, f in protect:
            cursor.execute(
                f"SELECT 1 FROM {qn(model._meta.db_table)} "  # noqa: S608  (names from Django's models)
                f"WHERE {qn(f.column)} IS NOT NULL LIMIT 1"
            )
            if cursor.fetchone():
                raise SynthError(
                    f"{model._meta.label} rows point at units or staff ({f.name}) and protect "
                    "them: delete those first."
                )
        for model, f in set_null:
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} SET {qn(f.column)} = NULL "  # noqa: S608
                f"WHERE {qn(f.column)} IS NOT NULL"
            )
        # Foreign keys (from the loaded tables, and into every emptied table: TRUNCATE demands
        # it), unique constraints and secondary indexes go now and come back after the load.
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
            FROM pg_constraint c
            WHERE (c.contype = 'f' AND (c.conrelid = ANY(%s::regclass[])
                                        OR c.confrelid = ANY(%s::regclass[])))
               OR (c.contype IN ('u', 'x') AND c.conrelid = ANY(%s::regclass[]))
            ORDER BY c.contype = 'f' DESC
            """,
            [loaded_names, target_names, loaded_names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
            """,
            [loaded_names],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in target_names)}")
        clock.lap("prepare")

        year = ensure_school_years()
        refs = load_refs(year)
        refs.now = refs.now.isoformat()
        ids = Ids()  # the tables were just emptied

        def copy_sql(table: Table) -> tuple[str, str]:
            extra, suffix = _extra_columns(table)
            cols = ", ".join(qn(c) for c in [*table.columns, *extra])
            return f"COPY {qn(table.db_table)} ({cols}) FROM STDIN WITH (FREEZE)", suffix

        by_key = {t.key: t for t in specs}
        buffers: dict[str, list[str]] = {t.key: [] for t in specs}
        counts = dict.fromkeys(buffers, 0)
        unit_list = list(unit_rows(plan, refs))
        level_list = list(unit_level_rows(plan, refs, ids))
        for key, rows in (("unit", unit_list), ("unit_level", level_list)):
            sql, suffix = copy_sql(by_key[key])
            with raw.copy(sql) as copy:
                copy.write(_tsv(rows, suffix))
            counts[key] = len(rows)
        clock.lap("units")

        # Staff stream straight into COPY; the rows of the smaller tables wait in memory as
        # text (one COPY at a time per connection) and follow.
        started = time.perf_counter()
        sql, person_suffix = copy_sql(by_key["person"])
        suffixes = {key: copy_sql(by_key[key])[1] for key in buffers}
        next_report = 100_000
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            chunk: list[str] = []
            pending = 0
            for batch in iter_school_batches(plan, seed, refs, ids):
                chunk.append(_tsv(batch.persons, person_suffix))
                pending += len(batch.persons)
                counts["person"] += len(batch.persons)
                for key, rows in (
                    ("group", batch.groups),
                    ("position", batch.positions),
                    ("subject", batch.subjects),
                    ("assignment", batch.assignments),
                    ("core", batch.cores),
                ):
                    if rows:
                        buffers[key].append(_tsv(rows, suffixes[key]))
                        counts[key] += len(rows)
                if pending >= 5_000:
                    copy.write("".join(chunk))
                    chunk, pending = [], 0
                if counts["person"] >= next_report:
                    say(_progress_line("staff", counts["person"], started))
                    next_report += 100_000
            if chunk:
                copy.write("".join(chunk))
        say(_progress_line("staff", counts["person"], started))
        clock.lap("staff")

        for key in ("group", "position", "subject", "assignment", "core"):
            started = time.perf_counter()
            sql, _suffix = copy_sql(by_key[key])
            with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                for text in buffers[key]:
                    copy.write(text)
            buffers[key] = []
            say(_progress_line(by_key[key].db_table, counts[key], started))
        clock.lap("links")

        started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _kind in reversed(constraints):  # unique first, then FKs
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
        say(
            f"  rebuilt {len(indexes)} indexes and {len(constraints)} constraints in "
            f"{time.perf_counter() - started:,.1f} s"
        )
        clock.lap("indexes")
        for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(sql)
        for t in specs:
            report.counts[t.db_table] = counts[t.key]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(qn(t) for t in loaded_names)}")
    clock.lap("analyze")
