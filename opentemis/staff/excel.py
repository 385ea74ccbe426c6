"""Staff spreadsheets: the import template, the import itself and the export.

The file format is a contract with the users' spreadsheets: the sheet name, the Vietnamese column
headers and the Vietnamese values ("Nam", "Đại học", "Đang công tác") are data, not interface
text, so they are not translated; an export re-imports unchanged. Everything the user reads about
the file (instructions, error messages) is translated.

The import works in two phases:

1. *Read*: the upload is checked as a container before any XML is parsed (size, magic bytes,
   zip structure, declared uncompressed sizes and compression ratios), then the sheet is streamed
   with openpyxl's read-only mode and each cell is parsed; every problem is collected (up to
   :data:`ERROR_CAP`) with its row, column and a fix.
2. *Apply*, in one transaction: the rows are resolved against the database in bulk (units of the
   importing subtree, existing people by staff code, subject groups, current positions and
   subjects), checked against the actor's reach, and written with bulk inserts and updates.
   Nothing is written when any row has an error (unless ``partial=True``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import XMLPullParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet.datavalidation import DataValidation

from opentemis.accounts.permissions import perm_paths, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.services import audit
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.core.text import fold, nfc
from opentemis.orgs.models import Unit
from opentemis.staff.ethnicities import ETHNICITIES, NAMES, code_for, is_minority
from opentemis.staff.models import (
    Assignment,
    EmploymentStatus,
    Person,
    Position,
    Qualification,
    Subject,
    SubjectGroup,
)
from opentemis.staff.selectors import StaffFilter, staff_list
from opentemis.staff.services import search_text_for

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The file format
# ---------------------------------------------------------------------------------------------

DATA_SHEET = "Danh sách cán bộ"
HELP_SHEET = "Hướng dẫn"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ERROR_CAP = 500
BATCH = 2000
# Excel's own limit: a row number past it means a crafted file (openpyxl would pad up to it).
EXCEL_MAX_ROWS = 1_048_576
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 10
MAX_CELL_CHARS = 500
# Zip-bomb guards, checked on the declared sizes before anything is decompressed (Python's
# zipfile never inflates a member past its declared size, so the declaration is binding).
MAX_ZIP_MEMBERS = 1000
MAX_RATIO = 100  # real sheets compress 5-20x; deflate bombs reach ~1000x
RATIO_CHECK_FROM = 1024 * 1024  # tiny members (styles, rels) may compress oddly well
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Column:
    """One column of the staff sheet: its key, its header (a fixed Vietnamese string) and width."""

    key: str
    header: str
    width: int
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("staff_code", "Mã cán bộ", 16, ("ma dinh danh", "ma gv", "staff code")),
    Column("full_name", "Họ và tên", 30, ("ho ten", "full name")),
    Column("gender", "Giới tính", 10, ("gender",)),
    Column("date_of_birth", "Ngày sinh", 14, ("ngay thang nam sinh", "date of birth")),
    Column("ethnicity", "Dân tộc", 14, ("ethnicity",)),
    Column("phone", "Điện thoại", 15, ("so dien thoai", "dien thoai di dong", "phone")),
    Column("email", "Email", 28, ("e-mail", "thu dien tu")),
    Column("qualification", "Trình độ", 14, ("trinh do dao tao", "qualification")),
    Column("positions", "Chức vụ", 18, ("positions", "position")),
    Column("subjects", "Môn dạy", 18, ("mon", "subjects", "subject")),
    Column("subject_group", "Tổ chuyên môn", 24, ("to", "subject group")),
    Column("unit_code", "Mã đơn vị", 14, ("unit code",)),
    Column("status", "Trạng thái", 16, ("tinh trang", "status")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEXT_COLUMNS = ("staff_code", "date_of_birth", "phone")  # kept as text so leading zeros survive

GENDER_LABELS = {"M": "Nam", "F": "Nữ"}
QUALIFICATION_LABELS = {
    Qualification.BELOW_COLLEGE: "Trung cấp",
    Qualification.COLLEGE: "Cao đẳng",
    Qualification.BACHELOR: "Đại học",
    Qualification.MASTER: "Thạc sĩ",
    Qualification.DOCTOR: "Tiến sĩ",
    Qualification.OTHER: "Khác",
}
STATUS_LABELS = {
    EmploymentStatus.WORKING: "Đang công tác",
    EmploymentStatus.ON_LEAVE: "Tạm nghỉ",
    EmploymentStatus.RETIRED: "Nghỉ hưu",
    EmploymentStatus.LEFT: "Thôi việc",
}


def _vocabulary(labels: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """Folded spellings accepted for a choice: the Vietnamese label, the stored code, synonyms."""
    vocab = {fold(label): code for code, label in labels.items()}
    vocab.update({fold(code): code for code in labels})
    vocab.update(extra)
    return vocab


# Synonyms seen in real lists, and the English words for users of the English interface.
GENDERS = _vocabulary(GENDER_LABELS, {"male": "M", "female": "F"})
QUALIFICATIONS = _vocabulary(
    QUALIFICATION_LABELS,
    {
        "cu nhan": "dai_hoc", "thac sy": "thac_si", "tien sy": "tien_si", "vocational": "trung_cap",
        "college": "cao_dang", "bachelor": "dai_hoc", "master": "thac_si", "doctorate": "tien_si",
        "other": "khac",
    },
)  # fmt: skip
STATUSES = _vocabulary(
    STATUS_LABELS,
    {
        "dang lam viec": "working", "nghi viec": "left", "da nghi viec": "left",
        "working": "working", "on leave": "on_leave", "retired": "retired", "left": "left",
    },
)  # fmt: skip

# Person fields compared and written by the import (the rest are derived or keys).
PERSON_FIELDS = (
    "full_name", "gender", "date_of_birth", "ethnicity", "phone", "email", "qualification",
    "employment_status",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in an uploaded file: where it is and how to fix it.

    ``row`` is the spreadsheet row number (``None`` for a problem with the whole file) and
    ``column`` the Vietnamese header of the column, as the user sees it in the file.
    """

    row: int | None
    column: str
    problem: str
    cell: str = ""

    @property
    def message(self) -> str:
        if self.row is None:
            return self.problem
        if not self.column:
            return _("Row %(row)s: %(problem)s") % {"row": self.row, "problem": self.problem}
        return _("Row %(row)s, column «%(column)s»: %(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.problem,
        }

    def __str__(self) -> str:
        return self.message


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transferred: int = 0
    skipped: int = 0
    rows: int = 0
    groups_created: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    errors_truncated: bool = False
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[ImportIssue]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[ImportIssue]:
        return [e for e in self.errors if e.row is not None]

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "transferred": self.transferred,
            "skipped": self.skipped,
            "groups_created": self.groups_created,
        }


