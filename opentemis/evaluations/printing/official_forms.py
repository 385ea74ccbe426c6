"""The official forms, built from the records as :class:`~.layout.Form` data (one builder each).

Teachers, TT 20/2018 and CV 4530 Phụ lục II: BM1 (self-evaluation), BM2 (a colleague's
opinions on the members of the subject group), BM3 (the group summary of those opinions), BM4
(the school's summary). The BM1 name, header fields, table columns and footer come from
``standards/data/frameworks.yaml`` (verified there). NOTE: the YAML marks the Vietnamese names
of BM2, BM3 and BM4 as UNVERIFIED_VI_NAME; their layouts here follow the process of TT 20
Điều 10 and must be checked against the official annex before being relied on.

Principals, TT 14/2018 and CV 4529: the self-evaluation, the summary of the staff's opinion
poll and the superior's evaluation result. Their names and layouts are UNVERIFIED (no copy of
the CV 4529 annex was available); they mirror the verified BM1 layout.

Builders query the database: call them inside a scope (a request, or ``actor_scope`` in a
task), after the caller has checked that the actor may see the records.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.evaluations import selectors, services
from opentemis.evaluations.models import Cycle, Evaluation, EvaluationKind, PeerOpinion
from opentemis.evaluations.printing.layout import (
    DOTS,
    LEVEL_ORDER,
    LEVEL_SHORT,
    Column,
    Form,
    Paragraph,
    Row,
    Signature,
    Table,
    full_level,
    level_columns,
    level_marks,
)
from opentemis.orgs.models import Unit
from opentemis.orgs.selectors import ancestors
from opentemis.staff.models import Person, SubjectGroup
from opentemis.standards.frameworks import framework_data
from opentemis.standards.models import Criterion, Framework

TT20 = "TT20_2018_GVPT"

# Names of the forms without a verified entry in frameworks.yaml (UNVERIFIED: see above).
PRINCIPAL_SELF_TITLE = "Phiếu tự đánh giá của hiệu trưởng cơ sở giáo dục phổ thông"
PRESCHOOL_PRINCIPAL_SELF_TITLE = "Phiếu tự đánh giá của hiệu trưởng cơ sở giáo dục mầm non"
POLL_TITLE = "Bảng tổng hợp kết quả lấy ý kiến của giáo viên, nhân viên về hiệu trưởng"
RESULT_TITLE = "Phiếu đánh giá, xếp loại hiệu trưởng của cơ quan quản lý cấp trên"

# Guidance under the BM1 header: a paraphrase of the CV 4530 instruction (wording UNVERIFIED).
SELF_GUIDANCE = (
    "Hướng dẫn: Đọc kỹ nội dung yêu cầu các mức của tiêu chí, đối chiếu với các minh chứng và "
    "kết quả thực hiện nhiệm vụ trong năm học, đánh dấu (X) vào ô tương ứng: chưa đạt (CĐ); "
    "đạt (Đ); khá (K); tốt (T)."
)


def form_meta(code: str, framework: str = TT20) -> dict[str, Any]:
    """The form ``code`` (BM1 ... BM4) of a built-in framework as described in frameworks.yaml
    (TT 20's where the framework does not describe it, e.g. TT 26's BM2-BM4 are unknown)."""
    for fw in (framework, TT20):
        forms = (framework_data().get(fw) or {}).get("forms")
        for form in forms if isinstance(forms, list) else []:
            if form["code"] == code and form.get("vi"):
                return dict(form)
    return {"code": code, "vi": code}


# --- shared pieces ---------------------------------------------------------------------------


def ascii_name(text: str) -> str:
    """A file-name-safe ASCII form: "Nguyễn Văn Đức" -> "Nguyen_Van_Duc"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def _date_line(when: dt.datetime | dt.date | None) -> str:
    if when is None:
        return f"{DOTS}, ngày …… tháng …… năm ……"
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when).date()
    return f"{DOTS}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"


def _places(unit: Unit) -> tuple[str, str]:
    """(district or commune, province) names above ``unit``, for the header fields."""
    district = province = ""
    for above in ancestors(unit=unit):
        if above.kind in ("district_office", "commune"):
            district = above.name
        elif above.kind == "department":
            province = re.sub(r"^Sở (GD&ĐT|Giáo dục và Đào tạo)\s+", "", above.name)
    return district, province


