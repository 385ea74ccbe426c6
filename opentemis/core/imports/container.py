"""What kind of file an upload is, told by its bytes: the zip directory and OLE compound files.

One place for the parts of the file formats that more than one reader needs: the magic bytes
of a zip (every .xlsx, .docx, .ods) and of an OLE compound file (legacy .xls/.doc, and
password-protected Office files), and the entry count of a zip's directory, read from the
end-of-central-directory record before :mod:`zipfile` builds an object per entry (a crafted
directory can declare millions). The spreadsheet imports (:mod:`.reader`) and the evidence
library (``opentemis.evidence.validation``) both use it.
"""

from __future__ import annotations

import io
from typing import IO, Any

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 65535


def looks_like_workbook(head: bytes) -> bool:
    """Whether the first bytes are those of an Office file (a zip or an OLE compound file).

    Such a file goes through the spreadsheet checks, which refuse legacy .xls and encrypted
    workbooks with a message of their own; anything else is not a workbook at all.
    """
    return head.startswith(ZIP_MAGIC) or head[:8] == CFB_MAGIC


def zip_declared_entries(stream: IO[bytes] | Any) -> int | None:
    """The entry count in a zip's end-of-central-directory record, without parsing the
    directory; ``None`` when there is no such record (a truncated or damaged file).

    A zip64 archive declares 0xFFFF here (65,535): far more entries than any document has,
    so callers refuse it by their own limit. Leaves the stream at offset 0.
    """
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_size = min(size, _END_RECORD_SIZE + _MAX_COMMENT)  # the record, plus its comment
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    stream.seek(0)
    end = tail.rfind(_END_OF_DIRECTORY)
    if end < 0 or end + _END_RECORD_SIZE > len(tail):
        return None
    return int.from_bytes(tail[end + 10 : end + 12], "little")
