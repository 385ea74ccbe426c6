"""Model metadata for the few places that write SQL by hand (the staff import's bulk writes,
the synthetic-data loader): the field of a column, checked.

``Model._meta.get_field(name)`` also answers with the reverse side of a relation, which has no
column; writing SQL with it would name ``None``. These refuse that at once, by name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The field ``name`` of ``model`` that is stored in a column of its table."""
    field = model._meta.get_field(name)
    if isinstance(field, models.Field) and field.concrete:
        return field
    raise FieldDoesNotExist(f"{model._meta.label}.{name} is not stored in a column")


def field_column(field: models.Field[Any, Any]) -> str:
    """The column of ``field`` (a concrete field always has one; the type allows otherwise)."""
    if field.column is None:
        raise FieldDoesNotExist(f"{field} is not stored in a column")
    return field.column


def column_of(model: type[models.Model], name: str) -> str:
    """The column of the field ``name`` of ``model``."""
    return field_column(concrete_field(model, name))
