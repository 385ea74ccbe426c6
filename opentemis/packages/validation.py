"""What a package zip may be, judged before anything is stored (issue 13 item 2).

The zip's central directory is read first and every entry judged by what it declares; nothing
is unpacked until the whole package passed:

* limits: the zip's size, the number of entries, the total unpacked size, and each entry's
  compression ratio (a zip bomb declares a few kilobytes that expand to gigabytes); encrypted
  entries and compression methods other than stored/deflated are refused;
* names: no absolute path, no drive letter, no ``..`` or ``.`` component, no backslash, no
  control character, no name twice; names are normalised to Unicode NFC; directories are
  skipped; symbolic links and device files (the Unix mode in the entry's external attributes)
  are refused;
* SCORM: ``imsmanifest.xml`` at the root, parsed with ``defusedxml`` (no entity, no external
  reference); SCORM 1.2 or 2004 recognised by ``metadata/schemaversion`` or by the ADL
  namespaces; the launch file is the resource of the default organisation's first item (else
  the first SCO resource), and must be a file of the package;
* H5P: ``h5p.json`` at the root with its ``mainLibrary`` and ``preloadedDependencies``,
  ``content/content.json``, and the libraries themselves carried in the package (a package
  exported without them cannot be played here).

Every refusal is a ``ValidationError`` with a message for the officer uploading.
"""

from __future__ import annotations

import json
import posixpath
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from opentemis.packages.models import Standard

#: The zip as uploaded.
MAX_ZIP_BYTES = int(getattr(settings, "PACKAGES_MAX_BYTES", 200 * 1024 * 1024))
#: Entries in the zip (files and directories).
MAX_ENTRIES = 10_000
#: All its files unpacked, as declared (and counted while unpacking).
MAX_UNPACKED = 1024 * 1024 * 1024
#: An entry larger than this unpacked may not be compressed more than MAX_RATIO times.
RATIO_FLOOR = 1024 * 1024
MAX_RATIO = 100
#: A name's length (bytes of UTF-8) and depth.
MAX_NAME = 400
MAX_DEPTH = 20
#: imsmanifest.xml, h5p.json, content.json.
MAX_DESCRIPTOR = 4 * 1024 * 1024
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LIBRARY = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

NS_ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_2004 = ("http://www.adlnet.org/xsd/adlcp_v1p3", "http://www.imsglobal.org/xsd/imsss")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


@dataclass(frozen=True)
class Entry:
    name: str  # normalised, relative to the package's root
    info: zipfile.ZipInfo


@dataclass
class Inspected:
    """A package that passed: what it is and which entries to unpack."""

    standard: str
    title: str
    launch: str  # SCORM: the launch file (and query); H5P: "h5p.json"
    detail: str  # SCORM: the schema version found; H5P: the main library and version
    entries: list[Entry] = field(default_factory=list)
    unpacked: int = 0

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]


# --- names ---------------------------------------------------------------------------------


def clean_name(raw: str) -> str:
    """A zip entry's name as stored here, or a ValidationError (see the module docstring).
    Directories keep their trailing slash."""
    name = unicodedata.normalize("NFC", raw)
    bad = _("The package holds a file with a name that is not allowed: %(name)s.") % {
        "name": name[:120]
    }
    if not name or _CONTROL.search(name) or "\\" in name:
        raise _refuse(bad, "bad_name")
    if name.startswith("/") or _DRIVE.match(name):
        raise _refuse(bad, "absolute_name")
    if len(name.encode("utf-8")) > MAX_NAME:
        raise _refuse(bad, "long_name")
    parts = name.rstrip("/").split("/")
    if len(parts) > MAX_DEPTH or any(p in ("", ".", "..") for p in parts):
        raise _refuse(bad, "traversal")
    return name


