"""Reading an uploaded .xlsx safely: the container checked before any XML, then sheets streamed.

Every spreadsheet import (the staff list, the paper evaluation form, a framework, and the
imports to come) reads its upload through this module, and nothing else in the project opens
an uploaded workbook:

1. :class:`Source` wraps whatever was uploaded (a path, bytes or a file object) as a seekable
   stream; use it as a context manager so a file it opened is closed.
2. :func:`open_workbook` first checks the container (:func:`check_container`) before any XML
   is parsed, refusing anything that is not a plain, reasonably sized .xlsx: empty or
   oversized files, legacy .xls and encrypted workbooks, other files renamed to .xlsx, zip
   directories declaring too many entries and zip bombs (declared sizes and compression
   ratios). It then reads the workbook parts with openpyxl (defusedxml) and gives a
   :class:`Workbook` whose worksheets are streamed row by row as :class:`Cell` values; any
   failure while reading becomes a "damaged file" refusal.
3. :class:`Limits` are the import's own bounds (file size, data rows); the defaults come from
   ``settings.IMPORT_MAX_BYTES`` and ``settings.IMPORT_MAX_ROWS``.

The helpers below them are the cell readers every import shares: :func:`cell_text`,
:func:`header_key`, :func:`find_header`, :func:`formula_problem`.

A refusal is a :exc:`FileRejected` whose ``problem`` is a translated message telling the user
what to do. Messages that depend on what the importer expects name it through ``document``, a
lazily translated noun the caller passes (``gettext_lazy("staff list")``), so each importer's
refusals name the file the user should upload.

python-calamine was measured as a replacement for the parsing here and not adopted (it cannot
tell a formula from a value, and loads a whole sheet before the row cap can act):
``docs/decisions/0015-spreadsheet-imports.md``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import XMLPullParser

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

from opentemis.core.imports.container import CFB_MAGIC, ZIP_MAGIC, zip_declared_entries
from opentemis.core.imports.issues import TooManyIssues
from opentemis.core.text import fold, nfc

logger = logging.getLogger(__name__)

# Excel's own limit: a row number past it means a crafted file (openpyxl would pad up to it).
EXCEL_MAX_ROWS = 1_048_576
MAX_COLUMNS = 100
# Zip-bomb guards, checked on the declared sizes before anything is decompressed (Python's
# zipfile never inflates a member past its declared size, so the declaration is binding).
MAX_ZIP_MEMBERS = 1000
MAX_RATIO = 100  # real sheets compress 5-20x; deflate bombs reach ~1000x
RATIO_CHECK_FROM = 1024 * 1024  # tiny members (styles, rels) may compress oddly well
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Rows above the data (a title, the header) allowed on top of the import's row limit; the
# header is searched for among as many rows.
HEADER_SEARCH_ROWS = 10
_HEADER_ROWS = HEADER_SEARCH_ROWS


@dataclass(frozen=True)
class Limits:
    """How much one import reads. ``None`` takes the setting, read when the file is read (so
    a test's or a deployment's override applies): ``max_bytes`` the upload's size
    (``IMPORT_MAX_BYTES``), ``max_rows`` the data rows of a sheet (``IMPORT_MAX_ROWS``), which
    also bounds the unpacked size and the rows parsed (formatted empty ones count)."""

    max_bytes: int | None = None
    max_rows: int | None = None
    max_columns: int = MAX_COLUMNS

    @property
    def bytes(self) -> int:
        return int(self.max_bytes or settings.IMPORT_MAX_BYTES)

    @property
    def rows(self) -> int:
        return int(self.max_rows or settings.IMPORT_MAX_ROWS)


class FileRejected(Exception):
    """The file as a whole cannot be read; ``problem`` tells the user why and what to do."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


# ---------------------------------------------------------------------------------------------
# The upload and its container
# ---------------------------------------------------------------------------------------------


class Source:
    """A seekable binary stream over an upload: a path, bytes or a binary file object.

    ``stream`` is the stream (at position 0 after every check), ``name`` the file's name if it
    has one. A path is opened here and closed by :meth:`close` or on leaving a ``with`` block;
    a file object passed in stays open.
    """

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

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def size(self) -> int:
        self.stream.seek(0, io.SEEK_END)
        size = int(self.stream.tell())
        self.stream.seek(0)
        return size

    def contains(self, needle: bytes, limit: int) -> bool:
        """Whether ``needle`` is in the first ``limit`` bytes, scanned in chunks (never the whole
        file in memory at once)."""
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


