"""What an evidence file may be: judged by its bytes, never by its name or the client's type.

Accepted: PDF, JPEG, PNG, WebP, Office Open XML (docx, xlsx, pptx), OpenDocument (odt, ods, odp)
and legacy Office (doc, xls, ppt). How each is recognised:

* PDF and images: their magic bytes, through the pinned ``filetype`` library;
* OOXML and OpenDocument are ZIP files: the central directory is read (never an entry's data,
  so a zip bomb costs nothing) and must hold the parts of the claimed kind
  (``[Content_Types].xml`` plus ``word/``, ``xl/`` or ``ppt/``; ODF's stored ``mimetype``);
  a plain zip renamed ``.docx`` is refused, and so are documents carrying macros;
* legacy Office files are OLE compound files (magic ``D0CF11E0``): the directory is walked to
  find the Word, Excel or PowerPoint stream, so an ``.msi`` or an Outlook ``.msg`` (also CFB)
  is refused.

Every refusal is a ``ValidationError`` with a code and a message for the person uploading.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from opentemis.core.imports.container import CFB_MAGIC, ZIP_MAGIC, zip_declared_entries

HEAD_BYTES = 8192
# Office documents have tens to a few hundred parts; more entries is not a document.
MAX_ZIP_ENTRIES = 5000
# Declared uncompressed total: nothing is unpacked here, but a "document" that claims to expand
# to more than this is a zip bomb aimed at whoever opens it.
MAX_ZIP_UNPACKED = 512 * 1024 * 1024
# Directory sectors walked in a compound file (4 or 32 entries each).
MAX_CFB_DIR_SECTORS = 256


@dataclass(frozen=True)
class FileKind:
    """A sniffed file type: the extension we give it and the content type we serve it with."""

    extension: str
    content_type: str
    label: str

    @property
    def inline(self) -> bool:
        """Shown in the browser (PDF, images); everything else is downloaded."""
        return self.content_type == "application/pdf" or self.content_type.startswith("image/")


PDF = FileKind("pdf", "application/pdf", "PDF")
JPEG = FileKind("jpg", "image/jpeg", "JPEG")
PNG = FileKind("png", "image/png", "PNG")
WEBP = FileKind("webp", "image/webp", "WebP")
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
)
PPTX = FileKind(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint",
)
DOC = FileKind("doc", "application/msword", "Word 97-2003")
XLS = FileKind("xls", "application/vnd.ms-excel", "Excel 97-2003")
PPT = FileKind("ppt", "application/vnd.ms-powerpoint", "PowerPoint 97-2003")
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument Text")
ODS = FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument Spreadsheet")
ODP = FileKind(
    "odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument Presentation"
)

KINDS: tuple[FileKind, ...] = (PDF, JPEG, PNG, WEBP, DOCX, XLSX, PPTX, DOC, XLS, PPT, ODT, ODS, ODP)
BY_CONTENT_TYPE = {k.content_type: k for k in KINDS}
BY_EXTENSION = {k.extension: k for k in KINDS} | {"jpeg": JPEG}
_MAGIC_KINDS = {k.content_type: k for k in (PDF, JPEG, PNG, WEBP)}
_OOXML_MAIN = (("word", DOCX), ("xl", XLSX), ("ppt", PPTX))
_ODF = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}

#: For the file input's ``accept`` attribute (a hint to the browser; the check is here).
ACCEPT = ",".join(sorted({f".{ext}" for ext in BY_EXTENSION}))


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def too_large_message(size: str) -> str:
    """The refusal of a file of ``size`` (already formatted: the browser passes a placeholder)."""
    return _("The file is %(size)s; evidence files may be at most %(max)s.") % {
        "size": size,
        "max": filesizeformat(max_bytes()),
    }


def unsupported_message() -> str:
    return _(
        "This type of file is not accepted as evidence. Upload a PDF, an image (JPG, PNG) "
        "or an office document (Word, Excel, PowerPoint, OpenDocument)."
    )


def check_size(size: int | None) -> None:
    """Refuse an empty file or one over ``settings.EVIDENCE_MAX_BYTES``."""
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise ValidationError(too_large_message(filesizeformat(size)), code="too_large")


def sniff(fileobj: IO[bytes] | Any, name: str = "") -> FileKind:
    """The kind of the file's content, or ``ValidationError``. Leaves the file at offset 0."""
    try:
        fileobj.seek(0)
        head = fileobj.read(HEAD_BYTES)
        if head.startswith(ZIP_MAGIC):
            kind = _sniff_zip(fileobj)
        elif head.startswith(CFB_MAGIC):
            kind = _sniff_cfb(fileobj, head)
        else:
            guess = filetype.guess(head)
            kind = _MAGIC_KINDS.get(guess.mime) if guess is not None else None
    finally:
        fileobj.seek(0)
    if kind is None:
        raise _refusal(name)
    return kind


