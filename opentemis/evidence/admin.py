"""Read-only admin: evidence is changed by its owner through the services, never here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from opentemis.evidence.models import Evidence, StoredFile


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(StoredFile)
class StoredFileAdmin(_ReadOnly):
    list_display = ["sha256", "content_type", "size", "created_at"]
    search_fields = ["sha256"]
    list_filter = ["content_type"]


@admin.register(Evidence)
class EvidenceAdmin(_ReadOnly):
    list_display = ["title", "kind", "owner", "school_year", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "owner__staff_code"]
    raw_id_fields = ["owner", "stored_file", "school_year", "created_by"]
    list_select_related = ["owner", "school_year"]