class _FileRejected(Exception):
    """The file as a whole cannot be imported; ``problem`` tells the user why and what to do."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _TooManyErrors(Exception):
    """The error cap was reached: stop reading, the user has enough to fix."""


class _Issues:
    """Collects issues up to a cap and remembers which rows are bad."""

    def __init__(self) -> None:
        self.cap = ERROR_CAP
        self.items: list[ImportIssue] = []
        self.bad_rows: set[int] = set()
        self.truncated = False

    def add(self, row: int | None, column: str, problem: str, cell: str = "") -> None:
        if len(self.items) >= self.cap:
            self.truncated = True
            raise _TooManyErrors
        self.items.append(ImportIssue(row=row, column=column, problem=problem, cell=cell))
        if row is not None:
            self.bad_rows.add(row)


class _CellError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


# ---------------------------------------------------------------------------------------------
# Reading the upload safely
# ---------------------------------------------------------------------------------------------


def _max_uncompressed() -> int:
    """Total unpacked size allowed: 2 KB per allowed row, where a real row takes ~0.8 KB."""
    configured = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", None)
    if configured:
        return int(configured)
    return max(64 * 1024 * 1024, settings.IMPORT_MAX_ROWS * 2048)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


class _Source:
    """A seekable binary stream over whatever was passed: a path, bytes or a file object."""

    def __init__(self, file: Any) -> None:
        self._owned: IO[bytes] | None = None
        if isinstance(file, str | Path):
            self._owned = open(file, "rb")  # noqa: SIM115  (closed in close())
            self.stream: Any = self._owned
        elif isinstance(file, bytes | bytearray):
            self.stream = io.BytesIO(bytes(file))
        else:
            self.stream = file
        self.name = str(getattr(file, "name", "") or "")

    def size(self) -> int:
        self.stream.seek(0, io.SEEK_END)
        size = int(self.stream.tell())
        self.stream.seek(0)
        return size

    def contains(self, needle: bytes, limit: int) -> bool:
        """Scan the raw bytes in chunks (never the whole file in memory at once)."""
        self.stream.seek(0)
        tail = b""
        read = 0
        while read < limit:
            chunk = self.stream.read(1024 * 1024)
            if not chunk:
                break
            read += len(chunk)
            if needle in tail + chunk:
                self.stream.seek(0)
                return True
            tail = chunk[-len(needle) :]
        self.stream.seek(0)
        return False

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()


def _check_container(source: _Source) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx, before parsing any XML."""
    size = source.size()
    limit = settings.IMPORT_MAX_BYTES
    if size == 0:
        raise _FileRejected(
            _("The file is empty. Choose the filled-in staff list (.xlsx) and upload it again.")
        )
    if size > limit:
        raise _FileRejected(
            _(
                "The file is %(size)s MB, more than the %(limit)s MB allowed. Split the list "
                "into several files (for example one per school) and import them one by one."
            )
            % {"size": _mb(size), "limit": _mb(limit)}
        )
    head = source.stream.read(8)
    source.stream.seek(0)
    if head == CFB_MAGIC:
        # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream;
        # any other compound file is a legacy .xls (or .doc) workbook.
        if source.contains(ENCRYPTED_STREAM, limit):
            raise _FileRejected(_encrypted_message())
        raise _FileRejected(
            _(
                "The file is in the old Excel 97-2003 format (.xls). Open it in Excel, save it "
                "as “Excel Workbook (.xlsx)” and upload the new file."
            )
        )
    if not head.startswith(b"PK\x03\x04"):
        raise _FileRejected(_not_xlsx_message())
    if _declared_entries(source.stream, size) > MAX_ZIP_MEMBERS:
        # Checked on the raw end record: ZipFile would build an object per entry first.
        raise _FileRejected(_not_xlsx_message())
    try:
        with zipfile.ZipFile(source.stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _FileRejected(_damaged_message()) from None
    finally:
        source.stream.seek(0)
    names = {m.filename for m in members}
    if len(members) > MAX_ZIP_MEMBERS or not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        # A .docx, .ods, .zip ... renamed to .xlsx.
        raise _FileRejected(_not_xlsx_message())
    if any(m.flag_bits & 0x1 for m in members):
        raise _FileRejected(_encrypted_message())
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FROM and ratio > MAX_RATIO:
            raise _FileRejected(_bomb_message(member.file_size))
        if member.file_size > _member_limit(member.filename):
            raise _FileRejected(_bomb_message(member.file_size))
    if total > _max_uncompressed():
        raise _FileRejected(_bomb_message(total))


def _declared_entries(stream: Any, size: int) -> int:
    """The entry count in the zip's end-of-central-directory record (0 if none is found)."""
    tail_size = min(size, 22 + 65535)  # the record, plus a comment of at most 64 KB
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    stream.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return 0  # ZipFile will call it damaged
    # 0xFFFF means "see the zip64 record": far more entries than a workbook has anyway.
    return int.from_bytes(tail[end + 10 : end + 12], "little")


def _member_limit(name: str) -> int:
    """Largest unpacked size for one part. Parts parsed whole (shared strings, styles, the
    workbook) get a tighter cap than the streamed worksheets; media are never parsed."""
    if name.startswith("xl/worksheets/") or name.startswith("xl/media/"):
        return _max_uncompressed()
    if name == "xl/sharedStrings.xml":
        return max(16 * 1024 * 1024, settings.IMPORT_MAX_ROWS * 640)
    return 16 * 1024 * 1024


def _encrypted_message() -> str:
    return _(
        "The file is protected by a password, so it cannot be read. Open it in Excel, remove "
        "the password (File > Info > Protect Workbook > Encrypt with Password, clear the "
        "password), save it and upload it again."
    )


def _not_xlsx_message() -> str:
    return _(
        "The file is not an Excel workbook (.xlsx), whatever its name says: it may be a PDF, "
        "a Word or CSV file, or a renamed file. Open the staff list in Excel, save it as "
        "“Excel Workbook (.xlsx)” and upload the new file."
    )


def _damaged_message() -> str:
    return _(
        "The file is damaged or was not uploaded completely, so it cannot be read. Open it in "
        "Excel to check it, save it again as .xlsx and upload it again."
    )


def _bomb_message(size: int) -> str:
    return _(
        "The file unpacks to %(size)s MB, far more than a staff list needs, so it was refused "
        "for safety. Copy the data (values only) into the template and upload that file."
    ) % {"size": _mb(size)}


# ---------------------------------------------------------------------------------------------
# Parsing cells
# ---------------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row after cell parsing. ``None`` means "cell empty: keep what is recorded"."""

    number: int
    staff_code: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    positions: frozenset[int] | None = None
    subjects: frozenset[int] | None = None
    group_name: str | None = None
    unit_code: str | None = None
    invalid: set[str] = field(default_factory=set)  # keys of cells already reported


def _header_key(text: Any) -> str:
    if text is None:
        return ""
    cleaned = re.sub(r"\(.*?\)|\*", " ", str(text))
    return fold(cleaned)


_HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    _HEADER_LOOKUP[_header_key(_column.header)] = _column.key
    for _alias in _column.aliases:
        _HEADER_LOOKUP[_header_key(_alias)] = _column.key


def _text(value: Any) -> str:
    """Any cell value as NFC text; integral numbers lose the ``.0`` Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def _ref_key(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").split())


@dataclass(frozen=True)
class _Failed:
    problem: str


class _Parsers:
    """Cell parsers with per-import caches (the same few values repeat on every row)."""

    def __init__(self) -> None:
        self.positions = self._lookup(Position.objects.all())
        self.subjects = self._lookup(Subject.objects.all())
        self._cache: dict[tuple[str, str], Any] = {}
        today = timezone.localdate()
        # Plausible dates of birth for someone working in a school (day 28 avoids 29 Feb).
        self.oldest = dt.date(1920, 1, 1)
        self.youngest = dt.date(today.year - 15, today.month, min(today.day, 28))

    @staticmethod
    def _lookup(queryset: Iterable[Position] | Iterable[Subject]) -> dict[str, int]:
        items = list(queryset)
        lookup: dict[str, int] = {}
        for item in items:
            lookup.setdefault(_ref_key(item.name), item.pk)
        for item in items:  # codes win over a name that folds to the same key
            lookup[_ref_key(item.code)] = item.pk
        return lookup

    def cached(self, kind: str, text: str, parse: Callable[[str], Any]) -> Any:
        """``parse(text)``, remembered; a failure is remembered as its message."""
        key = (kind, text)
        if key not in self._cache:
            try:
                self._cache[key] = parse(text)
            except _CellError as exc:
                self._cache[key] = _Failed(exc.problem)
        hit = self._cache[key]
        if isinstance(hit, _Failed):
            raise _CellError(hit.problem)  # a fresh exception: re-raising one grows its traceback
        return hit

    # Each parser takes the raw cell value (not None, not blank) and returns the stored value.

    def staff_code(self, value: Any) -> str:
        text = _text(value).upper()
        if len(text) > 32 or not re.fullmatch(r"[0-9A-Z][0-9A-Z._/-]*", text):
            raise _CellError(
                _(
                    "«%(value)s» is not a valid staff code; use at most 32 letters (without "
                    "accents), digits and the signs - _ . /"
                )
                % {"value": _text(value)}
            )
        return text

    def full_name(self, value: Any) -> str:
        text = _text(value)
        if len(text) > 150:
            raise _CellError(_too_long(150))
        if not any(ch.isalpha() for ch in text) or not all(
            ch.isalpha() or ch in " .'-" for ch in text
        ):
            raise _CellError(
                _("«%(value)s» is not a valid full name; write letters only, e.g. Nguyễn Văn An.")
                % {"value": text}
            )
        return text

    def gender(self, value: Any) -> str:
        return self.cached("gender", _text(value), self._gender)

    def _gender(self, text: str) -> str:
        code = GENDERS.get(fold(text))
        if code is None:
            raise _CellError(_("«%(value)s» is not a gender; enter Nam or Nữ.") % {"value": text})
        return code

    def date_of_birth(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # A date typed into a cell formatted as a number: Excel's day serial.
            if not 1 <= value < 100_000:
                raise _CellError(_bad_date(_text(value)))
            day = from_excel(value).date()
        else:
            day = self.cached("date", _text(value), self._date_text)
        if not self.oldest <= day <= self.youngest:
            raise _CellError(
                _(
                    "%(value)s is not a plausible date of birth; check the day, month and year "
                    "(dd/mm/yyyy)."
                )
                % {"value": day.strftime("%d/%m/%Y")}
            )
        return day

    def _date_text(self, text: str) -> dt.date:
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
        try:
            if match:
                return dt.date(int(match[3]), int(match[2]), int(match[1]))
            if iso:
                return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            pass
        raise _CellError(_bad_date(text))

    def ethnicity(self, value: Any) -> str:
        return self.cached("ethnicity", _text(value), self._ethnicity)

    def _ethnicity(self, text: str) -> str:
        code = code_for(text)
        if code is None:
            raise _CellError(
                _(
                    "«%(value)s» is not an ethnic group; enter a name or a code listed in the "
                    "sheet «%(sheet)s», e.g. Kinh or 01."
                )
                % {"value": text, "sheet": HELP_SHEET}
            )
        return code

    def phone(self, value: Any) -> str:
        text = _text(value)
        if isinstance(value, int | float) and len(text) == 9:
            text = "0" + text  # the cell was a number, so Excel dropped the leading zero
        digits = "".join(ch for ch in text if ch.isdigit())
        cleaned = ("+" if text.startswith("+") else "") + digits
        if not 9 <= len(digits) <= 15 or re.search(r"[^\d\s.+()-]", text):
            raise _CellError(
                _("«%(value)s» is not a phone number; enter 9 to 15 digits, e.g. 0912345678.")
                % {"value": text}
            )
        return cleaned

    def email(self, value: Any) -> str:
        text = _text(value).lower()
        try:
            validate_email(text)
        except ValidationError:
            raise _CellError(
                _("«%(value)s» is not an email address; write it like ten@truong.edu.vn.")
                % {"value": _text(value)}
            ) from None
        if len(text) > 254:
            raise _CellError(_too_long(254))
        return text

    def qualification(self, value: Any) -> str:
        return self.cached("qualification", _text(value), self._qualification)

    def _qualification(self, text: str) -> str:
        code = QUALIFICATIONS.get(fold(text))
        if code is None:
            raise _CellError(
                _("«%(value)s» is not a qualification; choose one of: %(choices)s.")
                % {"value": text, "choices": ", ".join(QUALIFICATION_LABELS.values())}
            )
        return str(code)

    def status(self, value: Any) -> str:
        return self.cached("status", _text(value), self._status)

    def _status(self, text: str) -> str:
        code = STATUSES.get(fold(text))
        if code is None:
            raise _CellError(
                _("«%(value)s» is not an employment status; choose one of: %(choices)s.")
                % {"value": text, "choices": ", ".join(STATUS_LABELS.values())}
            )
        return str(code)

    def position_ids(self, value: Any) -> frozenset[int]:
        return self.cached("positions", _text(value), self._position_ids)

    def _position_ids(self, text: str) -> frozenset[int]:
        ids, unknown = _parse_refs(text, self.positions)
        if unknown:
            raise _CellError(
                _(
                    "«%(value)s» is not a known position; use the codes or names listed in "
                    "the sheet «%(sheet)s», separated by commas."
                )
                % {"value": unknown[0], "sheet": HELP_SHEET}
            )
        return ids

    def subject_ids(self, value: Any) -> frozenset[int]:
        return self.cached("subjects", _text(value), self._subject_ids)

    def _subject_ids(self, text: str) -> frozenset[int]:
        ids, unknown = _parse_refs(text, self.subjects)
        if unknown:
            raise _CellError(
                _(
                    "«%(value)s» is not a known subject; use the codes or names listed in "
                    "the sheet «%(sheet)s», separated by commas."
                )
                % {"value": unknown[0], "sheet": HELP_SHEET}
            )
        return ids

    def group_name(self, value: Any) -> str:
        text = _text(value)
        if len(text) > 150:
            raise _CellError(_too_long(150))
        return text

    def unit_code(self, value: Any) -> str:
        text = _text(value)
        if len(text) > 32:
            raise _CellError(_too_long(32))
        return text


def _too_long(limit: int) -> str:
    return _("the text is longer than %(limit)s characters; shorten it.") % {"limit": limit}


def _bad_date(text: str) -> str:
    return _("«%(value)s» is not a valid date; enter it as dd/mm/yyyy.") % {"value": text}


def _parse_refs(text: str, lookup: dict[str, int]) -> tuple[frozenset[int], list[str]]:
    """Several codes or names in one cell, separated by commas or semicolons.

    A name may itself contain a comma ("Hoạt động trải nghiệm, hướng nghiệp"), so within a
    semicolon-separated chunk the longest run of comma-separated pieces that names something wins.
    """
    ids: set[int] = set()
    unknown: list[str] = []
    for chunk in re.split(r"[;\n]", text):
        pieces = [p.strip() for p in chunk.split(",")]
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                found = lookup.get(_ref_key(",".join(pieces[i:j])))
                if found is not None:
                    ids.add(found)
                    i = j
                    break
            else:
                if pieces[i]:
                    unknown.append(pieces[i])
                i += 1
    return frozenset(ids), unknown


# Which parser fills which part of a row.
_FIELD_PARSERS: dict[str, str] = {
    "full_name": "full_name",
    "gender": "gender",
    "date_of_birth": "date_of_birth",
    "ethnicity": "ethnicity",
    "phone": "phone",
    "email": "email",
    "qualification": "qualification",
    "status": "status",
}


@dataclass(slots=True)
class _Cell:
    """A cell as read from the sheet XML: 1-based column, typed value, and whether a formula."""

    column: int
    value: Any
    formula: bool = False


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _F, _IS, _T, _R = (f"{_NS}{tag}" for tag in ("row", "c", "v", "f", "is", "t", "r"))


def _read_rows(source: _Source, issues: _Issues) -> tuple[list[_Row], int]:
    """Stream the data sheet and parse every row; returns the rows and the data-row count.

    openpyxl reads the workbook parts (sheet list, shared strings, date styles) with defusedxml;
    the sheet itself is streamed here (see ``_xml_elements``). openpyxl's read-only worksheet parses
    a sheet twice when it has no <dimension> (as in every write-only file, our exports
    included) and builds an object per cell: this loop is 2-3x faster on 50,000 rows.
    """
    try:
        reader = ExcelReader(source.stream, read_only=True, data_only=False, keep_links=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
    except Exception:  # openpyxl raises many kinds on hostile input; all mean "unreadable"
        logger.info("Unreadable workbook uploaded", exc_info=True)
        raise _FileRejected(_damaged_message()) from None
    try:
        target = _pick_sheet(reader)
        with reader.archive.open(target) as xml:
            cells = _sheet_rows(
                xml, reader.shared_strings, reader.wb._date_formats, reader.wb.epoch
            )
            return _read_sheet(cells, issues)
    except (_FileRejected, _TooManyErrors):
        raise
    except Exception:
        logger.info("Workbook failed while streaming", exc_info=True)
        raise _FileRejected(_damaged_message()) from None
    finally:
        reader.archive.close()


def _pick_sheet(reader: ExcelReader) -> str:
    """The archive path of the staff sheet: the template's sheet, else the first other one."""
    names = set(reader.archive.namelist())
    sheets = [
        (sheet.name, rel.target)
        for sheet, rel in reader.parser.find_sheets()
        if rel.target in names and "chartsheet" not in rel.Type
    ]
    for name, target in sheets:
        if fold(name) == fold(DATA_SHEET):
            return target
    for name, target in sheets:
        if fold(name) != fold(HELP_SHEET):
            return target
    raise _FileRejected(
        _(
            "The workbook has no sheet with a staff list. Download the template and fill in "
            "the sheet «%(sheet)s»."
        )
        % {"sheet": DATA_SHEET}
    )


def _sheet_rows(
    xml: IO[bytes], shared: list[str], date_styles: Any, epoch: dt.datetime
) -> Iterator[tuple[int, dict[int, _Cell]]]:
    """Yield (row number, {column: cell}) for each non-empty <row> of a worksheet part."""
    columns: dict[str, int] = {}
    number = seen = 0
    # Empty rows that only carry formatting cost memory too (the parsed tree keeps a stub per
    # row), so all <row> elements count against a cap, not only the rows with data.
    row_cap = 2 * settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS
    for element in _xml_elements(xml):
        if element.tag != _ROW:
            continue
        number = int(element.get("r") or number + 1)
        if number > EXCEL_MAX_ROWS:
            raise _FileRejected(_damaged_message())
        seen += 1
        if seen > row_cap:
            raise _FileRejected(
                _(
                    "The sheet has more than %(limit)s rows, counting empty rows that carry "
                    "formatting. Delete the unused rows under the list, or copy the list into "
                    "the template, and upload it again."
                )
                % {"limit": row_cap}
            )
        cells: dict[int, _Cell] = {}
        column = 0
        for c in element.iter(_C):
            ref = c.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                column = columns.get(letters) or columns.setdefault(
                    letters, column_index_from_string(letters)
                )
            else:
                column += 1
            if column > MAX_COLUMNS:
                continue
            value = _cell_value(c, shared, date_styles, epoch)
            formula = c.find(_F) is not None
            if value is not None or formula:
                cells[column] = _Cell(column, value, formula)
        element.clear()
        if cells:
            yield number, cells


_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def _xml_elements(xml: IO[bytes]) -> Iterator[Any]:
    """Closed elements of an XML stream, parsed by the C parser; DTDs are refused.

    The C parser is twice as fast as defusedxml's pure-Python one on a 50,000-row sheet. What
    defusedxml adds is refusing DTDs (entity declarations live only there): a worksheet never
    has one, so any DOCTYPE is refused here. Expat >= 2.4.1 also caps entity amplification.
    """
    parser = XMLPullParser(events=("end",))
    tail = b""
    while chunk := xml.read(256 * 1024):
        window = tail + chunk
        if any(doctype in window for doctype in _DOCTYPES):
            raise _FileRejected(_damaged_message())
        tail = chunk[-32:]
        parser.feed(chunk)
        for _event, element in parser.read_events():
            yield element
    parser.close()
    for _event, element in parser.read_events():
        yield element


def _cell_value(c: Any, shared: list[str], date_styles: Any, epoch: dt.datetime) -> Any:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        node = c.find(_IS)
        if node is None:
            return None
        # Plain text is <t>; rich text is runs <r><t>; phonetic guides (<rPh>) are skipped.
        return "".join(
            (part.text or "") if part.tag == _T else "".join(t.text or "" for t in part.iter(_T))
            for part in node
            if part.tag in (_T, _R)
        )
    v = c.find(_V)
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text.strip() == "1"
    if kind == "d":
        return from_ISO8601(text)
    number: int | float = float(text) if any(ch in text for ch in ".eE") else int(text)
    style = c.get("s")
    if style is not None and int(style) in date_styles:
        return from_excel(number, epoch)
    return number


def _read_sheet(
    rows: Iterator[tuple[int, dict[int, _Cell]]], issues: _Issues
) -> tuple[list[_Row], int]:
    columns = _find_header(rows)
    parsers = _Parsers()
    max_rows = settings.IMPORT_MAX_ROWS
    parsed: list[_Row] = []
    first_row_of: dict[str, int] = {}
    code_column = COLUMN_BY_KEY["staff_code"].header
    for number, cells in rows:
        values = {key: cells[index] for key, index in columns.items() if index in cells}
        values = {
            key: cell for key, cell in values.items() if cell.formula or not _blank(cell.value)
        }
        if not values:
            continue
        if len(parsed) >= max_rows:
            raise _FileRejected(
                _(
                    "The file has more than %(limit)s data rows. Split it into several files "
                    "(for example one per school) and import them one by one."
                )
                % {"limit": max_rows}
            )
        row = _parse_row(number, values, parsers, issues)
        parsed.append(row)
        if row.staff_code:
            first = first_row_of.setdefault(row.staff_code, number)
            if first != number:
                issues.add(
                    number,
                    code_column,
                    _(
                        "the staff code «%(value)s» is already on row %(first)s; keep one row "
                        "per person."
                    )
                    % {"value": row.staff_code, "first": first},
                )
    return parsed, len(parsed)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(rows: Iterator[tuple[int, dict[int, _Cell]]]) -> dict[str, int]:
    """Find the header among the first rows; returns {column key: column number}."""
    for _i, (_number, cells) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        columns: dict[str, int] = {}
        for index, cell in sorted(cells.items()):
            key = _HEADER_LOOKUP.get(_header_key(cell.value))
            if key is None:
                continue
            if key in columns:
                raise _FileRejected(
                    _("The column «%(column)s» appears twice in the header row; keep only one.")
                    % {"column": COLUMN_BY_KEY[key].header}
                )
            columns[key] = index
        if "staff_code" in columns and "full_name" in columns:
            return columns
    raise _FileRejected(
        _(
            "The header row was not found: one of the first rows must contain the columns "
            "«%(code)s» and «%(name)s». Download the template and copy your data into it."
        )
        % {"code": COLUMN_BY_KEY["staff_code"].header, "name": COLUMN_BY_KEY["full_name"].header}
    )


def _parse_row(number: int, cells: dict[str, _Cell], parsers: _Parsers, issues: _Issues) -> _Row:
    """Parse the non-empty cells of one row; each bad cell adds an issue."""
    row = _Row(number=number)
    for key, cell in cells.items():
        column = COLUMN_BY_KEY[key]
        if cell.formula or (isinstance(cell.value, str) and len(cell.value) > MAX_CELL_CHARS):
            row.invalid.add(key)
        if cell.formula:
            ref = f"{get_column_letter(cell.column)}{number}"
            issues.add(
                number,
                column.header,
                _(
                    "the cell %(cell)s contains a formula. Copy the column and paste it back "
                    "as values only (Paste Special > Values), then upload again."
                )
                % {"cell": ref},
                cell=ref,
            )
            continue
        value = cell.value
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            issues.add(number, column.header, _too_long(MAX_CELL_CHARS))
            continue
        try:
            if key == "staff_code":
                row.staff_code = parsers.staff_code(value)
            elif key == "positions":
                row.positions = parsers.position_ids(value)
            elif key == "subjects":
                row.subjects = parsers.subject_ids(value)
            elif key == "subject_group":
                row.group_name = parsers.group_name(value)
            elif key == "unit_code":
                row.unit_code = parsers.unit_code(value)
            else:
                name = "employment_status" if key == "status" else key
                row.fields[name] = getattr(parsers, _FIELD_PARSERS[key])(value)
        except _CellError as exc:
            row.invalid.add(key)
            issues.add(number, column.header, exc.problem)
    if "staff_code" not in cells:
        issues.add(
            number,
            COLUMN_BY_KEY["staff_code"].header,
            _("the staff code is required on every row; fill it in."),
        )
    return row


# ---------------------------------------------------------------------------------------------
# Applying rows to the database
# ---------------------------------------------------------------------------------------------


@dataclass
class _Existing:
    """A person already recorded under a staff code in the file (values as stored)."""

    pk: int
    unit_id: int
    unit_path: str
    unit_name: str
    subject_group_id: int | None
    version: int
    values: dict[str, Any]


@dataclass
class _Plan:
    """What one valid row will do: create a person, update one, or leave one as it is."""

    row: _Row
    existing: _Existing | None
    unit_id: int
    values: dict[str, Any]  # every PERSON_FIELDS value plus subject_group_id, after the row
    positions: frozenset[int] | None  # None: links stay as they are
    subjects: frozenset[int] | None
    new_group: tuple[int, str] | None = None  # (unit id, folded name) of a group to create
    moved: bool = False
    changed: bool = True
    person_id: int = 0  # the existing person's id, or the new one's once inserted
    unit_path: str = ""  # the target unit's path, copied onto the person (set in _write)


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reach(actor: Any, perm: str) -> Callable[[str], bool]:
    """A fast ``has_perm_on`` for many rows: the prefixes are computed once."""
    paths = perm_paths(actor, perm)
    if paths is None:
        return lambda path: True
    return lambda path: any(path.startswith(p) for p in paths)


def _load_existing(codes: list[str], lock: bool) -> dict[str, _Existing]:
    """Everyone already holding one of ``codes``, wherever they work.

    Staff codes are unique nationally, so a code used in another province must be found (and
    refused) rather than collide on insert: this lookup runs in the system scope on purpose and
    only the actor-reachable records' values are ever used.
    """
    found: dict[str, _Existing] = {}
    names = [
        "id",
        "staff_code",
        "unit_id",
        "unit__path",
        "unit__name",
        "subject_group_id",
        "version",
        *PERSON_FIELDS,
    ]
    with system_scope():
        for chunk in _chunks(codes):
            qs = Person.objects.filter(staff_code__in=chunk)
            if lock:
                qs = qs.select_for_update(of=("self",))
            for values in qs.values_list(*names):
                record = dict(zip(names, values, strict=True))
                found[record["staff_code"]] = _Existing(
                    pk=record["id"],
                    unit_id=record["unit_id"],
                    unit_path=record["unit__path"],
                    unit_name=record["unit__name"],
                    subject_group_id=record["subject_group_id"],
                    version=record["version"],
                    values={name: record[name] for name in PERSON_FIELDS},
                )
    return found


def _load_links(through: Any, column: str, person_ids: list[int]) -> dict[int, frozenset[int]]:
    links: dict[int, set[int]] = {pk: set() for pk in person_ids}
    for chunk in _chunks(person_ids):
        for person_id, other_id in through.objects.filter(person_id__in=chunk).values_list(
            "person_id", column
        ):
            links[person_id].add(other_id)
    return {pk: frozenset(ids) for pk, ids in links.items()}


def staff_import(
    *,
    actor: Any,
    unit: Unit,
    file: Any,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportResult:
    """Import a staff spreadsheet into ``unit``'s subtree; see the module docstring.

    ``file`` is a path, bytes or a binary file object (an ``UploadedFile``). By default the
    import is all-or-nothing; ``partial=True`` writes the valid rows and reports the others.
    Rows are matched to people by staff code: new codes are created, known codes are updated
    (empty cells keep the recorded value), identical rows are left untouched.
    """
    require_perm_on(actor, Perm.IMPORT_STAFF, unit.path)
    result = ImportResult(dry_run=dry_run)
    issues = _Issues()
    source = _Source(file)
    try:
        with actor_scope(actor):
            _check_container(source)
            rows, result.rows = _read_rows(source, issues)
            if not rows:
                raise _FileRejected(
                    _(
                        "The file has no data rows under the header. Fill in one row per person "
                        "and upload it again."
                    )
                )
            try:
                _apply(
                    actor=actor,
                    unit=unit,
                    rows=rows,
                    issues=issues,
                    result=result,
                    dry_run=dry_run,
                    partial=partial,
                    file_name=source.name,
                )
            except IntegrityError:
                # Someone saved one of these staff codes between our checks and our inserts;
                # the transaction was rolled back as a whole.
                logger.info("Staff import collided with a concurrent write", exc_info=True)
                result.written = False
                raise _FileRejected(
                    _(
                        "Some of these people were saved by someone else while the file was "
                        "being imported, so nothing was saved. Import the file again."
                    )
                ) from None
    except _FileRejected as exc:
        issues.items.append(ImportIssue(row=None, column="", problem=exc.problem))
    except _TooManyErrors:
        pass
    finally:
        source.close()
    result.errors = issues.items
    result.errors_truncated = issues.truncated
    return result


def _apply(
    *,
    actor: Any,
    unit: Unit,
    rows: list[_Row],
    issues: _Issues,
    result: ImportResult,
    dry_run: bool,
    partial: bool,
    file_name: str,
) -> None:
    with transaction.atomic():
        plans = _plan(actor=actor, unit=unit, rows=rows, issues=issues, lock=not dry_run)
        result.skipped = len(issues.bad_rows)
        result.created = sum(1 for p in plans if p.existing is None)
        result.updated = sum(1 for p in plans if p.existing is not None and p.changed)
        result.unchanged = sum(1 for p in plans if p.existing is not None and not p.changed)
        result.transferred = sum(1 for p in plans if p.moved)
        if dry_run or (issues.items and not partial) or not (result.created or result.updated):
            return  # a file identical to the records leaves no trace, not even an audit event
        _write(actor=actor, plans=plans, result=result)
        result.written = True
        audit(
            actor=actor,
            action="staff.import",
            unit=unit,
            changes={**result.counts(), "file": Path(file_name).name[-200:]},
        )


def _plan(*, actor: Any, unit: Unit, rows: list[_Row], issues: _Issues, lock: bool) -> list[_Plan]:
    """Resolve every row against the database; returns the plans of the rows without errors."""
    can_change = _reach(actor, Perm.CHANGE_STAFF)
    units = {
        code.upper(): (pk, path, name)
        for pk, code, path, name in Unit.objects.filter(path__startswith=unit.path).values_list(
            "id", "code", "path", "name"
        )
    }
    existing = _load_existing([r.staff_code for r in rows if r.staff_code], lock=lock)
    reachable = [e.pk for e in existing.values() if can_change(e.unit_path)]
    positions = _load_links(Person.positions.through, "position_id", reachable)
    subjects = _load_links(Person.subjects.through, "subject_id", reachable)
    group_units = {unit.pk} | {e.unit_id for e in existing.values()}
    group_units |= {
        units[r.unit_code.upper()][0] for r in rows if (r.unit_code or "").upper() in units
    }
    groups = {
        (unit_id, fold(name)): pk
        for pk, unit_id, name in SubjectGroup.objects.filter(unit_id__in=group_units).values_list(
            "id", "unit_id", "name"
        )
    }
    plans: list[_Plan] = []
    for row in rows:
        person = existing.get(row.staff_code) if row.staff_code else None
        target = (
            _target_unit(row, person, unit, units, can_change, issues) if row.staff_code else None
        )
        if target is None:
            continue
        if person is None:
            missing = [
                k for k in ("full_name", "gender") if k not in row.fields and k not in row.invalid
            ]
            for key in missing:
                issues.add(
                    row.number,
                    COLUMN_BY_KEY[key].header,
                    _("a new person needs this value; fill it in."),
                )
            if missing or row.invalid & {"full_name", "gender"}:
                continue
        if row.number in issues.bad_rows:
            continue
        moved = person is not None and person.unit_id != target
        values = dict(person.values) if person is not None else dict(NEW_PERSON)
        values.update(row.fields)
        new_group = None
        if row.group_name is not None:
            key = (target, fold(row.group_name))
            values["subject_group_id"] = groups.get(key)
            new_group = key if key not in groups else None
        elif person is not None and not moved:
            values["subject_group_id"] = person.subject_group_id
        else:
            values["subject_group_id"] = None  # a group belongs to a school: moving leaves it
        plan = _Plan(
            row=row,
            existing=person,
            unit_id=target,
            values=values,
            positions=row.positions,
            subjects=row.subjects,
            new_group=new_group,
            moved=moved,
            person_id=person.pk if person else 0,
        )
        if person is not None:
            if plan.positions == positions[person.pk]:
                plan.positions = None  # unchanged links are not rewritten
            if plan.subjects == subjects[person.pk]:
                plan.subjects = None
            plan.changed = (
                moved
                or new_group is not None
                or plan.positions is not None
                or plan.subjects is not None
                or values["subject_group_id"] != person.subject_group_id
                or any(values[name] != person.values[name] for name in PERSON_FIELDS)
            )
        plans.append(plan)
    return [p for p in plans if p.row.number not in issues.bad_rows]


NEW_PERSON: dict[str, Any] = {
    "full_name": "",
    "gender": "",
    "date_of_birth": None,
    "ethnicity": "01",
    "phone": "",
    "email": "",
    "qualification": "",
    "employment_status": EmploymentStatus.WORKING.value,
}


def _target_unit(
    row: _Row,
    person: _Existing | None,
    unit: Unit,
    units: dict[str, tuple[int, str, str]],
    can_change: Callable[[str], bool],
    issues: _Issues,
) -> int | None:
    """The id of the unit the row's person will belong to, or None after recording why not."""
    code_header = COLUMN_BY_KEY["staff_code"].header
    unit_header = COLUMN_BY_KEY["unit_code"].header
    if person is not None and not can_change(person.unit_path):
        issues.add(
            row.number,
            code_header,
            _(
                "the staff code «%(value)s» already belongs to a person managed by another "
                "unit; check the code, or ask that unit to transfer the person."
            )
            % {"value": row.staff_code},
        )
        return None
    if row.unit_code is not None:
        target = units.get(row.unit_code.upper())
        if target is None:
            issues.add(
                row.number,
                unit_header,
                _(
                    "«%(value)s» is not the code of a unit in %(unit)s; use a unit code listed "
                    "in the sheet «%(sheet)s», or leave the cell empty for %(unit)s itself."
                )
                % {"value": row.unit_code, "unit": unit.name, "sheet": HELP_SHEET},
            )
            return None
    elif person is not None:
        target = (person.unit_id, person.unit_path, person.unit_name)
        if not person.unit_path.startswith(unit.path):
            issues.add(
                row.number,
                unit_header,
                _(
                    "this person works at %(current)s, outside %(unit)s; to move them here, "
                    "enter the code of their new unit in this column."
                )
                % {"current": person.unit_name, "unit": unit.name},
            )
            return None
    else:
        target = (unit.pk, unit.path, unit.name)
    if not can_change(target[1]):
        issues.add(
            row.number,
            unit_header,
            _(
                "you may not change the staff of %(unit)s; ask an administrator of that unit to "
                "import this row."
            )
            % {"unit": target[2]},
        )
        return None
    return target[0]


def _write(*, actor: Any, plans: list[_Plan], result: ImportResult) -> None:
    """Write the plans with prepared statements run with ``executemany``.

    These bypass the ORM's save path and the scoped manager on purpose: every row was checked
    against the actor's CHANGE_STAFF reach in ``_plan``, and the ORM's per-object work was most of
    the time (``bulk_update`` alone took 40 s for 5,000 rows on SQLite; ``bulk_create`` compiles
    every value). Identifiers come from the models' metadata; every value is a bound parameter.
    """
    ops = connection.ops
    today = ops.adapt_datefield_value(timezone.localdate())
    now = ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    changed = [p for p in plans if p.existing is not None and p.changed]
    new_plans = [p for p in plans if p.existing is None]
    result.groups_created = _create_groups(plans)
    unit_paths = dict(
        Unit.dangerously_unscoped.filter(pk__in={p.unit_id for p in plans}).values_list(
            "id", "path"
        )
    )
    for plan in plans:
        plan.unit_path = unit_paths[plan.unit_id]

    _dangerously_execute_many(
        _insert_sql(Person, ["staff_code", *PERSON_ROW, "version", "created_at", "updated_at"]),
        [[p.row.staff_code, *_person_row(p), 1, now, now] for p in new_plans],
    )
    ids: dict[str, int] = {}
    for chunk in _chunks([p.row.staff_code for p in new_plans]):
        ids.update(Person.objects.filter(staff_code__in=chunk).values_list("staff_code", "id"))
    for plan in new_plans:
        plan.person_id = ids[plan.row.staff_code]

    quote = ops.quote_name
    version = quote("version")
    assignments = ", ".join(f"{quote(Person._meta.get_field(n).column)} = %s" for n in PERSON_ROW)
    _dangerously_execute_many(
        f"UPDATE {quote(Person._meta.db_table)} SET {assignments}, "  # noqa: S608
        f"{quote('updated_at')} = %s, {version} = {version} + 1 WHERE {quote('id')} = %s",
        [[*_person_row(p), now, p.person_id] for p in changed],
    )

    for attr, through, column in (
        ("positions", Person.positions.through, "position_id"),
        ("subjects", Person.subjects.through, "subject_id"),
    ):
        touched = [p.person_id for p in changed if getattr(p, attr) is not None]
        for chunk in _chunks(touched):
            through.objects.filter(person_id__in=chunk).delete()
        links = [
            [p.person_id, pk]
            for p in [*new_plans, *changed]
            for pk in sorted(getattr(p, attr) or ())
        ]
        _dangerously_execute_many(
            _insert_sql(through, ["person", column.removesuffix("_id")]), links
        )

    # History: new people start an assignment today; moved people close theirs and open one.
    moved = [p for p in changed if p.moved]
    for chunk in _chunks([p.person_id for p in moved]):
        Assignment.objects.filter(person_id__in=chunk, end_date__isnull=True).update(end_date=today)
    note = _("Moved by a staff import")
    _dangerously_execute_many(
        _insert_sql(Assignment, ["person", "unit", "start_date", "note", "recorded_by"]),
        [[p.person_id, p.unit_id, today, "", actor_id] for p in new_plans]
        + [[p.person_id, p.unit_id, today, note, actor_id] for p in moved],
    )


# Person columns written from a plan, in this order (see _person_row).
PERSON_ROW = [*PERSON_FIELDS, "search_text", "is_dtts", "unit", "unit_path", "subject_group"]


def _person_row(plan: _Plan) -> list[Any]:
    values = plan.values
    born = values["date_of_birth"]
    row = [values[name] for name in PERSON_FIELDS]
    row[PERSON_FIELDS.index("date_of_birth")] = (
        connection.ops.adapt_datefield_value(born) if born else None
    )
    return [
        *row,
        search_text_for(values["full_name"], plan.row.staff_code),
        is_minority(values["ethnicity"]),
        plan.unit_id,
        plan.unit_path,
        values["subject_group_id"],
    ]


def _insert_sql(model: Any, names: list[str]) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    marks = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608


def _dangerously_execute_many(sql: str, params: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)


def _create_groups(plans: list[_Plan]) -> int:
    """Subject groups named in the file but missing in their school are created once each."""
    wanted: dict[tuple[int, str], str] = {}
    for plan in plans:
        if plan.new_group is not None and plan.row.group_name:
            wanted.setdefault(plan.new_group, plan.row.group_name)
    if not wanted:
        return 0
    created = SubjectGroup.objects.bulk_create(
        [SubjectGroup(unit_id=unit_id, name=name) for (unit_id, _key), name in wanted.items()]
    )
    ids = {(g.unit_id, fold(g.name)): g.pk for g in created}
    for plan in plans:
        if plan.new_group is not None:
            plan.values["subject_group_id"] = ids[plan.new_group]
    return len(created)


# ---------------------------------------------------------------------------------------------
# Export and template
# ---------------------------------------------------------------------------------------------

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def _safe(ws: Any, value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is stored as a plain string, explicitly.

    The cell keeps the exact text (so an export re-imports unchanged) but is typed as a string
    with Excel's quote prefix, so neither Excel nor LibreOffice evaluates it.
    """
    if isinstance(value, str) and value.startswith(_RISKY_START):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def export_staff_xlsx(*, actor: Any, filters: StaffFilter | None = None) -> IO[bytes]:
    """The actor's filtered staff list as an .xlsx in the import format; a temp file at 0.

    Streams with openpyxl's write-only mode over ``staff_list`` in chunks, so memory stays flat
    for a whole province. The caller closes the file (``FileResponse`` does).
    """
    with actor_scope(actor):
        qs = (
            staff_list(actor=actor, filters=filters)
            .select_related("unit", "subject_group")
            .prefetch_related(
                Prefetch("positions", queryset=Position.objects.only("id", "code", "order")),
                Prefetch("subjects", queryset=Subject.objects.only("id", "code", "order")),
            )
        )
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(DATA_SHEET)
        for index, column in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in COLUMNS:
            cell = WriteOnlyCell(ws, column.header)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            header.append(cell)
        ws.append(header)
        for person in qs.iterator(chunk_size=BATCH):
            ws.append([_safe(ws, value) for value in _export_values(person)])
        out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who closes it)
        workbook.save(out)
    out.seek(0)
    return out


def _export_values(person: Person) -> list[Any]:
    born = person.date_of_birth
    return [
        person.staff_code,
        person.full_name,
        GENDER_LABELS.get(person.gender, person.gender),
        born.strftime("%d/%m/%Y") if born else None,
        NAMES.get(person.ethnicity, person.ethnicity),
        person.phone or None,
        person.email or None,
        QUALIFICATION_LABELS.get(person.qualification, person.qualification) or None,
        ", ".join(p.code for p in person.positions.all()) or None,
        ", ".join(s.code for s in person.subjects.all()) or None,
        person.subject_group.name if person.subject_group else None,
        person.unit.code,
        STATUS_LABELS.get(person.employment_status, person.employment_status),
    ]


def _column_help() -> dict[str, tuple[str, str]]:
    """Per column: (required?, what to enter). Shown in the instructions and as cell prompts."""
    yes, new, no = _("Yes"), _("For new people"), _("No")
    return {
        "staff_code": (yes, _("The person's staff code. It identifies the person: an existing "
                              "code updates that person, a new code adds one.")),
        "full_name": (new, _("Full name with accents, e.g. Nguyễn Văn An.")),
        "gender": (new, _("Nam or Nữ.")),
        "date_of_birth": (no, _("Date as dd/mm/yyyy, e.g. 17/05/1985.")),
        "ethnicity": (no, _("Name or code of the ethnic group, e.g. Kinh or 01. Empty for a "
                            "new person means Kinh.")),
        "phone": (no, _("Phone number with its leading 0, e.g. 0912345678.")),
        "email": (no, _("Email address, e.g. an@truong.edu.vn.")),
        "qualification": (no, _("Highest qualification, chosen from the list.")),
        "positions": (no, _("Position codes or names, several separated by commas, "
                            "e.g. GV, TTCM.")),
        "subjects": (no, _("Subject codes or names taught, several separated by commas, "
                           "e.g. TOAN, TIN.")),
        "subject_group": (no, _("Name of the subject group in the person's school; a new name "
                                "creates the group.")),
        "unit_code": (no, _("Code of the person's school or unit. Empty means the unit you "
                            "import into; another code moves the person there.")),
        "status": (no, _("Employment status, chosen from the list. Empty for a new person "
                         "means Đang công tác.")),
    }  # fmt: skip


def staff_template_xlsx(*, actor: Any = None, unit: Unit | None = None) -> bytes:
    """The import template: the data sheet with dropdowns and the instructions sheet.

    With ``actor`` and ``unit``, the instructions also list the codes of the units of the
    unit's subtree (the actor must be allowed to import there).
    """
    if unit is None:
        return _template(None)
    require_perm_on(actor, Perm.IMPORT_STAFF, unit.path)
    with actor_scope(actor):
        return _template(unit)


def _template(unit: Unit | None) -> bytes:
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    help_sheet = workbook.create_sheet(HELP_SHEET)
    column_help = _column_help()
    last_row = settings.IMPORT_MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        data.column_dimensions[letter].width = column.width
        if column.key in TEXT_COLUMNS:
            # Text cells keep leading zeros and stop Excel turning 05/06 into 6 May.
            data.column_dimensions[letter].number_format = "@"
    data.freeze_panes = "A2"

    lists = _write_help(help_sheet, column_help, unit)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    for key, (_required, prompt) in column_help.items():
        strict = key in {"gender", "qualification", "status"}
        source = lists.get(key)
        validation = DataValidation(
            type="list" if source else None,
            formula1=source,
            allow_blank=True,
            showErrorMessage=strict,
            showInputMessage=True,
            promptTitle=COLUMN_BY_KEY[key].header,
            prompt=prompt[:255],
        )
        if strict:
            validation.errorTitle = COLUMN_BY_KEY[key].header
            validation.error = _("Choose a value from the list.")
        validation.add(f"{letters[key]}2:{letters[key]}{last_row}")
        data.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_help(
    ws: Any, column_help: dict[str, tuple[str, str]], unit: Unit | None
) -> dict[str, str]:
    """Fill the instructions sheet; returns the list ranges used by the dropdowns."""
    bold = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 90
    ws.append([_("How to fill in the staff list")])
    ws["A1"].font = Font(bold=True, size=14)
    steps = [
        _("Fill in one row per person in the sheet «%(sheet)s», under the header row. Do not "
          "rename the header cells.") % {"sheet": DATA_SHEET},
        _("An empty cell keeps the value already recorded; the import never removes people "
          "who are not in the file."),
        _("Type values, not formulas: cells with formulas are refused."),
        _("Dates are written dd/mm/yyyy. Phone numbers keep their leading 0."),
        _("If any row has an error, nothing is imported: the page lists every error with its "
          "row and column, so you can correct them all and upload the file again."),
        _("Importing the same file again changes nothing; an exported list can be edited and "
          "imported back."),
    ]  # fmt: skip
    for number, step in enumerate(steps, start=1):
        ws.append([f"{number}.", None, step])
    ws.append([])
    ws.append([_("Column"), _("Required"), _("What to enter")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for column in COLUMNS:
        required, text = column_help[column.key]
        ws.append([column.header, required, text])
        ws.cell(row=ws.max_row, column=3).alignment = Alignment(wrap_text=True)

    ranges: dict[str, str] = {}
    title = f"'{HELP_SHEET}'"

    def table(heading: str, rows: list[tuple[str, str]], key: str | None, use_code: bool) -> None:
        ws.append([])
        ws.append([heading])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.append([_("Code"), _("Name")])
        for cell in ws[ws.max_row]:
            cell.font = bold
        first = ws.max_row + 1
        for code, name in rows:
            ws.append([code, name])
        if key is not None and rows:
            letter = "A" if use_code else "B"
            ranges[key] = f"{title}!${letter}${first}:${letter}${ws.max_row}"

    table(_("Genders"), [(label, label) for label in GENDER_LABELS.values()], "gender", True)
    table(
        _("Qualifications"),
        [(str(c), label) for c, label in QUALIFICATION_LABELS.items()],
        "qualification",
        False,
    )
    table(
        _("Employment statuses"),
        [(str(c), label) for c, label in STATUS_LABELS.items()],
        "status",
        False,
    )
    table(_("Positions"), list(Position.objects.values_list("code", "name")), "positions", True)
    table(_("Subjects"), list(Subject.objects.values_list("code", "name")), "subjects", True)
    table(_("Ethnic groups"), list(ETHNICITIES), "ethnicity", False)
    if unit is not None:
        units = list(
            Unit.objects.filter(path__startswith=unit.path)
            .order_by("path")
            .values_list("code", "name")[:5000]
        )
        table(_("Units"), units, "unit_code", True)
    return ranges
