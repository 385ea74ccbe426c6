"""Generating the staff of each school: name pools, composition, and the rows of each batch."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from opentemis.core.text import fold
from opentemis.site.synth import data
from opentemis.site.synth.base import REFERENCE_DATE, Picker, Row, seeded, uniform
from opentemis.site.synth.plan import Plan, PlannedUnit
from opentemis.staff.ethnicities import is_minority
from opentemis.staff.models import CoreKind, EmploymentStatus

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
    for role, subject, member_of in roles:
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
                group_ids[member_of] if member_of is not None else None,
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