def _agency(unit: Unit) -> list[str]:
    parents = ancestors(unit=unit)
    return [parents[-1].name.upper() if parents else "", unit.name.upper()]


def _school_year(cycle: Cycle) -> str:
    return f"Năm học {cycle.school_year}"


class Cache:
    """Per-run lookups shared by the forms of a batch (print-all): criteria per framework."""

    def __init__(self) -> None:
        self.criteria: dict[int, list[Criterion]] = {}
        self.places: dict[int, tuple[str, str]] = {}

    def criteria_of(self, framework: Framework) -> list[Criterion]:
        if framework.pk not in self.criteria:
            self.criteria[framework.pk] = list(
                framework.criteria.select_related("standard").order_by("number")
            )
        return self.criteria[framework.pk]

    def places_of(self, unit: Unit) -> tuple[str, str]:
        if unit.pk not in self.places:
            self.places[unit.pk] = _places(unit)
        return self.places[unit.pk]


def _criteria_rows(
    criteria: Iterable[Criterion],
    cells_for: Callable[[Criterion], list[str]],
    *,
    width: int,
    numbered: bool = True,
) -> list[Row]:
    """A heading row per standard, then a row per criterion: TT, name, then ``cells_for(c)``."""
    rows: list[Row] = []
    standard_id = None
    for criterion in criteria:
        if criterion.standard_id != standard_id:
            standard_id = criterion.standard_id
            standard = criterion.standard
            rows.append(
                Row([f"Tiêu chuẩn {standard.number}. {standard.name}"], heading=True, bold=True)
            )
        name = f"Tiêu chí {criterion.number}. {criterion.name}"
        cells = [str(criterion.number), name, *cells_for(criterion)] if numbered else [name]
        rows.append(Row(cells[:width] + [""] * (width - len(cells))))
    return rows


def _rating_of(evaluation: Evaluation, levels: dict[str, str], stored: str) -> str:
    if stored:
        return stored
    if services.is_complete(evaluation.framework, levels):
        return services.rate_levels(evaluation.framework, levels).level.code
    return ""


def _position_name(person: Person) -> str:
    managers = [p for p in person.positions.all() if p.is_manager]
    return managers[0].name if managers else ""


# --- BM1 and the principal's self-evaluation ---------------------------------------------------


