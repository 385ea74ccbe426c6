"""Planning the unit tree: the Bộ, the Sở, communes, schools and their staff counts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from opentemis.orgs.models import UnitKind
from opentemis.site.synth import data
from opentemis.site.synth.base import (
    Picker,
    SizeSpec,
    SynthError,
    apportion,
    path_step,
    seeded,
)

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
    stype: str = ""  # school type key (data.SCHOOL_TYPES, or "TT"), empty for offices
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
