from __future__ import annotations

from django.contrib import admin

from opentemis.staff.models import CoreDesignation, Person, Position, Subject, SubjectGroup

admin.site.register(Position)
admin.site.register(Subject)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["staff_code", "full_name", "gender", "unit", "employment_status"]
    list_filter = ["gender", "is_dtts", "employment_status"]
    search_fields = ["staff_code", "search_text"]
    raw_id_fields = ["unit", "subject_group"]
    readonly_fields = ["search_text", "is_dtts", "version"]


@admin.register(SubjectGroup)
class SubjectGroupAdmin(admin.ModelAdmin[SubjectGroup]):
    list_display = ["name", "unit"]
    raw_id_fields = ["unit"]


@admin.register(CoreDesignation)
class CoreDesignationAdmin(admin.ModelAdmin[CoreDesignation]):
    list_display = ["person", "school_year", "kind"]
    raw_id_fields = ["person"]
