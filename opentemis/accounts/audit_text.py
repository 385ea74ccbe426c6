"""Audit events told as sentences a person can read: the one renderer of the audit log and of
every record's history (e.g. an evaluation's).

An event stores codes (``evaluation.submit``), field names (``self_levels``) and raw values
(``"Kha"``, ``None``, UTC timestamps). Here each becomes Vietnamese through the catalogue: a
sentence per action code, with the people's full names (their staff record's name when the
account is linked to one, else the account's name), the local time, changed fields by their
names and values as a person says them (levels by name, Có/Không, "—" for nothing, dd/mm/yyyy).

What each app's events say is declared by the app, in its own ``audit_texts.py`` module
(found like admin.py, on first use), with :func:`register`: the sentence of each of its action
codes, the names of the keys it records, how to say some values (levels, roles) and how to
name its objects. The audit model lives here, below the apps that write events, so the apps
bring their words to it rather than this module importing them. A test checks that every
action code written anywhere has a sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import number_format
from django.utils.module_loading import autodiscover_modules
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from opentemis.accounts.models import AuditEvent, User

DATE = "d/m/Y"
DATE_TIME = "d/m/Y H:i"
LONG_TEXT = 120
# Bookkeeping copies that say nothing to a person (the folded search text, lock counters), and
# the reason an evaluation was returned (shown as the entry's reason).
HIDDEN = {"search_name", "search_text", "version", "unit_id", "returned_reason"}


@dataclass(frozen=True)
class Sentence:
    """What one action code says. ``text`` names the object (the audit log); ``here`` is the
    shorter form shown on the object's own page (its history), where the object goes without
    saying. Placeholders: ``%(actor)s``, ``%(object)s`` and any key the event recorded.

    ``pairs``: the event records ``{field: [before, after]}``; ``labels`` and
    ``formats``: names and ways of saying this action's own keys (before the app-wide ones)."""

    text: Any
    here: Any = None
    pairs: bool = False
    labels: Mapping[str, Any] = field(default_factory=dict)
    formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)


_ACTIONS: dict[str, Sentence] = {}
_LABELS: dict[str, Any] = {}
_VALUES: dict[str, Callable[[Any], str]] = {}
_OBJECTS: dict[str, Callable[[list[str]], Mapping[str, str]]] = {}
_discovered = False


def register(
    *,
    actions: Mapping[str, Sentence] | None = None,
    labels: Mapping[str, Any] | None = None,
    values: Mapping[str, Callable[[Any], str]] | None = None,
    objects: Mapping[str, Callable[[list[str]], Mapping[str, str]]] | None = None,
) -> None:
    """Declare an app's words: sentences by action code, labels by recorded key, how to say a
    key's values, and how to name objects by ``object_type`` (ids in, names by id out)."""
    _ACTIONS.update(actions or {})
    _LABELS.update(labels or {})
    _VALUES.update(values or {})
    _OBJECTS.update(objects or {})


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("audit_texts")
        _discovered = True


def sentences() -> dict[str, Sentence]:
    """Every registered action code and its sentence."""
    _discover()
    return dict(_ACTIONS)


@dataclass
class Entry:
    """One event as a person reads it."""

    event: AuditEvent
    at: dt.datetime  # local time
    when: str  # dd/mm/yyyy HH:MM
    actor: str
    sentence: str
    details: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""


def describe(events: Iterable[AuditEvent], *, here: models.Model | None = None) -> list[Entry]:
    """The events as entries: one query for the actors, one per kind of object to name (not per
    event), and the few lookups some values need (a subject group's name, a reviewer's).

    ``here``: the object whose page shows these events (its history); its events use the
    sentence's short form."""
    _discover()
    events = list(events)
    here_key = (here._meta.label_lower, str(here.pk)) if here is not None else None
    actors = _actor_names(events)
    # The page's own object goes without saying (the short sentences): no need to look it up.
    objects = _object_names([e for e in events if (e.object_type, e.object_id) != here_key])
    entries = []
    for event in events:
        spec = _ACTIONS.get(event.action)
        model = _model(event.object_type)
        changes = event.changes if isinstance(event.changes, dict) else {}
        named = actors.get(event.actor_id) if event.actor_id is not None else None
        actor = named or event.actor_name or _("The system")
        obj = objects.get((event.object_type, event.object_id)) or event.object_repr or "—"
        facts = _Facts(actor=actor, object=obj, changes=changes, model=model, spec=spec)
        if spec is None:
            text = _("%(actor)s made a change (%(object)s).")
        elif spec.here and (here_key == (event.object_type, event.object_id) or obj == actor):
            text = spec.here  # on the object's own page, or the actor acting on their own
        else:
            text = spec.text
        at = timezone.localtime(event.at)
        entries.append(
            Entry(
                event=event,
                at=at,
                when=format_date(at, DATE_TIME),
                actor=actor,
                sentence=str(text) % facts,
                details=_details(changes, spec, model),
                reason=str(changes.get("reason") or _after(changes).get("returned_reason") or ""),
            )
        )
    return entries


