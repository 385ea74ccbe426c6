from __future__ import annotations

from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from opentemis.standards.models import Criterion, Framework, Standard

_M = TypeVar("_M", bound=Model)


class CriterionInline(admin.TabularInline[Criterion, Framework]):
    model = Criterion
    fields = ["number", "name", "is_key", "verified"]
    extra = 0


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Frameworks change only by loading a new version (the upload page, or
    `opentemis load_frameworks FILE`): a stored version, locked or not, is never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin[Framework]):
    list_display = ["code", "version", "title_vi", "is_complete", "rules_verified", "is_locked"]
    inlines = [CriterionInline]
    actions = None  # no bulk delete: it would not ask about each version's lock

    def has_delete_permission(self, request: HttpRequest, obj: Framework | None = None) -> bool:
        # A locked version backs finished evaluations: it stays, whatever the database allows.
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin[Standard]):
    list_display = ["framework", "number", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Standard | None = None) -> bool:
        return False
