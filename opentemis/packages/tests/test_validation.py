"""The package validation: hostile zips, SCORM versions, launch files, H5P libraries."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from opentemis.packages import validation
from opentemis.packages.demo.builder import (
    MANIFEST_12,
    MANIFEST_2004,
    h5p_zip,
    page,
    scorm12_zip,
    scorm2004_zip,
)
from opentemis.packages.models import Standard
from opentemis.packages.tests import zips


def inspect(data: bytes, expect: str = "") -> validation.Inspected:
    return validation.inspect_package(io.BytesIO(data), size=len(data), expect=expect)


def refused(data: bytes, code: str, expect: str = "") -> str:
    with pytest.raises(ValidationError) as caught:
        inspect(data, expect)
    assert caught.value.code == code, caught.value
    return " ".join(caught.value.messages)


def test_the_demo_packages_pass() -> None:
    found = inspect(scorm12_zip(), "scorm")
    assert (found.standard, found.launch, found.detail) == (
        Standard.SCORM12,
        "bai-hoc/index.html",
        "1.2",
    )
    assert found.title == "Kiểm tra nhanh về bồi dưỡng thường xuyên"
    assert sorted(found.names) == ["bai-hoc/index.html", "imsmanifest.xml"]
    found = inspect(scorm2004_zip(), "scorm")
    assert (found.standard, found.launch) == (Standard.SCORM2004, "bai-hoc/index.html")
    assert found.detail == "2004 4th Edition"
    found = inspect(h5p_zip(), "h5p")
    assert (found.standard, found.launch, found.detail) == (
        Standard.H5P,
        "h5p.json",
        "OpenTEMIS.Quiz 1.0",
    )


def test_the_kind_must_match_the_activity() -> None:
    assert "H5P" in refused(h5p_zip(), "kind", expect="scorm")
    refused(scorm12_zip(), "kind", expect="h5p")


# --- hostile zips --------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_ratio() -> None:
    bomb = zips.make({"imsmanifest.xml": MANIFEST_12, "a.bin": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # 20 MB of zeros deflate ~1000 times
    refused(bomb, "ratio")


def test_a_text_that_compresses_well_is_not_a_bomb() -> None:
    # A page of 500 kB repeated text: below the ratio floor, accepted.
    found = inspect(zips.scorm12(**{"big.html": "<p>Bồi dưỡng</p>" * 30_000}))
    assert "big.html" in found.names


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../../etc/passwd", "traversal"),
        ("bai-hoc/../../x.html", "traversal"),
        ("/etc/passwd", "absolute_name"),
        ("C:/Windows/x.dll", "absolute_name"),
        ("bai-hoc\\..\\x.js", "bad_name"),
        ("a/./b.js", "traversal"),
        ("a\x01b.js", "bad_name"),
    ],
)
def test_names_that_escape_or_lie_are_refused(name: str, code: str) -> None:
    assert name.encode() in zips.with_name(name)
    refused(zips.with_name(name), code)


def test_a_symlink_or_a_device_entry_is_refused() -> None:
    link = zips.make(
        {"imsmanifest.xml": MANIFEST_12, "bai-hoc/index.html": "x", "bai-hoc/x": "/etc/passwd"},
        mode={"bai-hoc/x": zips.SYMLINK},
    )
    refused(link, "link")
    fifo = zips.make(
        {"imsmanifest.xml": MANIFEST_12, "bai-hoc/index.html": "x", "p": "x"},
        mode={"p": zips.FIFO},
    )
    refused(fifo, "link")


def test_too_many_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_ENTRIES", 10)
    files = {f"f{i}.txt": "x" for i in range(11)}
    refused(zips.make(files), "too_many_entries")


def test_too_large_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_UNPACKED", 1000)
    refused(zips.scorm12(**{"a.txt": "y" * 2000}), "unpacked")


def test_too_large_zip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_ZIP_BYTES", 100)
    refused(scorm12_zip(), "too_large")


def test_not_a_zip_and_empty() -> None:
    refused(b"<html>not a zip</html>", "not_zip")
    refused(b"", "empty")


def test_the_same_name_twice_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("bai-hoc/index.html", "a")
        archive.writestr("BAI-HOC/index.html", "b")
    refused(out.getvalue(), "duplicate")


def test_names_are_normalised_to_nfc() -> None:
    decomposed = "bài-học.html".encode().decode()  # NFC already; build the NFD form
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    assert nfd != decomposed
    found = inspect(zips.scorm12(**{nfd: "x"}))
    assert decomposed in found.names


def test_an_encrypted_entry_is_refused() -> None:
    data = bytearray(scorm12_zip())
    # set the "encrypted" bit of every central-directory entry
    index = data.find(b"PK\x01\x02")
    while index != -1:
        data[index + 8] |= 0x1
        index = data.find(b"PK\x01\x02", index + 4)
    refused(bytes(data), "encrypted")


# --- SCORM manifests -----------------------------------------------------------------------


def test_no_manifest_and_no_h5p_json() -> None:
    refused(zips.make({"index.html": "x"}), "unknown_package")


def test_the_manifest_must_be_at_the_root() -> None:
    refused(
        zips.make({"course/imsmanifest.xml": MANIFEST_12, "course/a.html": "x"}), "unknown_package"
    )


def test_an_invalid_manifest() -> None:
    refused(zips.make({"imsmanifest.xml": "<manifest><oops"}), "manifest_xml")
    refused(zips.make({"imsmanifest.xml": "<html/>"}), "manifest")


def test_entities_in_the_manifest_are_refused() -> None:
    billion = (
        '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><manifest>&b;</manifest>'
    )
    refused(zips.make({"imsmanifest.xml": billion}), "manifest_entities")
    external = (
        '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<manifest>&x;</manifest>"
    )
    refused(zips.make({"imsmanifest.xml": external}), "manifest_entities")


def _manifest(schemaversion: str = "", ns: str = "", org: str = "", resources: str = "") -> str:
    meta = f"<metadata><schemaversion>{schemaversion}</schemaversion></metadata>"
    return (
        f'<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"{ns}>'
        f"{meta if schemaversion else ''}{org}<resources>{resources}</resources></manifest>"
    )


ORGS = (
    '<organizations default="b">'
    '<organization identifier="a"><title>A</title><item identifier="i1" identifierref="ra"/>'
    "</organization>"
    '<organization identifier="b"><title>B</title>'
    '<item identifier="g"><title>group</title>'
    '<item identifier="i2" identifierref="rb" parameters="page=2"/></item>'
    "</organization></organizations>"
)
RESOURCES = (
    '<resource identifier="ra" href="a/index.html"/>'
    '<resource identifier="rb" xml:base="b/" href="start.html"/>'
)


@pytest.mark.parametrize(
    ("schemaversion", "ns", "standard"),
    [
        ("1.2", "", Standard.SCORM12),
        ("CAM 1.3", "", Standard.SCORM2004),
        ("2004 3rd Edition", "", Standard.SCORM2004),
        ("", ' xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"', Standard.SCORM12),
        ("", ' xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"', Standard.SCORM2004),
        ("", ' xmlns:imsss="http://www.imsglobal.org/xsd/imsss"', Standard.SCORM2004),
    ],
)
def test_version_detection(schemaversion: str, ns: str, standard: str) -> None:
    manifest = _manifest(schemaversion, ns, ORGS, RESOURCES)
    found = inspect(
        zips.make({"imsmanifest.xml": manifest, "b/start.html": "x", "a/index.html": "x"})
    )
    assert found.standard == standard


def test_an_unknown_version_is_refused() -> None:
    refused(
        zips.make({"imsmanifest.xml": _manifest("", "", ORGS, RESOURCES), "b/start.html": "x"}),
        "version",
    )


def test_the_launch_is_the_default_organisations_first_item() -> None:
    manifest = _manifest("1.2", "", ORGS, RESOURCES)
    found = inspect(
        zips.make({"imsmanifest.xml": manifest, "b/start.html": "x", "a/index.html": "x"})
    )
    assert (found.launch, found.title) == ("b/start.html?page=2", "B")


def test_without_organisations_the_first_sco() -> None:
    resources = (
        '<resource identifier="asset" href="x.css"/>'
        '<resource identifier="sco" adlcp:scormtype="sco" href="run/go.html?x=1"'
        ' xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"/>'
    )
    found = inspect(
        zips.make(
            {
                "imsmanifest.xml": _manifest("1.2", "", "", resources),
                "run/go.html": "x",
                "x.css": "x",
            }
        )
    )
    assert found.launch == "run/go.html?x=1"


@pytest.mark.parametrize(
    "href",
    [
        "missing.html",
        "../outside.html",
        "http://evil.example/x.html",
        "/abs.html",
        "javascript:alert(1)",
    ],
)
def test_a_launch_outside_the_package_is_refused(href: str) -> None:
    resources = f'<resource identifier="ra" href="{href}"/>'
    org = (
        '<organizations default="a"><organization identifier="a">'
        '<item identifier="i" identifierref="ra"/></organization></organizations>'
    )
    with pytest.raises(ValidationError) as caught:
        inspect(zips.make({"imsmanifest.xml": _manifest("1.2", "", org, resources), "a.html": "x"}))
    assert caught.value.code in {"launch_outside", "launch_missing"}


def test_no_launch_at_all() -> None:
    refused(
        zips.make({"imsmanifest.xml": _manifest("1.2", "", "", ""), "a.html": "x"}), "no_launch"
    )


def test_the_2004_demo_manifest_is_namespaced() -> None:
    assert "imsss" in MANIFEST_2004 and page("2004")


# --- H5P -----------------------------------------------------------------------------------


def _h5p(meta: object, files: dict[str, str] | None = None) -> bytes:
    base = {"h5p.json": json.dumps(meta), "content/content.json": "{}"}
    return zips.make({**base, **(files or {})})


DEP = {"machineName": "H5P.MultiChoice", "majorVersion": 1, "minorVersion": 16}


def test_an_h5p_package_without_its_libraries_is_refused() -> None:
    message = refused(
        _h5p({"mainLibrary": "H5P.MultiChoice", "preloadedDependencies": [DEP]}),
        "h5p_libraries",
    )
    assert "H5P.MultiChoice-1.16" in message


def test_an_h5p_package_with_its_libraries_passes() -> None:
    found = inspect(
        _h5p(
            {"mainLibrary": "H5P.MultiChoice", "preloadedDependencies": [DEP]},
            {"H5P.MultiChoice-1.16/library.json": "{}"},
        )
    )
    assert found.detail == "H5P.MultiChoice 1.16"


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {"mainLibrary": "../x", "preloadedDependencies": []},
        {"mainLibrary": "H5P.X"},
        [],
    ],
)
def test_an_h5p_json_without_a_main_library(meta: object) -> None:
    refused(_h5p(meta), "h5p_main")


def test_h5p_json_that_is_not_json_and_no_content() -> None:
    refused(zips.make({"h5p.json": "{oops", "content/content.json": "{}"}), "h5p_json")
    refused(
        zips.make({"h5p.json": json.dumps({"mainLibrary": "A", "preloadedDependencies": []})}),
        "h5p_content",
    )


def test_h5p_bad_dependency() -> None:
    refused(
        _h5p({"mainLibrary": "A", "preloadedDependencies": [{"machineName": "A/../b"}]}),
        "h5p_deps",
    )