def self_evaluation(evaluation: Evaluation, cache: Cache | None = None) -> Form:
    """BM1 (teachers, TT 20) or the principal's self-evaluation form (TT 14)."""
    cache = cache or Cache()
    person = evaluation.person
    unit = evaluation.unit
    district, province = cache.places_of(unit)
    links: dict[int, list[str]] = {}
    for link in evaluation.links.select_related("evidence").order_by("criterion", "id"):
        links.setdefault(link.criterion, []).append(link.evidence.title)
    levels = evaluation.self_levels or {}
    is_teacher = evaluation.kind == EvaluationKind.TEACHER
    meta = form_meta("BM1", evaluation.framework.code)
    if is_teacher:
        # The header of the framework's own BM1 (TT 26's has no subject: "Nhóm, lớp chủ nhiệm").
        labels = list(meta["header_fields"])
        subjects = ", ".join(s.name for s in person.subjects.all())
        known = {
            "Họ và tên giáo viên": person.full_name,
            "Trường": unit.name,
            "Môn dạy": subjects,
            "Quận/Huyện/Tp,Tx": district,
            "Tỉnh/Thành phố": province,
        }
        values = [known.get(label, "") for label in labels]
        fields = [
            list(zip(labels[i : i + 2], values[i : i + 2], strict=True))
            for i in range(0, len(labels), 2)
        ]
        code, title, prefix = "BM1", meta["vi"], "BM1"
    else:
        fields = [
            [("Họ và tên", person.full_name), ("Chức vụ", _position_name(person))],
            [("Trường", unit.name)],
            [("Quận/Huyện/Tp,Tx", district), ("Tỉnh/Thành phố", province)],
        ]
        # UNVERIFIED code and name (CV 4529 annex not seen; TT 25's by analogy).
        code, title, prefix = "Mẫu 01 (TT 14)", PRINCIPAL_SELF_TITLE, "HT_tu_danh_gia"
        if evaluation.framework.code == "TT25_2018_HTMN":
            code, title = "Mẫu 01 (TT 25)", PRESCHOOL_PRINCIPAL_SELF_TITLE
    columns = [
        Column("TT", 10, "C"),
        Column("Tiêu chí", 72),
        *level_columns(9),
        Column("Minh chứng", 62),
    ]
    rows = _criteria_rows(
        cache.criteria_of(evaluation.framework),
        lambda c: [*level_marks(levels.get(str(c.number))), "; ".join(links.get(c.number, []))],
        width=len(columns),
    )
    rating = _rating_of(evaluation, levels, evaluation.self_rating)
    plan = [
        ("Mục tiêu", evaluation.plan_goals),
        (
            "Nội dung đăng ký học tập, bồi dưỡng (các năng lực cần ưu tiên cải thiện)",
            evaluation.plan_content,
        ),
        ("Thời gian", evaluation.plan_timing),
        ("Điều kiện thực hiện", evaluation.plan_conditions),
    ]
    after = [
        Paragraph("1. Nhận xét (ghi rõ):", bold=True),
        Paragraph(f"- Điểm mạnh: {evaluation.strengths or DOTS}", indent=True),
        Paragraph(f"- Những vấn đề cần cải thiện: {evaluation.improvements or DOTS}", indent=True),
        Paragraph(
            "2. Kế hoạch học tập, bồi dưỡng phát triển năng lực nghề nghiệp trong năm học "
            "tiếp theo",
            bold=True,
        ),
        *[Paragraph(f"- {label}: {value or DOTS}", indent=True) for label, value in plan],
        Paragraph(f"Xếp loại kết quả đánh giá: {full_level(rating) or DOTS}", bold=True),
    ]
    return Form(
        code=code,
        title=title,
        filename=f"{prefix}_{person.staff_code}_{ascii_name(person.full_name)}",
        subtitle=[_school_year(evaluation.cycle)],
        fields=fields,
        intro=[Paragraph(SELF_GUIDANCE, italic=True)],
        table=Table(columns, rows),
        after=after,
        place_date=_date_line(evaluation.submitted_at),
        signatures=[Signature("NGƯỜI TỰ ĐÁNH GIÁ", person.full_name)],
    )


# --- BM2: one colleague's opinions on the members of the subject group --------------------------


def bm2(author: Person, cycle: Cycle) -> Form:
    """BM2 filled by ``author``: each colleague of the group with the level the author gave."""
    meta = form_meta("BM2")
    group = author.subject_group
    colleagues = list(
        Evaluation.objects.filter(
            cycle=cycle,
            kind=EvaluationKind.TEACHER,
            person__subject_group=group,
        )
        .exclude(person=author)
        .select_related("person")
        .order_by("person__search_text", "id")
        if group is not None
        else []
    )
    given = {
        o.evaluation_id: o
        for o in PeerOpinion.objects.filter(author=author, evaluation__in=colleagues)
    }
    columns = [
        Column("TT", 10, "C"),
        Column("Họ và tên giáo viên", 58),
        *level_columns(10),
        Column("Nhận xét", 72),
    ]
    rows = []
    for i, evaluation in enumerate(colleagues, 1):
        opinion = given.get(evaluation.pk)
        rows.append(
            Row(
                [
                    str(i),
                    evaluation.person.full_name,
                    *level_marks(opinion.level if opinion else None),
                    opinion.comment if opinion else "",
                ]
            )
        )
    return Form(
        code="BM2",
        title=meta["vi"],
        filename=f"BM2_{author.staff_code}_{ascii_name(author.full_name)}",
        subtitle=[_school_year(cycle)],
        fields=[
            [("Họ và tên người cho ý kiến", author.full_name)],
            [("Tổ chuyên môn", group.name if group else ""), ("Trường", author.unit.name)],
        ],
        table=Table(columns, rows),
        place_date=_date_line(None),
        signatures=[Signature("NGƯỜI CHO Ý KIẾN", author.full_name)],
    )


# --- BM3: the group summary ---------------------------------------------------------------------


