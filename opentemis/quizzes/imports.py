"""Questions imported into a bank from Excel or from Moodle XML (issue 13 item 3).

**Excel** (.xlsx, the first sheet; the template is ``excel_template()``), one question a row
after a header row (the column names below, case and accents ignored, in any order):

==================  =========================================================================
Mã câu hỏi          optional; the question's stable code (re-importing a row with the same
                    code and new content makes a new version); empty: a hash of the content
Nhóm                the category (required)
Loại                một lựa chọn | nhiều lựa chọn | đúng/sai | số | trả lời ngắn
Câu hỏi             the question (required)
Điểm                the points (default 1)
Đáp án              single: the letter of the correct option (A); multiple: letters (A, C);
                    đúng/sai: Đúng or Sai; số: the number; trả lời ngắn: the accepted answers
                    separated by “|”
Sai số              số: the tolerance (default 0)
Phân biệt hoa thường  trả lời ngắn: “có” to compare letter case (default: not)
Phương án A … H     the options of a choice question
==================  =========================================================================

**Moodle XML** (parsed with defusedxml): ``multichoice`` (single and multiple), ``truefalse``,
``numerical`` and ``shortanswer`` are imported, in the category of the last ``category``
pseudo-question (its last path segment); any other type is skipped with a message naming it.
The key is ``moodle:<category>/<name>``.

Both are atomic: every row is read and checked first; one bad row refuses the file with the
rows' messages and nothing is written. Importing the same file again adds nothing (each
question is found by its key; same content: unchanged).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook as NewWorkbook

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.core.imports.reader import (
    FileRejected,
    Limits,
    Source,
    cell_text,
    open_workbook,
)
from opentemis.core.text import fold
from opentemis.learning.models import Course
from opentemis.quizzes import services
from opentemis.quizzes.grading import parse_number
from opentemis.quizzes.models import QuestionKind

MAX_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 2000
MAX_ERRORS_SHOWN = 20
LETTERS = "ABCDEFGH"
DOCUMENT = gettext_lazy("question bank")

KIND_WORDS = {
    "mot lua chon": QuestionKind.SINGLE,
    "single": QuestionKind.SINGLE,
    "nhieu lua chon": QuestionKind.MULTIPLE,
    "multiple": QuestionKind.MULTIPLE,
    "dung/sai": QuestionKind.TRUEFALSE,
    "dung sai": QuestionKind.TRUEFALSE,
    "truefalse": QuestionKind.TRUEFALSE,
    "so": QuestionKind.NUMERIC,
    "numeric": QuestionKind.NUMERIC,
    "tra loi ngan": QuestionKind.SHORT,
    "short": QuestionKind.SHORT,
}
HEADERS = {
    "ma cau hoi": "key",
    "nhom": "category",
    "loai": "kind",
    "cau hoi": "text",
    "diem": "points",
    "dap an": "answer",
    "sai so": "tolerance",
    "phan biet hoa thuong": "case",
    **{f"phuong an {letter.lower()}": f"option{letter}" for letter in LETTERS},
}
TEMPLATE_HEADERS = [
    "Mã câu hỏi",
    "Nhóm",
    "Loại",
    "Câu hỏi",
    "Điểm",
    "Đáp án",
    "Sai số",
    "Phân biệt hoa thường",
    *[f"Phương án {letter}" for letter in LETTERS],
]


@dataclass
class Parsed:
    """A question read from a file."""

    category: str
    draft: services.Draft
    key: str = ""


@dataclass
class Report:
    added: int = 0
    versions: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


# --- Excel ---------------------------------------------------------------------------------------


def excel_template() -> bytes:
    """The template to fill in: the header row and one example row of each kind."""
    book = NewWorkbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Câu hỏi"
    sheet.append(TEMPLATE_HEADERS)
    examples = [
        [
            "",
            "Nhận thức chung",
            "một lựa chọn",
            "Đánh giá thường xuyên nhằm mục đích chính là gì?",
            1,
            "B",
            "",
            "",
            "Xếp loại học sinh cuối năm",
            "Theo dõi, hỗ trợ sự tiến bộ của học sinh",
            "Chọn học sinh giỏi",
        ],
        [
            "",
            "Nhận thức chung",
            "nhiều lựa chọn",
            "Những công cụ nào dùng cho đánh giá thường xuyên?",
            1,
            "A, C",
            "",
            "",
            "Bảng kiểm",
            "Đề thi học kì",
            "Phiếu học tập",
        ],
        [
            "",
            "Nhận thức chung",
            "đúng/sai",
            "Nhận xét bằng lời là một hình thức đánh giá.",
            1,
            "Đúng",
        ],
        ["", "Vận dụng", "số", "Theo thang 10, điểm đạt tối thiểu là bao nhiêu?", 1, 5, 0],
        [
            "",
            "Vận dụng",
            "trả lời ngắn",
            "Viết tắt của “đánh giá thường xuyên”?",
            1,
            "ĐGTX|ĐG TX",
            "",
            "không",
        ],
    ]
    for row in examples:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_question(row: dict[str, str]) -> Parsed:
    kind = KIND_WORDS.get(fold(row.get("kind", "")).replace(" / ", "/"))
    if kind is None:
        raise ValidationError(
            _(
                "Unknown kind “%(kind)s”: write một lựa chọn, nhiều lựa chọn, đúng/sai, số or "
                "trả lời ngắn."
            )
            % {"kind": row.get("kind", "")[:40]}
        )
    category = row.get("category", "")
    if not category:
        raise ValidationError(_("The category (Nhóm) is empty."))
    answer = row.get("answer", "")
    data: dict[str, Any]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        letters = {x.strip().upper() for x in re.split(r"[,;\s]+", answer) if x.strip()}
        options = [(letter, row.get(f"option{letter}", "")) for letter in LETTERS]
        unknown = letters - {letter for letter, text in options if text}
        if unknown:
            raise ValidationError(
                _("The answer names options that are empty: %(letters)s.")
                % {"letters": ", ".join(sorted(unknown))[:40]}
            )
        data = {
            "choices": [
                {"text": text, "correct": letter in letters} for letter, text in options if text
            ]
        }
    elif kind == QuestionKind.TRUEFALSE:
        word = fold(answer)
        if word not in ("dung", "sai", "true", "false"):
            raise ValidationError(_("Write Đúng or Sai as the answer."))
        data = {"answer": word in ("dung", "true")}
    elif kind == QuestionKind.NUMERIC:
        data = {"answers": [{"value": answer, "tolerance": row.get("tolerance") or "0"}]}
    else:
        data = {
            "answers": [{"text": a} for a in answer.split("|") if a.strip()],
            "case_sensitive": fold(row.get("case", "")) in ("co", "x", "yes", "1"),
        }
    draft = services.Draft(
        kind=kind,
        text=row.get("text", ""),
        data=data,
        points=services.parse_points(row.get("points") or "1"),
    ).cleaned()
    key = row.get("key", "")
    return Parsed(category=category, draft=draft, key=f"code:{key}" if key else "")


def read_excel(content: bytes) -> tuple[list[Parsed], list[str]]:
    """The questions of an Excel file and the rows' errors (``FileRejected`` for the file)."""
    parsed: list[Parsed] = []
    errors: list[str] = []
    with (
        Source(content) as source,
        open_workbook(
            source, document=DOCUMENT, limits=Limits(max_bytes=MAX_BYTES, max_rows=MAX_QUESTIONS)
        ) as book,
    ):
        names = book.sheet_names
        if not names:
            raise FileRejected(_("The file has no sheet."))
        columns: dict[int, str] = {}
        for number, cells in book.rows(names[0]):
            values = {c: cell_text(cell.value) for c, cell in cells.items()}
            if not columns:
                columns = {c: HEADERS[fold(v)] for c, v in values.items() if fold(v) in HEADERS}
                if not {"category", "kind", "text"} <= set(columns.values()):
                    if number >= 10:
                        break
                    columns = {}
                continue
            row = {columns[c]: v.strip() for c, v in values.items() if c in columns}
            if not any(row.values()):
                continue
            try:
                parsed.append(_row_question(row))
            except ValidationError as exc:
                errors.append(
                    _("Row %(n)s: %(problem)s") % {"n": number, "problem": exc.messages[0]}
                )
        if not columns:
            raise FileRejected(
                _("The header row was not found: download the template and keep its first row.")
            )
    return parsed, errors