def check_container(source: Source, document: str | Promise, limits: Limits | None = None) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx, before parsing any XML.

    ``document`` names what the importer expects, as a lazily translated noun (for example
    ``gettext_lazy("staff list")``); the messages that tell the user which file to upload
    name it. Raises :exc:`FileRejected`.
    """
    limits = limits or Limits()
    size = source.size()
    limit = limits.bytes
    if size == 0:
        raise FileRejected(
            _("The file is empty. Choose the filled-in %(document)s (.xlsx) and upload it again.")
            % {"document": document}
        )
    if size > limit:
        raise FileRejected(
            _(
                "The file is %(size)s MB, more than the %(limit)s MB allowed. Delete what the "
                "%(document)s does not need (pictures, other sheets), or split it into several "
                "smaller files, and upload them one by one."
            )
            % {"size": _mb(size), "limit": _mb(limit), "document": document}
        )
    head = source.stream.read(8)
    source.stream.seek(0)
    if head == CFB_MAGIC:
        # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream;
        # any other compound file is a legacy .xls (or .doc) workbook.
        if source.contains(ENCRYPTED_STREAM, limit):
            raise FileRejected(_encrypted_message())
        raise FileRejected(
            _(
                "The file is in the old Excel 97-2003 format (.xls). Open it in Excel, save it "
                "as “Excel Workbook (.xlsx)” and upload the new file."
            )
        )
    if not head.startswith(ZIP_MAGIC):
        raise FileRejected(_not_xlsx_message(document))
    entries = zip_declared_entries(source.stream)
    if entries is None:  # no end record: truncated, or not a zip after all
        raise FileRejected(damaged_message())
    if entries > MAX_ZIP_MEMBERS:
        # Checked on the raw end record: ZipFile would build an object per entry first.
        raise FileRejected(_not_xlsx_message(document))
    try:
        with zipfile.ZipFile(source.stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRejected(damaged_message()) from None
    finally:
        source.stream.seek(0)
    names = {m.filename for m in members}
    if len(members) > MAX_ZIP_MEMBERS or not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        # A .docx, .ods, .zip ... renamed to .xlsx.
        raise FileRejected(_not_xlsx_message(document))
    if any(m.flag_bits & 0x1 for m in members):
        raise FileRejected(_encrypted_message())
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FROM and ratio > MAX_RATIO:
            raise FileRejected(_bomb_message(member.file_size, document))
        if member.file_size > _member_limit(member.filename, limits):
            raise FileRejected(_bomb_message(member.file_size, document))
    if total > _max_uncompressed(limits):
        raise FileRejected(_bomb_message(total, document))


def damaged_message() -> str:
    """The refusal of a file that looked like a workbook but could not be read."""
    return _(
        "The file is damaged or was not uploaded completely, so it cannot be read. Open it in "
        "Excel to check it, save it again as .xlsx and upload it again."
    )


def _max_uncompressed(limits: Limits) -> int:
    """Total unpacked size allowed: 2 KB per allowed row, where a real row takes ~0.8 KB."""
    configured = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", None)
    if configured:
        return int(configured)
    return max(64 * 1024 * 1024, limits.rows * 2048)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _member_limit(name: str, limits: Limits) -> int:
    """Largest unpacked size for one part. Parts parsed whole (shared strings, styles, the
    workbook) get a tighter cap than the streamed worksheets; media are never parsed."""
    if name.startswith("xl/worksheets/") or name.startswith("xl/media/"):
        return _max_uncompressed(limits)
    if name == "xl/sharedStrings.xml":
        return max(16 * 1024 * 1024, limits.rows * 640)
    return 16 * 1024 * 1024


def _encrypted_message() -> str:
    return _(
        "The file is protected by a password, so it cannot be read. Open it in Excel, remove "
        "the password (File > Info > Protect Workbook > Encrypt with Password, clear the "
        "password), save it and upload it again."
    )


def _not_xlsx_message(document: str | Promise) -> str:
    return _(
        "The file is not an Excel workbook (.xlsx), whatever its name says: it may be a PDF, "
        "a Word or CSV file, or a renamed file. Open the %(document)s in Excel and save it as "
        "“Excel Workbook (.xlsx)”, or copy it into the template, then upload the new file."
    ) % {"document": document}


def _bomb_message(size: int, document: str | Promise) -> str:
    return _(
        "The file unpacks to %(size)s MB, far more than the %(document)s needs, so it was "
        "refused for safety. Copy the data (values only) into the template and upload that file."
    ) % {"size": _mb(size), "document": document}


# ---------------------------------------------------------------------------------------------
# The workbook and its sheets
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    """A cell as read from the sheet XML: 1-based column, typed value, and whether a formula.

    The value is the one Excel stored (for a formula, its last computed result): text, a
    number, a bool, or a datetime for a number in a date format.
    """

    column: int
    value: Any
    formula: bool = False


class Workbook:
    """A workbook opened by :func:`open_workbook`: its worksheets, each streamed on demand."""

    def __init__(self, reader: ExcelReader, limits: Limits) -> None:
        self._reader = reader
        self._limits = limits
        members = set(reader.archive.namelist())
        self._targets: dict[str, str] = {}
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in members and "chartsheet" not in rel.Type:
                self._targets.setdefault(sheet.name, rel.target)

    @property
    def sheet_names(self) -> list[str]:
        """The worksheets' names in workbook order (chart sheets and missing parts left out)."""
        return list(self._targets)

    def find(self, name: str) -> str | None:
        """The name of the worksheet called ``name``, ignoring case and accents, if any."""
        wanted = fold(name)
        return next((sheet for sheet in self._targets if fold(sheet) == wanted), None)

    def rows(self, name: str) -> Iterator[tuple[int, dict[int, Cell]]]:
        """(row number, {column: cell}) for each non-empty row of the worksheet ``name``.

        Streamed: the sheet XML is read as the rows are consumed. Columns past the limits'
        ``max_columns`` are ignored; a sheet with too many rows (formatted empty ones
        included) or a DOCTYPE raises :exc:`FileRejected`.
        """
        reader = self._reader
        # openpyxl keeps the date styles it found on the workbook, undeclared in its types.
        date_styles = reader.wb._date_formats  # type: ignore[attr-defined]
        with reader.archive.open(self._targets[name]) as xml:
            yield from _sheet_rows(
                xml, reader.shared_strings, date_styles, reader.wb.epoch, self._limits
            )