def bm3(group: SubjectGroup, cycle: Cycle, actor: User) -> Form:
    """BM3: per member of the group, how many colleagues gave each level, and the self-rating."""
    meta = form_meta("BM3")
    summary = selectors.group_summary(actor=actor, group=group, cycle=cycle)
    columns = [
        Column("TT", 10, "C"),
        Column("Họ và tên giáo viên", 50),
        *level_columns(12, group="Số ý kiến xếp loại"),
        Column("Tổng số ý kiến", 18, "C"),
        Column("Tự đánh giá", 20, "C"),
        Column("Ghi chú", 34),
    ]
    rows = []
    for i, row in enumerate(summary, 1):
        counts = [str(row.counts.get(code, 0)) for code in LEVEL_ORDER]
        total = sum(row.counts.values())
        self_rating = full_level(row.evaluation.self_rating) if row.evaluation else ""
        rows.append(
            Row(
                [
                    str(i),
                    row.person.full_name,
                    *counts,
                    str(total),
                    self_rating,
                    "; ".join(row.comments),
                ]
            )
        )
    unit = group.unit
    return Form(
        code="BM3",
        title=meta["vi"],
        filename=f"BM3_{ascii_name(group.name)}",
        agency=_agency(unit),
        subtitle=[_school_year(cycle)],
        fields=[[("Tổ chuyên môn", group.name), ("Trường", unit.name)]],
        table=Table(columns, rows),
        place_date=_date_line(None),
        signatures=[Signature("TỔ TRƯỞNG CHUYÊN MÔN")],
    )


# --- BM4: the school summary --------------------------------------------------------------------


def bm4(unit: Unit, cycle: Cycle, cache: Cache | None = None) -> Form:
    """BM4: each teacher of the school with the principal's level per criterion and rating."""
    cache = cache or Cache()
    meta = form_meta("BM4")
    evaluations = list(
        Evaluation.objects.filter(cycle=cycle, unit=unit, kind=EvaluationKind.TEACHER)
        .select_related("person", "framework")
        .order_by("person__search_text", "id")
    )
    numbers = [c.number for c in cache.criteria_of(evaluations[0].framework)] if evaluations else []
    if not numbers:
        framework = Framework.objects.filter(code=TT20).order_by("-version").first()
        numbers = [c.number for c in cache.criteria_of(framework)] if framework else []
    columns = [
        Column("TT", 8, "C"),
        Column("Họ và tên giáo viên", 44),
        *[Column(str(n), 8.4, "C", "Kết quả đánh giá các tiêu chí") for n in numbers],
        Column("Tự đánh giá", 18, "C"),
        Column("Xếp loại", 18, "C"),
        Column("Ghi chú", 267 - 8 - 44 - 8.4 * len(numbers) - 36),
    ]
    rows = []
    tally = dict.fromkeys(LEVEL_ORDER, 0)
    for i, evaluation in enumerate(evaluations, 1):
        levels = evaluation.review_levels or {}
        final = evaluation.final_rating if evaluation.is_locked else ""
        if final in tally:
            tally[final] += 1
        rows.append(
            Row(
                [
                    str(i),
                    evaluation.person.full_name,
                    *[LEVEL_SHORT.get(levels.get(str(n), ""), "") for n in numbers],
                    full_level(evaluation.self_rating),
                    full_level(final),
                    "" if final else "Chưa hoàn thành đánh giá",
                ]
            )
        )
    summary = "; ".join(f"{full_level(code)}: {tally[code]}" for code in reversed(LEVEL_ORDER))
    return Form(
        code="BM4",
        title=meta["vi"],
        filename=f"BM4_{ascii_name(unit.code)}",
        orientation="L",
        agency=_agency(unit),
        subtitle=[_school_year(cycle)],
        fields=[[("Trường", unit.name), ("Tổng số giáo viên được đánh giá", str(len(rows)))]],
        intro=[
            Paragraph(
                "Mức xếp loại từng tiêu chí: CĐ - Chưa đạt; Đ - Đạt; K - Khá; T - Tốt.",
                italic=True,
            )
        ],
        table=Table(columns, rows),
        after=[Paragraph(f"Tổng hợp xếp loại: {summary}.", bold=True)],
        place_date=_date_line(None),
        signatures=[Signature("NGƯỜI LẬP BẢNG"), Signature("HIỆU TRƯỞNG")],
    )


# --- principals: the opinion poll summary and the superior's result ----------------------------