# --- Moodle XML ---------------------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]+>")


def _text(node: Element | None, path: str = "text") -> str:
    if node is None:
        return ""
    found = node.find(path)
    raw = (found.text if found is not None else "") or ""
    text = html.unescape(_TAGS.sub(" ", raw.replace("<br>", "\n").replace("<br />", "\n")))
    return " ".join(text.split())


def _fraction(answer: Element) -> Decimal:
    value = parse_number(answer.get("fraction", "0")) or Decimal(0)
    return value / 100


def _moodle_question(node: Element, category: str) -> Parsed | str:
    """A question, or the message why it is skipped."""
    qtype = node.get("type", "")
    name = _text(node.find("name")) or _text(node.find("questiontext"))[:80]
    text = _text(node.find("questiontext"))
    answers = node.findall("answer")
    data: dict[str, Any]
    if qtype == "multichoice":
        single = (node.findtext("single") or "true").strip().lower() in ("true", "1")
        kind = QuestionKind.SINGLE if single else QuestionKind.MULTIPLE
        if single:
            best = max((_fraction(a) for a in answers), default=Decimal(0))
            choices = [{"text": _text(a), "correct": _fraction(a) == best > 0} for a in answers]
        else:
            choices = [{"text": _text(a), "correct": _fraction(a) > 0} for a in answers]
        data = {"choices": choices}
    elif qtype == "truefalse":
        right = next((a for a in answers if _fraction(a) == 1), None)
        kind = QuestionKind.TRUEFALSE
        data = {"answer": right is not None and _text(right).lower() in ("true", "đúng")}
    elif qtype == "numerical":
        kind = QuestionKind.NUMERIC
        data = {
            "answers": [
                {
                    "value": _text(a),
                    "tolerance": a.findtext("tolerance") or "0",
                    "fraction": str(_fraction(a)),
                }
                for a in answers
            ]
        }
    elif qtype == "shortanswer":
        kind = QuestionKind.SHORT
        data = {
            "answers": [{"text": _text(a), "fraction": str(_fraction(a))} for a in answers],
            "case_sensitive": (node.findtext("usecase") or "0").strip() == "1",
        }
    else:
        return _("Question “%(name)s”: the type “%(type)s” is not supported, it was skipped.") % {
            "name": name[:80],
            "type": qtype[:30],
        }
    points = services.parse_points(node.findtext("defaultgrade") or "1")
    draft = services.Draft(
        kind=kind,
        text=text,
        data=data,
        points=points if points > 0 else Decimal(1),
        feedback=_text(node.find("generalfeedback")),
    ).cleaned()
    return Parsed(category=category, draft=draft, key=f"moodle:{category}/{name}"[:255])