def _refusal(name: str) -> ValidationError:
    claimed = BY_EXTENSION.get(PurePath(name).suffix.lower().lstrip("."))
    if claimed is not None:
        # Named like an accepted type but something else inside: say so plainly.
        return ValidationError(
            _(
                "“%(name)s” is not a real %(type)s file: its content is of another kind. "
                "Open it in the program that made it, save it again as %(type)s and upload it."
            )
            % {"name": PurePath(name).name, "type": claimed.label},
            code="disguised",
        )
    return ValidationError(unsupported_message(), code="unsupported")


def _macro_refusal() -> ValidationError:
    return ValidationError(
        _(
            "Documents containing macros are not accepted. Save it as an ordinary document "
            "(for example .docx or .xlsx) and upload it again."
        ),
        code="macros",
    )


# --- ZIP containers (OOXML, OpenDocument) ------------------------------------------------------


def _sniff_zip(fileobj: IO[bytes]) -> FileKind | None:
    # The directory's entry count from its end record, before zipfile builds the directory.
    entries = zip_declared_entries(fileobj)
    if entries is None or entries > MAX_ZIP_ENTRIES:
        return None
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            if sum(i.file_size for i in infos) > MAX_ZIP_UNPACKED:
                return None
            names = [i.filename for i in infos]
            if "[Content_Types].xml" in names:
                return _ooxml_kind(names)
            first = infos[0] if infos else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.compress_type == zipfile.ZIP_STORED
                and first.file_size <= 100
            ):
                # Stored (uncompressed) and tiny by the checks above: reading it is safe.
                mimetype = zf.read(first).decode("ascii", "replace").strip()
                return _odf_kind(mimetype, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    except NotImplementedError:  # an unknown compression method
        return None
    return None


def _ooxml_kind(names: list[str]) -> FileKind | None:
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macro_refusal()
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    found = [kind for top, kind in _OOXML_MAIN if top in tops]
    # Exactly one main part: a docx holds word/, never also xl/ (that would be a crafted file).
    return found[0] if len(found) == 1 else None


def _odf_kind(mimetype: str, names: list[str]) -> FileKind | None:
    kind = _ODF.get(mimetype)
    if kind is None or "content.xml" not in names:
        return None
    if any(n.startswith(("Basic/", "Scripts/")) for n in names):
        raise _macro_refusal()
    return kind


# --- OLE compound files (legacy Office) --------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_CFB_STREAMS = (
    ("WordDocument", DOC),
    ("Workbook", XLS),
    ("Book", XLS),
    ("PowerPoint Document", PPT),
)
_CFB_MACROS = {"Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"}


def _sniff_cfb(fileobj: IO[bytes], head: bytes) -> FileKind | None:
    names = _cfb_names(fileobj, head)
    if names is None:
        return None
    if names & _CFB_MACROS:
        raise _macro_refusal()
    for stream, kind in _CFB_STREAMS:
        if stream in names:
            return kind
    return None


def _cfb_names(fileobj: IO[bytes], head: bytes) -> set[str] | None:
    """Names in the compound file's directory (MS-CFB §2.6), or None if it is malformed.

    Only the FAT sectors listed in the header (the first 109) are used: with 512-byte sectors
    they map the first ~7 MB, where writers put the directory. Reads are bounded.
    """
    if len(head) < 512:
        return None
    shift: int = struct.unpack("<H", head[0x1E:0x20])[0]
    if shift not in (9, 12):
        return None
    sector = 1 << shift
    first_dir: int = struct.unpack("<I", head[0x30:0x34])[0]
    difat = struct.unpack("<109I", head[0x4C:0x200])
    per_fat = sector // 4
    fileobj.seek(0, 2)
    file_size = fileobj.tell()

    def read_sector(sid: int) -> bytes | None:
        offset = (sid + 1) * sector
        if offset + sector > file_size:
            return None
        fileobj.seek(offset)
        return fileobj.read(sector)

    fat_cache: dict[int, tuple[int, ...]] = {}

    def next_sid(sid: int) -> int | None:
        index = sid // per_fat
        if index >= len(difat) or difat[index] >= _ENDOFCHAIN:
            return None
        if index not in fat_cache:
            data = read_sector(difat[index])
            if data is None:
                return None
            fat_cache[index] = struct.unpack(f"<{per_fat}I", data)
        return fat_cache[index][sid % per_fat]

    names: set[str] = set()
    sid: int | None = first_dir
    seen: set[int] = set()
    while sid is not None and sid < _ENDOFCHAIN and len(seen) < MAX_CFB_DIR_SECTORS:
        if sid in seen:
            return None  # a loop in the chain
        seen.add(sid)
        data = read_sector(sid)
        if data is None:
            return None
        for at in range(0, sector, 128):
            entry = data[at : at + 128]
            length = struct.unpack("<H", entry[0x40:0x42])[0]
            if entry[0x42] == 0 or not 2 <= length <= 64:
                continue  # unused entry
            names.add(entry[: length - 2].decode("utf-16-le", "replace"))
        sid = next_sid(sid)
    return names or None
