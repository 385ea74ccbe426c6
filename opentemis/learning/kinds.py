"""What each kind of activity is called and where its pages are: the one registry the course
page, the builder and the API read. Each activity app registers its kinds in its
``AppConfig.ready()``; ``learning`` imports none of them (the layers contract, decision 0019).

``learner_url``: the URL name of the learner's page of an activity, taking ``pk`` (the
activity's); ``manage_url``: the builder's page (empty: the kind has no settings of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Kind:
    kind: str
    learner_url: str
    manage_url: str = ""
    icon: str = ""  # a short text mark shown before the title (no icon font is loaded)


_KINDS: dict[str, Kind] = {}


def register(kind: str, *, learner_url: str, manage_url: str = "", icon: str = "") -> None:
    """Declare a kind's pages (called once per kind, from its app's ``ready()``)."""
    _KINDS[kind] = Kind(kind=kind, learner_url=learner_url, manage_url=manage_url, icon=icon)


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
