"""Read-only admin: evidence is changed by its owner through the services, never here."""

from __future__ import annotations

from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from opentemis.evidence.models import Evidence, StoredFile

_M = TypeVar("_M", bound=Model)


class _ReadOnly(admin.ModelAdmin[_M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False


@admin.register(StoredFile)
class StoredFileAdmin(_ReadOnly[StoredFile]):
    list_display = ["sha256", "content_type", "size", "created_at"]
    search_fields = ["sha256"]
    list_filter = ["content_type"]


@admin.register(Evidence)
class EvidenceAdmin(_ReadOnly[Evidence]):
    list_display = ["title", "kind", "owner", "school_year", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "owner__staff_code"]
    raw_id_fields = ["owner", "stored_file", "school_year", "created_by"]
    list_select_related = ["owner", "school_year"]