def _is_link_or_device(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    if info.create_system != 3 or not mode:  # Unix mode recorded only by Unix zippers
        return False
    kind = stat.S_IFMT(mode)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def read_entries(archive: zipfile.ZipFile, size: int) -> tuple[list[Entry], int]:
    """The archive's file entries, judged by their declarations; their unpacked total."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _refuse(
            _("The package holds too many files (at most %(n)s).") % {"n": MAX_ENTRIES},
            "too_many_entries",
        )
    entries: list[Entry] = []
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = clean_name(info.filename)
        if _is_link_or_device(info):
            raise _refuse(
                _("The package holds a link or a special file: %(name)s.") % {"name": name[:120]},
                "link",
            )
        if info.flag_bits & 0x1:
            raise _refuse(_("The package is protected by a password."), "encrypted")
        if name.endswith("/"):
            continue
        if info.compress_type not in METHODS:
            raise _refuse(
                _(
                    "The package uses a compression this site does not read; save it again as "
                    "an ordinary zip."
                ),
                "method",
            )
        folded = name.casefold()
        if folded in seen:
            raise _refuse(
                _("The package holds the same file twice: %(name)s.") % {"name": name[:120]},
                "duplicate",
            )
        seen.add(folded)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                _(
                    "The package is not an ordinary zip (a file in it is compressed suspiciously "
                    "much)."
                ),
                "ratio",
            )
        total += info.file_size
        if total > MAX_UNPACKED:
            raise _refuse(
                _("The package is too large once unpacked (at most %(size)s).")
                % {"size": filesizeformat(MAX_UNPACKED)},
                "unpacked",
            )
        entries.append(Entry(name, info))
    if not entries:
        raise _refuse(_("The package is empty."), "empty")
    return entries, total


def _read_small(archive: zipfile.ZipFile, entry: Entry, what: str) -> bytes:
    if entry.info.file_size > MAX_DESCRIPTOR:
        raise _refuse(_("The package's %(file)s is too large.") % {"file": what}, "descriptor")
    with archive.open(entry.info) as handle:
        return handle.read(MAX_DESCRIPTOR + 1)[:MAX_DESCRIPTOR]


# --- the whole package ---------------------------------------------------------------------


def inspect_package(upload: IO[bytes], *, size: int, expect: str = "") -> Inspected:
    """Judge an uploaded zip (a seekable binary file of ``size`` bytes). ``expect``: "scorm"
    or "h5p", the activity's kind; a package of the other kind is refused."""
    if size <= 0:
        raise _refuse(_("The file is empty."), "empty")
    if size > MAX_ZIP_BYTES:
        raise _refuse(
            _("The package is too large (at most %(size)s).")
            % {"size": filesizeformat(MAX_ZIP_BYTES)},
            "too_large",
        )
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(_("The file is not a zip package."), "not_zip") from None
    with archive:
        entries, total = read_entries(archive, size)
        by_name = {e.name: e for e in entries}
        if "imsmanifest.xml" in by_name:
            found = _inspect_scorm(archive, by_name)
        elif "h5p.json" in by_name:
            found = _inspect_h5p(archive, by_name)
        else:
            raise _refuse(
                _(
                    "This is neither a SCORM package (no imsmanifest.xml at its root) nor an H5P "
                    "package (no h5p.json at its root)."
                ),
                "unknown_package",
            )
    found.entries, found.unpacked = entries, total
    if expect == "scorm" and found.standard == Standard.H5P:
        raise _refuse(_("This is an H5P package; this activity takes a SCORM package."), "kind")
    if expect == "h5p" and found.standard != Standard.H5P:
        raise _refuse(_("This is a SCORM package; this activity takes an H5P package."), "kind")
    return found


# --- SCORM ---------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def parse_manifest(data: bytes) -> Element:
    """The manifest's root element, parsed safely (no DTD entity, no external reference)."""
    try:
        root: Element = defusedxml.ElementTree.fromstring(data)
    except defusedxml.DefusedXmlException:
        raise _refuse(
            _("The package's imsmanifest.xml declares entities, which this site refuses."),
            "manifest_entities",
        ) from None
    except (ParseError, ValueError):
        raise _refuse(
            _("The package's imsmanifest.xml is not valid XML."), "manifest_xml"
        ) from None
    if _local(root.tag) != "manifest":
        raise _refuse(_("The package's imsmanifest.xml is not a SCORM manifest."), "manifest")
    return root


def scorm_version(root: Element, raw: bytes) -> tuple[str, str]:
    """(Standard, the schema version as written) of a manifest."""
    written = ""
    for metadata in _children(root, "metadata"):
        written = written or _text(next(iter(_children(metadata, "schemaversion")), None))
    lowered = written.lower()
    if lowered in ("1.2",):
        return Standard.SCORM12, written
    if "2004" in lowered or lowered.startswith("cam 1.3"):
        return Standard.SCORM2004, written
    text = raw.decode("utf-8", "replace")
    if any(ns in text for ns in NS_2004):
        return Standard.SCORM2004, written or "2004"
    if NS_ADLCP_12 in text:
        return Standard.SCORM12, written or "1.2"
    raise _refuse(
        _("The package's manifest says neither SCORM 1.2 nor SCORM 2004 (schemaversion)."),
        "version",
    )


def _first_item(element: Element) -> Element | None:
    """The first item holding a resource, depth first."""
    for item in _children(element, "item"):
        if item.get("identifierref"):
            return item
        found = _first_item(item)
        if found is not None:
            return found
    return None


def _base(element: Element | None) -> str:
    if element is None:
        return ""
    for key, value in element.attrib.items():
        if _local(key) == "base":
            return value
    return ""


def launch_of(root: Element) -> tuple[str, str]:
    """(The launch href as written, with the xml:base parts before it; the title)."""
    resources_el = next(iter(_children(root, "resources")), None)
    resources = _children(resources_el, "resource") if resources_el is not None else []
    by_id = {r.get("identifier", ""): r for r in resources}
    title = ""
    resource: Element | None = None
    parameters = ""
    organizations = next(iter(_children(root, "organizations")), None)
    if organizations is not None:
        orgs = _children(organizations, "organization")
        default = organizations.get("default", "")
        chosen = next((o for o in orgs if o.get("identifier") == default), None)
        chosen = chosen if chosen is not None else (orgs[0] if orgs else None)
        if chosen is not None:
            title = _text(next(iter(_children(chosen, "title")), None))
            item = _first_item(chosen)
            if item is not None:
                resource = by_id.get(item.get("identifierref", ""))
                parameters = item.get("parameters", "")
    if resource is None:  # no organisation: the first SCO
        resource = next(
            (
                r
                for r in resources
                if r.get("href")
                and any(
                    _local(k).lower() == "scormtype" and v.lower() == "sco"
                    for k, v in r.attrib.items()
                )
            ),
            None,
        )
    href = resource.get("href", "") if resource is not None else ""
    if not href:
        raise _refuse(
            _(
                "The package's manifest names no file to launch (the first item's resource has "
                "no href)."
            ),
            "no_launch",
        )
    base = _base(root) + _base(resources_el) + _base(resource)
    return base + href + _parameters(parameters), title


def _parameters(raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    return raw if raw.startswith(("?", "#")) else "?" + raw


def launch_file(href: str, names: set[str]) -> str:
    """The launch href made a path of the package (and its query), checked to exist."""
    parts = urlsplit(href)
    bad = _("The package's launch file is not in the package: %(href)s.") % {"href": href[:200]}
    if _URL_SCHEME.match(href) or parts.netloc or href.startswith("/"):
        raise _refuse(bad, "launch_outside")
    path = posixpath.normpath(unquote(parts.path))
    path = unicodedata.normalize("NFC", path)
    if path.startswith("..") or path not in names:
        raise _refuse(bad, "launch_missing")
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return path + query + fragment


def _inspect_scorm(archive: zipfile.ZipFile, by_name: dict[str, Entry]) -> Inspected:
    raw = _read_small(archive, by_name["imsmanifest.xml"], "imsmanifest.xml")
    root = parse_manifest(raw)
    standard, written = scorm_version(root, raw)
    href, title = launch_of(root)
    launch = launch_file(href, set(by_name))
    return Inspected(standard=standard, title=title[:255], launch=launch, detail=written[:255])


# --- H5P -----------------------------------------------------------------------------------


def _json(archive: zipfile.ZipFile, entry: Entry, what: str) -> Any:
    try:
        return json.loads(_read_small(archive, entry, what).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse(
            _("The package's %(file)s is not valid JSON.") % {"file": what}, "h5p_json"
        ) from None


def _library_folder(dep: Any) -> str:
    if not isinstance(dep, dict):
        raise ValueError
    name, major, minor = dep.get("machineName"), dep.get("majorVersion"), dep.get("minorVersion")
    if not (isinstance(name, str) and _LIBRARY.match(name)):
        raise ValueError
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10_000 for v in (major, minor)
    ):
        raise ValueError
    return f"{name}-{major}.{minor}"


def _inspect_h5p(archive: zipfile.ZipFile, by_name: dict[str, Entry]) -> Inspected:
    meta = _json(archive, by_name["h5p.json"], "h5p.json")
    main = meta.get("mainLibrary") if isinstance(meta, dict) else None
    deps = meta.get("preloadedDependencies") if isinstance(meta, dict) else None
    if not isinstance(main, str) or not _LIBRARY.match(main) or not isinstance(deps, list):
        raise _refuse(
            _("The package's h5p.json names no main library (mainLibrary, preloadedDependencies)."),
            "h5p_main",
        )
    if "content/content.json" not in by_name:
        raise _refuse(_("The H5P package has no content/content.json."), "h5p_content")
    _json(archive, by_name["content/content.json"], "content/content.json")
    try:
        folders = [_library_folder(d) for d in deps[:500]]
    except ValueError:
        raise _refuse(
            _("The package's h5p.json lists a library wrongly (preloadedDependencies)."),
            "h5p_deps",
        ) from None
    main_folder = next((f for f in folders if f.rsplit("-", 1)[0] == main), "")
    missing = [f for f in folders if f"{f}/library.json" not in by_name]
    if not main_folder or missing:
        raise _refuse(
            _(
                "The H5P package does not carry its libraries (%(missing)s). Export it again "
                "with its libraries (in Lumi or on the H5P site: download the .h5p file with "
                "libraries)."
            )
            % {"missing": ", ".join((missing or [main])[:5])},
            "h5p_libraries",
        )
    title = meta.get("title") if isinstance(meta.get("title"), str) else ""
    return Inspected(
        standard=Standard.H5P,
        title=" ".join(str(title).split())[:255],
        launch="h5p.json",
        detail=main_folder.replace("-", " ", 1)[:255],
    )