def poll_summary(evaluation: Evaluation, cache: Cache | None = None) -> Form:
    """The staff's anonymous poll about a principal: counts per criterion and level, nothing else
    (and nothing at all below ``services.POLL_MIN_BALLOTS`` answers)."""
    cache = cache or Cache()
    results = services.poll_results(evaluation)
    person = evaluation.person
    columns = [
        Column("TT", 10, "C"),
        Column("Tiêu chí", 110),
        *level_columns(15, group="Số ý kiến xếp loại"),
    ]

    def counts(criterion: Criterion) -> list[str]:
        row = results.criteria.get(criterion.number, {})
        return [str(row.get(code, 0)) for code in LEVEL_ORDER]

    table = None
    intro = [Paragraph(f"Số phiếu thu về: {results.answers}", bold=True)]
    if results.shown:
        rows = _criteria_rows(cache.criteria_of(evaluation.framework), counts, width=6)
        overall = [str(results.overall.get(code, 0)) for code in LEVEL_ORDER]
        rows.append(Row(["", "Xếp loại chung", *overall], bold=True))
        table = Table(columns, rows)
    else:
        intro.append(
            Paragraph(
                f"Chưa đủ số phiếu để tổng hợp: kết quả chỉ được tổng hợp khi có từ "
                f"{services.POLL_MIN_BALLOTS} phiếu trở lên, để bảo đảm tính ẩn danh.",
                italic=True,
            )
        )
    return Form(
        code="Mẫu 03 (TT 14)",  # UNVERIFIED code and name (CV 4529 annex not seen)
        title=POLL_TITLE,
        filename=f"HT_lay_y_kien_{person.staff_code}_{ascii_name(person.full_name)}",
        agency=_agency(evaluation.unit),
        subtitle=[_school_year(evaluation.cycle)],
        fields=[
            [("Họ và tên", person.full_name), ("Chức vụ", _position_name(person))],
            [("Trường", evaluation.unit.name)],
        ],
        intro=intro,
        table=table,
        place_date=_date_line(None),
        signatures=[Signature("NGƯỜI TỔNG HỢP")],
    )


def superior_result(evaluation: Evaluation, cache: Cache | None = None) -> Form:
    """The evaluator's levels per criterion, comments and overall rating for a principal."""
    cache = cache or Cache()
    person = evaluation.person
    levels = evaluation.review_levels or {}
    comments = evaluation.review_comments or {}
    columns = [
        Column("TT", 10, "C"),
        Column("Tiêu chí", 80),
        *level_columns(9),
        Column("Nhận xét", 54),
    ]
    rows = _criteria_rows(
        cache.criteria_of(evaluation.framework),
        lambda c: [*level_marks(levels.get(str(c.number))), comments.get(str(c.number), "")],
        width=len(columns),
    )
    rating = _rating_of(evaluation, levels, evaluation.final_rating)
    reviewer = evaluation.reviewer
    reviewer_name = ""
    if reviewer is not None:
        reviewer_person = getattr(reviewer, "person", None)
        reviewer_name = reviewer_person.full_name if reviewer_person else reviewer.get_full_name()
    district, province = cache.places_of(evaluation.unit)
    return Form(
        code="Mẫu 04 (TT 14)",  # UNVERIFIED code and name (CV 4529 annex not seen)
        title=RESULT_TITLE,
        filename=f"HT_ket_qua_{person.staff_code}_{ascii_name(person.full_name)}",
        subtitle=[_school_year(evaluation.cycle)],
        fields=[
            [("Họ và tên", person.full_name), ("Chức vụ", _position_name(person))],
            [("Trường", evaluation.unit.name)],
            [("Quận/Huyện/Tp,Tx", district), ("Tỉnh/Thành phố", province)],
        ],
        table=Table(columns, rows),
        after=[
            Paragraph(f"Nhận xét chung: {evaluation.review_note or DOTS}"),
            Paragraph(f"Xếp loại kết quả đánh giá: {full_level(rating) or DOTS}", bold=True),
        ],
        place_date=_date_line(evaluation.finalised_at),
        signatures=[Signature("THỦ TRƯỞNG CƠ QUAN QUẢN LÝ CẤP TRÊN", reviewer_name)],
    )
