from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit, UnitMove


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    # Structure changes go through the services (pages/API) so that moves are recorded.
    list_display = ["code", "name", "kind", "depth", "status", "disadvantaged_area"]
    list_filter = ["kind", "status", "disadvantaged_area", "depth"]
    search_fields = ["code", "search_name"]
    readonly_fields = ["path", "depth", "numchild"]
    filter_horizontal = ["levels"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin[SchoolYear]):
    list_display = ["code", "start_date", "end_date", "is_current"]


admin.site.register(SchoolLevel)


@admin.register(UnitMove)
class UnitMoveAdmin(admin.ModelAdmin[UnitMove]):
    list_display = ["moved_at", "unit", "old_parent", "new_parent", "moved_by", "reason"]
    readonly_fields = [f.name for f in UnitMove._meta.fields]