def read_moodle(content: bytes) -> tuple[list[Parsed], list[str], list[str]]:
    """The questions of a Moodle XML file, the errors and the skipped types."""
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError):
        raise FileRejected(
            _(
                "The file is not a readable Moodle XML file: export the questions again from "
                "Moodle (format “Moodle XML”)."
            )
        ) from None
    if root.tag != "quiz":
        raise FileRejected(_("The file is not a Moodle XML question file (no <quiz> element)."))
    category = _("General")
    parsed: list[Parsed] = []
    errors: list[str] = []
    skipped: list[str] = []
    for number, node in enumerate(root.findall("question"), start=1):
        if node.get("type") == "category":
            path = _text(node.find("category")) or ""
            last = [p for p in path.split("/") if p and not p.startswith("$") and p != "top"]
            category = last[-1][:255] if last else _("General")
            continue
        if len(parsed) >= MAX_QUESTIONS:
            raise FileRejected(
                _("The file holds more than %(n)s questions: split it.") % {"n": MAX_QUESTIONS}
            )
        try:
            found = _moodle_question(node, category)
        except ValidationError as exc:
            name = _text(node.find("name")) or str(number)
            errors.append(
                _("Question “%(name)s”: %(problem)s")
                % {"name": name[:80], "problem": exc.messages[0]}
            )
            continue
        if isinstance(found, str):
            skipped.append(found)
        else:
            parsed.append(found)
    return parsed, errors, skipped


# --- storing ------------------------------------------------------------------------------------


def _refuse(errors: list[str]) -> ValidationError:
    shown = errors[:MAX_ERRORS_SHOWN]
    if len(errors) > MAX_ERRORS_SHOWN:
        shown.append(_("… and %(n)s more.") % {"n": len(errors) - MAX_ERRORS_SHOWN})
    return ValidationError([_("Nothing was imported; correct the file:"), *shown])


def is_xml(content: bytes, name: str = "") -> bool:
    head = content[:200].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") or name.lower().endswith(".xml")


def bank_import(*, actor: User | None, course: Course, content: bytes, name: str = "") -> Report:
    """Import an Excel or Moodle XML file into the course's bank, all or nothing."""
    services._require_manager(actor, course)
    if not content:
        raise ValidationError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    skipped: list[str] = []
    try:
        if is_xml(content, name):
            parsed, errors, skipped = read_moodle(content)
        else:
            parsed, errors = read_excel(content)
    except FileRejected as exc:
        raise ValidationError(exc.problem) from None
    if errors:
        raise _refuse(errors)
    if not parsed and not skipped:
        raise ValidationError(_("The file holds no question."))
    report = Report(skipped=skipped)
    with transaction.atomic():
        bank = services.bank_for(course)
        categories: dict[str, Any] = {}
        for item in _unique(parsed):
            if item.category not in categories:
                categories[item.category] = services.category_get_or_add(
                    bank=bank, name=item.category
                )
            _q, outcome = services.question_put(
                actor=actor,
                bank=bank,
                category=categories[item.category],
                draft=item.draft,
                key=item.key,
            )
            if outcome == "new":
                report.added += 1
            elif outcome == "version":
                report.versions += 1
            else:
                report.unchanged += 1
        audit(
            actor=actor,
            action="quizzes.bank_import",
            obj=bank,
            unit_id=bank.unit_id,
            changes={
                "file": name[:100],
                "added": report.added,
                "versions": report.versions,
                "unchanged": report.unchanged,
                "skipped": len(report.skipped),
            },
        )
    return report


def _unique(parsed: list[Parsed]) -> Iterator[Parsed]:
    """The file's questions, each key once (the last row of a repeated code wins)."""
    seen: dict[str, Parsed] = {}
    for item in parsed:
        seen[item.key or f"hash:{item.draft.content_hash()[:40]}"] = item
    yield from seen.values()
