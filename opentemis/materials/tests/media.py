"""Small real files for the materials tests: the evidence tests' documents and images, the
project's demo MP4, a minimal WebM header, and hostile look-alikes."""

from __future__ import annotations

import struct

from opentemis.evidence.tests.files import jpeg, pdf, png, upload, xlsx
from opentemis.materials.demo import DEMO_VIDEO

__all__ = ["jpeg", "mp4", "pdf", "png", "upload", "webm", "xlsx"]


def mp4() -> bytes:
    """The demo video (24 s, ~190 KB)."""
    return DEMO_VIDEO.read_bytes()


def _ebml(element: int, body: bytes) -> bytes:
    head = element.to_bytes((element.bit_length() + 7) // 8, "big")
    return (
        head + bytes([0x80 | len(body)]) + body
        if len(body) < 127
        else (head + (0x4000 | len(body)).to_bytes(2, "big") + body)
    )


def webm(seconds: float = 12.5) -> bytes:
    """An EBML header (DocType webm) and a Segment whose Info says ``seconds`` (scale 1 ms)."""
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm") + _ebml(0x4287, b"\x04"))
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
                 + _ebml(0x4489, struct.pack(">d", seconds * 1000)))  # fmt: skip
    segment = bytes.fromhex("18538067") + b"\x01\xff\xff\xff\xff\xff\xff\xff" + info
    return header + segment + b"\x00" * 64


def mov() -> bytes:
    """A QuickTime header (brand ``qt``): a video, but not one we accept."""
    return struct.pack(">I4s4sI", 20, b"ftyp", b"qt  ", 0) + b"qt  " + b"\x00" * 64
