"""Zips for the tests, well-formed and hostile."""

from __future__ import annotations

import io
import stat
import zipfile

from opentemis.packages.demo.builder import MANIFEST_12, page


def make(
    files: dict[str, bytes | str], *, mode: dict[str, int] | None = None, method: int = 8
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            if mode and name in mode:
                info.create_system = 3
                info.external_attr = mode[name] << 16
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def scorm12(**extra: bytes | str) -> bytes:
    return make({"imsmanifest.xml": MANIFEST_12, "bai-hoc/index.html": page("1.2"), **extra})


def with_name(name: str) -> bytes:
    """A zip with an entry literally named ``name`` (zipfile would clean some names): written
    under a placeholder of the same length, then renamed in the bytes."""
    target = name.encode()
    placeholder = b"Z" * len(target)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("bai-hoc/index.html", "x")
        archive.writestr(placeholder.decode(), b"evil")
    return out.getvalue().replace(placeholder, target)


SYMLINK = stat.S_IFLNK | 0o777
FIFO = stat.S_IFIFO | 0o644
