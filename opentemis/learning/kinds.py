"""What each kind of activity is called and where its pages are: the one registry the course
page, the builder and the API read. Each activity app registers its kinds in its
``AppConfig.ready()``; ``learning`` imports none of them (the layers contract, decision 0019).

``learner_url``: the URL name of the learner's page of an activity, taking ``pk`` (the
activity's); ``manage_url``: the builder's page (empty: the kind has no settings of its own);
``grade_url``: the grader's page of the activity (a queue), for kinds someone grades (a core
teacher's "needs you" links go there).

``exporter`` / ``importer``: how a module package (``learning.transfer``) carries the kind's own
data, so that the ministry prepares a module once and every province loads it:
``exporter(activity) -> (data, files)`` gives JSON-able data and named files (bytes);
``importer(activity, data, files)`` rebuilds the kind's rows on a new activity of the importing
course (``files``: name -> bytes, only the names the export gave).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

Exporter = Callable[[Any], tuple[dict[str, Any], dict[str, bytes]]]
Importer = Callable[[Any, Mapping[str, Any], Mapping[str, bytes]], None]


@dataclass(frozen=True)
class Kind:
    kind: str
    learner_url: str
    manage_url: str = ""
    grade_url: str = ""
    icon: str = ""  # a short text mark shown before the title (no icon font is loaded)
    exporter: Exporter | None = None
    importer: Importer | None = None


_KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    *,
    learner_url: str,
    manage_url: str = "",
    grade_url: str = "",
    icon: str = "",
    exporter: Exporter | None = None,
    importer: Importer | None = None,
) -> None:
    """Declare a kind's pages and package hooks (once per kind, from its app's ``ready()``)."""
    _KINDS[kind] = Kind(
        kind=kind,
        learner_url=learner_url,
        manage_url=manage_url,
        grade_url=grade_url,
        icon=icon,
        exporter=exporter,
        importer=importer,
    )


def get(kind: str) -> Kind | None:
    return _KINDS.get(kind)


def registered() -> dict[str, Kind]:
    return dict(_KINDS)


def learner_url(kind: str, pk: int) -> str:
    """The learner's page of an activity; empty for a kind no app registered."""
    found = _KINDS.get(kind)
    return reverse(found.learner_url, kwargs={"pk": pk}) if found else ""


def manage_url(kind: str, pk: int) -> str:
    found = _KINDS.get(kind)
    return reverse(found.manage_url, kwargs={"pk": pk}) if found and found.manage_url else ""


def grade_url(kind: str, pk: int) -> str:
    """The grader's page of an activity (its queue); empty for a kind nobody grades here."""
    found = _KINDS.get(kind)
    return reverse(found.grade_url, kwargs={"pk": pk}) if found and found.grade_url else ""
