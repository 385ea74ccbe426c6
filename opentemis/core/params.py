"""Request parameters: the guard every request passes, and the one way views read ids.

No form of ours sends a NUL byte, another control character or a value of a hundred thousand
characters, yet such values reached the database: PostgreSQL refuses NUL bytes in text (the
request ended in a 500), SQLite stores them. ``InputGuardMiddleware`` answers such requests
400 before any view runs, on every route, pages and API alike, so a new route is covered
without anyone remembering to. What it checks: the path, the names and values of query
parameters and form fields (``POST``, and form-encoded ``PUT``/``PATCH``) and every string
(keys too) of a JSON body. Limits (settings): ``INPUT_MAX_QUERY_VALUE`` characters for a query
parameter, ``INPUT_MAX_FORM_VALUE`` for a form field or a JSON string.

Whether a value is a well-formed id depends on the parameter, so it is each view's question,
answered by ``id_param`` (query: absent is ``None``, anything but an id is 400) or
``parse_positive_int`` (forms, which show their own error). ``str.isdigit()`` is not enough:
``"²".isdigit()`` is true and ``int("²")`` raises, and ``int()`` of 5,000 digits raises too.

The 400 is a friendly Vietnamese page for pages and ``{"detail": ...}`` for the API
(``bad_request_response``, also Django's ``handler400`` through ``core.views.bad_request``).
A value that slips past both and is refused by the database is a logged 400 as a last resort
(``InputGuardMiddleware.process_exception``).
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
#: The largest id a ``BigAutoField`` holds; larger numbers are no id of ours.
MAX_ID = 2**63 - 1

# C0 control characters but tab, line feed and carriage return (a text area sends those), and
# lone surrogates (JSON can spell them; no database stores them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class InvalidParameter(BadRequest):
    """Parameter ``name`` holds what no page of ours sends (400).

    A program calling the API is told which parameter; a person is not: the names are not
    Vietnamese, and they followed a link or a form, they did not type the parameter.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def message(self, request: HttpRequest) -> str:
        if request.path.startswith(API_PREFIX):
            return _("“%(name)s” must be the number of a record.") % {"name": self.name}
        return _("The address or the form holds a record number that does not exist.")


def parse_positive_int(value: object, *, maximum: int = MAX_ID) -> int | None:
    """``value`` as a whole number from 1 to ``maximum`` written in ASCII digits, else ``None``.

    For ids and other positive numbers (criterion numbers, versions) read from requests.
    """
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def id_value(raw: object, name: str) -> int | None:
    """``raw`` (the value of parameter ``name``) as an id: ``None`` if absent or empty, 400
    (``InvalidParameter``) if it is anything but an id."""
    if raw is None or raw == "":
        return None
    number = parse_positive_int(raw)
    if number is None:
        raise InvalidParameter(name)
    return number


def id_param(params: Mapping[str, Any], name: str) -> int | None:
    """The id in parameter ``name`` of ``params`` (``request.GET``, ``request.POST``): ``None``
    if absent or empty, 400 if it is anything but an id."""
    return id_value(params.get(name), name)


_M = TypeVar("_M", bound=Model)


class ModelMultipleIdField(forms.ModelMultipleChoiceField[_M]):
    """A multiple choice of records by id that refuses what is no id before it queries.

    Django's field looks the values up with ``pk__in`` as they were sent, and SQLite cannot bind
    an integer past 2**63 (``OverflowError``, a 500).
    """

    def clean(self, value: Any) -> Any:
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if pk not in ("", None) and parse_positive_int(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


# --- the guard ----------------------------------------------------------------------------


def _strings(data: Any) -> Iterator[str]:
    """Every key and string value of parsed JSON."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _problem(values: Iterable[str], limit: int) -> str | None:
    for value in values:
        if _CONTROL.search(value):
            return _(
                "The request contains characters that cannot be typed (such as control "
                "characters). Please check what you entered and try again."
            )
        if len(value) > limit:
            return _(
                "A value in the request is too long (at most %(limit)s characters). "
                "Please shorten it and try again."
            ) % {"limit": number_format(limit, force_grouping=True)}
    return None


def _items(params: QueryDict) -> Iterator[str]:
    for key, values in params.lists():
        yield key
        yield from values


def _body_strings(request: HttpRequest) -> Iterable[str]:
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return list(_items(request.POST))  # file names: Django drops what is not printable
    if content_type == "application/x-www-form-urlencoded":
        return list(_items(QueryDict(request.body, encoding=request.encoding)))
    if content_type == "application/json" and request.body:
        try:
            return list(_strings(json.loads(request.body)))
        except ValueError:  # not JSON: the API's parser answers that (400)
            return []
    return []


def input_problem(request: HttpRequest) -> str | None:
    """Why the request's path or parameters cannot be accepted (module docstring), or ``None``."""
    query_limit = settings.INPUT_MAX_QUERY_VALUE
    return (
        _problem([request.path], query_limit)
        or _problem(_items(request.GET), query_limit)
        or _problem(_body_strings(request), settings.INPUT_MAX_FORM_VALUE)
    )


def bad_request_response(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """400: ``{"detail": ...}`` for the API, the Vietnamese error page for pages."""
    if request.path.startswith(API_PREFIX):
        detail = message or _("The request could not be understood. Please go back and try again.")
        return JsonResponse({"detail": detail}, status=400)
    return render(request, "errors/400.html", {"status": 400, "message": message}, status=400)


def _innermost(exception: BaseException) -> str:
    """``file:line`` where ``exception`` was raised in our code (else anywhere)."""
    frames = traceback.extract_tb(exception.__traceback__)
    ours = [f for f in frames if "/opentemis/" in f.filename] or frames
    return f"{ours[-1].filename}:{ours[-1].lineno}" if ours else "?"


class InputGuardMiddleware:
    """400 for a request carrying what no form sends (module docstring), before any view.

    And a last resort: a value the guard and the view's own checks let through that the
    database refuses (``DataError``: a NUL byte, a number or text too long for its column) or
    that is too large for C code (``OverflowError``, e.g. Django admin's date filters given a
    year of 2**63) is a 400 too, not a 500. It is logged as an error with its traceback: the
    view should have refused the value itself. ``response.input_net`` says where (for tests).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = input_problem(request)
        if problem is not None:
            return bad_request_response(request, problem)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DataError | OverflowError):
            return None
        where = _innermost(exception)
        logger.error(
            "A request value reached %s unchecked (%s); answered 400",
            where,
            exception.__class__.__name__,
            exc_info=exception,
        )
        response = bad_request_response(
            request,
            _("A value in the request cannot be stored. Please check what you entered."),
        )
        response.input_net = where  # type: ignore[attr-defined]  # for the tests only
        return response
