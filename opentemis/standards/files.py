"""Reading a framework file uploaded by an administrator: YAML or Excel, into framework dicts.

Both formats (documented in ``docs/frameworks.md``) give the dict that
:func:`opentemis.standards.services.framework_load` takes. The format is told by the content,
not the name: a zip or an OLE file goes through the one safe reader of the import framework
(:mod:`opentemis.core.imports.reader`, which refuses .xls, encrypted and oversized workbooks),
anything else must be UTF-8 YAML. Problems are the import framework's located issues
(:class:`~opentemis.core.imports.issues.Issue`).
"""

from __future__ import annotations

import io
from typing import Any

import yaml
from django.utils.translation import gettext as _

from opentemis.core.imports.container import looks_like_workbook
from opentemis.core.imports.issues import Issue

# A framework is a few hundred rows; anything this large is not one.
MAX_FILE_BYTES = 5 * 1024 * 1024


class FrameworkFileError(Exception):
    """The file cannot be read as frameworks; ``issues`` says where and why (``truncated``:
    reading stopped at the cap, more may follow)."""

    def __init__(self, issues: list[Issue], truncated: bool = False) -> None:
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues
        self.truncated = truncated

    @property
    def messages(self) -> list[str]:
        return [str(issue) for issue in self.issues]


def read_framework_file(file: Any, name: str = "") -> list[dict[str, Any]]:
    """The frameworks held by an uploaded file (path, bytes or file object), not yet validated.

    A YAML file holds one framework (a mapping with ``code``) or a ``frameworks:`` list; an
    Excel workbook holds one framework. Raises :class:`FrameworkFileError`.
    """
    content = _read_bounded(file)
    head = content[:8]
    if looks_like_workbook(head) or name.lower().endswith((".xlsx", ".xls")):
        # Local: the xlsx module imports this one at load time.
        from opentemis.standards.xlsx import framework_from_xlsx

        return [framework_from_xlsx(io.BytesIO(content))]
    return frameworks_from_yaml(content)


def _read_bounded(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        content = bytes(file)
    elif hasattr(file, "read"):
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(MAX_FILE_BYTES + 1)
    else:
        with open(file, "rb") as fh:
            content = fh.read(MAX_FILE_BYTES + 1)
    if not content:
        raise FrameworkFileError([Issue(_("The file is empty."))])
    if len(content) > MAX_FILE_BYTES:
        raise FrameworkFileError(
            [
                Issue(
                    _("The file is larger than %(limit)s MB: a framework file is much smaller.")
                    % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
                )
            ]
        )
    return content


class NoAliasLoader(yaml.SafeLoader):
    """safe_load without anchors and aliases: a few aliases can expand to billions of nodes
    once the data is walked (hashing, validation), and framework files never need them."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            # check_event has parsed the alias into current_event (what peek_event returns).
            mark = self.current_event.start_mark
            raise yaml.MarkedYAMLError(None, None, _("aliases (*name) are not allowed"), mark)
        return super().compose_node(parent, index)


def frameworks_from_yaml(content: bytes | str) -> list[dict[str, Any]]:
    """The frameworks of a YAML document (one framework, or a ``frameworks:`` list)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FrameworkFileError(
                [
                    Issue(
                        _(
                            "The file is neither an Excel workbook (.xlsx) nor a UTF-8 text "
                            "(YAML) file."
                        )
                    )
                ]
            ) from None
    try:
        raw = yaml.load(content, Loader=NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
    except RecursionError:
        raise FrameworkFileError([Issue(_("The YAML is nested too deeply."))]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkFileError(
            [
                Issue(
                    _("The YAML cannot be read: %(error)s") % {"error": problem},
                    line=mark.line + 1 if mark is not None else None,
                )
            ]
        ) from None
    frameworks: list[dict[str, Any]]
    if isinstance(raw, dict) and isinstance(raw.get("frameworks"), list):
        frameworks = raw["frameworks"]
    elif isinstance(raw, dict) and "code" in raw:
        frameworks = [raw]
    else:
        raise FrameworkFileError(
            [
                Issue(
                    _(
                        "The YAML must hold one framework (with code, title_vi, standards ...) "
                        "or a list under frameworks:."
                    )
                )
            ]
        )
    if not frameworks or not all(isinstance(fw, dict) for fw in frameworks):
        raise FrameworkFileError(
            [Issue(_("Every entry under frameworks: must be a framework (a mapping)."))]
        )
    return frameworks