@contextmanager
def open_workbook(
    source: Source, *, document: str | Promise, limits: Limits | None = None
) -> Iterator[Workbook]:
    """Check the container (:func:`check_container`), then open the workbook for reading inside
    a ``with`` block.

    openpyxl reads the workbook parts (sheet list, shared strings, date styles) with defusedxml;
    the sheets are streamed here (see ``_xml_elements``). openpyxl's read-only worksheet parses
    a sheet twice when it has no <dimension> (as in every write-only file, our exports
    included) and builds an object per cell: this is 2-3x faster on 50,000 rows.

    An error in the block is logged and becomes :exc:`FileRejected` with the damaged-file
    message (openpyxl and a hostile file raise many kinds), except :exc:`FileRejected` itself
    and :exc:`~opentemis.core.imports.issues.TooManyIssues` (the issue cap: the caller's own
    control flow).
    """
    limits = limits or Limits()
    check_container(source, document, limits)
    try:
        reader = ExcelReader(source.stream, read_only=True, data_only=False, keep_links=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
    except Exception:  # openpyxl raises many kinds on hostile input; all mean "unreadable"
        logger.info("Unreadable workbook uploaded", exc_info=True)
        raise FileRejected(damaged_message()) from None
    try:
        yield Workbook(reader, limits)
    except (FileRejected, TooManyIssues):
        raise
    except Exception:
        logger.info("Workbook failed while streaming", exc_info=True)
        raise FileRejected(damaged_message()) from None
    finally:
        reader.archive.close()


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _F, _IS, _T, _R = (f"{_NS}{tag}" for tag in ("row", "c", "v", "f", "is", "t", "r"))


def _sheet_rows(
    xml: IO[bytes], shared: list[str], date_styles: Any, epoch: dt.datetime, limits: Limits
) -> Iterator[tuple[int, dict[int, Cell]]]:
    """Yield (row number, {column: cell}) for each non-empty <row> of a worksheet part."""
    columns: dict[str, int] = {}
    number = seen = 0
    # Empty rows that only carry formatting cost memory too (the parsed tree keeps a stub per
    # row), so all <row> elements count against a cap, not only the rows with data.
    row_cap = 2 * limits.rows + _HEADER_ROWS
    for element in _xml_elements(xml):
        if element.tag != _ROW:
            continue
        number = int(element.get("r") or number + 1)
        if number > EXCEL_MAX_ROWS:
            raise FileRejected(damaged_message())
        seen += 1
        if seen > row_cap:
            raise FileRejected(
                _(
                    "The sheet has more than %(limit)s rows, counting empty rows that carry "
                    "formatting. Delete the unused rows below the data, or copy the data into "
                    "the template, and upload it again."
                )
                % {"limit": row_cap}
            )
        cells: dict[int, Cell] = {}
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
            if column > limits.max_columns:
                continue
            value = _cell_value(c, shared, date_styles, epoch)
            formula = c.find(_F) is not None
            if value is not None or formula:
                cells[column] = Cell(column, value, formula)
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
    # Any: typeshed types read_events() as a union that "end" events never are.
    parser: Any = XMLPullParser(events=("end",))
    tail = b""
    while chunk := xml.read(256 * 1024):
        window = tail + chunk
        if any(doctype in window for doctype in _DOCTYPES):
            raise FileRejected(damaged_message())
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
        return from_ISO8601(text)  # type: ignore[no-untyped-call]  # untyped in openpyxl-stubs
    number: int | float = float(text) if any(ch in text for ch in ".eE") else int(text)
    style = c.get("s")
    if style is not None and int(style) in date_styles:
        return from_excel(number, epoch)
    return number


@contextmanager
def open_upload(
    file: Any, *, document: str | Promise, limits: Limits | None = None
) -> Iterator[Workbook]:
    """:func:`open_workbook` over a path, bytes or file object, for a one-off read."""
    with Source(file) as source, open_workbook(source, document=document, limits=limits) as book:
        yield book


# ---------------------------------------------------------------------------------------------
# Cell readers shared by the imports
# ---------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """Any cell value as NFC text; integral numbers lose the ``.0`` Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_HEADER_NOTES = re.compile(r"\(.*?\)|\*")


def header_key(value: Any) -> str:
    """A header cell as a lookup key: notes in brackets and required-marks (*) dropped, then
    folded (case and accents ignored), so "Ngày sinh (dd/mm/yyyy) *" is "ngay sinh"."""
    return fold(_HEADER_NOTES.sub(" ", cell_text(value)))


def column_letter(index: int) -> str:
    """The letter of a 1-based column number, as Excel shows it (1 is A, 27 is AA)."""
    return get_column_letter(index)


class DuplicateColumn(Exception):
    """A header row names the same column twice; ``key`` is the column's key."""

    def __init__(self, key: Any) -> None:
        super().__init__(key)
        self.key = key


def find_header(
    rows: Iterator[tuple[int, dict[int, Cell]]],
    key_of: Callable[[Any], Any],
    *,
    required: Collection[Any],
    search_rows: int = HEADER_SEARCH_ROWS,
) -> dict[Any, int] | None:
    """Find the header row among the first ``search_rows`` rows of a sheet.

    ``key_of`` gives the key a header cell names (``None`` for an unknown header); the header
    is the first row naming every ``required`` key. Returns {key: column number}, or ``None``
    when no such row is found; raises :exc:`DuplicateColumn` for a row naming a key twice. The
    rows consumed are gone from ``rows``: the data rows follow.
    """
    for _number, cells in islice(rows, search_rows):
        columns: dict[Any, int] = {}
        for index, cell in sorted(cells.items()):
            key = key_of(cell.value)
            if key is None or key == "":
                continue
            if key in columns:
                raise DuplicateColumn(key)
            columns[key] = index
        if all(key in columns for key in required):
            return columns
    return None


def formula_problem(cell: str) -> str:
    """The problem of a formula cell (named like D3): imports read values, never formulas, whose
    stored result may be stale or computed from other sheets."""
    return _(
        "the cell %(cell)s contains a formula. Copy the column and paste it back as values "
        "only (Paste Special > Values), then upload again."
    ) % {"cell": cell}