def person_name(user: User) -> str:
    """A user as people know them: their staff record's name, else the account's name."""
    person = user.person
    if person is not None and person.full_name:
        return person.full_name
    return user.get_full_name().strip() or user.get_username()


def _actor_names(events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    users = User.objects.filter(pk__in=ids).select_related("person")
    return {user.pk: person_name(user) for user in users}


def _object_names(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    by_type: dict[str, list[str]] = {}
    for e in events:
        if e.object_type in _OBJECTS and e.object_id:
            by_type.setdefault(e.object_type, []).append(e.object_id)
    names = {}
    for object_type, ids in by_type.items():
        for object_id, name in _OBJECTS[object_type](sorted(set(ids))).items():
            names[(object_type, str(object_id))] = name
    return names


def _model(object_type: str) -> Any:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except LookupError:
        return None


def _after(changes: Mapping[str, Any]) -> Mapping[str, Any]:
    after = changes.get("after")
    return after if isinstance(after, dict) else {}


class _Facts(dict[str, str]):
    """The placeholders of a sentence: actor, object, and the event's recorded keys (those of
    ``after`` included), said as values; a key the event lacks reads "—"."""

    def __init__(
        self,
        *,
        actor: str,
        object: str,
        changes: Mapping[str, Any],
        model: Any,
        spec: Sentence | None,
    ):
        super().__init__(actor=actor, object=object)
        self._changes = changes
        self._model = model
        self._spec = spec

    def __missing__(self, key: str) -> str:
        for source in (self._changes, _after(self._changes)):
            if key in source:
                return say(key, source[key], self._model, self._spec)
        return "—"


def label(key: str, model: Any = None, spec: Sentence | None = None) -> str:
    """A recorded key's name: the action's or the app's label, else the model field's name."""
    _discover()  # also used on its own, e.g. by a conflict's field names
    if spec is not None and key in spec.labels:
        return str(spec.labels[key])
    if key in _LABELS:
        return str(_LABELS[key])
    if model is not None:
        try:
            verbose = model._meta.get_field(key.removesuffix("_id")).verbose_name
        except FieldDoesNotExist:
            verbose = None
        if verbose:
            return str(verbose)[:1].upper() + str(verbose)[1:]
    return key


def say(key: str, value: Any, model: Any = None, spec: Sentence | None = None) -> str:
    """A recorded value as a person says it."""
    _discover()
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if spec is not None and key in spec.formats:
        return spec.formats[key](value)
    if key in _VALUES:
        return _VALUES[key](value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = _choices(model, key)
    if choices and not isinstance(value, list | dict):
        return str(choices.get(value, value))
    if isinstance(value, list):
        return ", ".join(say(key, v, model, spec) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{label(str(k), model, spec)}: {say(str(k), v, model, spec)}"
            for k, v in value.items()
            if k not in HIDDEN
        )
    if isinstance(value, float):
        return number_format(value, decimal_pos=1 if value % 1 else 0)
    if isinstance(value, int):
        return number_format(value)
    return _text(str(value))


def _text(value: str) -> str:
    moment = parse_datetime(value) if len(value) > 10 and value[4:5] == "-" else None
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return format_date(moment, DATE_TIME)
    day = parse_date(value) if len(value) == 10 and value[4:5] == "-" else None
    if day is not None:
        return format_date(day, DATE)
    return Truncator(value).chars(LONG_TEXT)


def _choices(model: Any, key: str) -> dict[Any, Any]:
    if model is None:
        return {}
    try:
        f = model._meta.get_field(key)
    except FieldDoesNotExist:
        return {}
    # A reverse relation (a plan's "items" count) has no choices.
    return dict(f.flatchoices) if getattr(f, "choices", None) else {}


def _details(
    changes: Mapping[str, Any], spec: Sentence | None, model: Any
) -> list[tuple[str, str]]:
    """What the event recorded, as (name, value) rows; changed values read "before → after"."""

    def said(key: str, value: Any) -> str:
        return say(key, value, model, spec)

    rows = []
    before, after = changes.get("before"), changes.get("after")
    if isinstance(before, dict) or isinstance(after, dict):
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        for key in dict.fromkeys([*after, *before]):
            if key in HIDDEN:
                continue
            if key in before and key in after:
                if before[key] == after[key]:
                    continue
                text = f"{said(key, before[key])} → {said(key, after[key])}"
            else:
                text = said(key, after[key] if key in after else before[key])
            rows.append((label(key, model, spec), text))
    elif before is not None or after is not None:
        rows.append((_("Change"), f"{said('', before)} → {said('', after)}"))
    for key, value in changes.items():
        if key in {"before", "after", "reason"} or key in HIDDEN:
            continue
        if spec and spec.pairs and isinstance(value, list) and len(value) == 2:
            text = f"{said(key, value[0])} → {said(key, value[1])}"
        else:
            text = said(key, value)
        rows.append((label(key, model, spec), text))
    return rows
