from django.contrib import admin

from opentemis.standards.models import Criterion, Framework, Standard


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["number", "name", "is_key", "verified"]
    extra = 0


class ReadOnlyAdmin(admin.ModelAdmin):
    """Frameworks change only by loading a new version (the upload page, or
    `opentemis load_frameworks FILE`): a stored version, locked or not, is never edited here."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "title_vi", "is_complete", "rules_verified", "is_locked"]
    inlines = [CriterionInline]
    actions = None  # no bulk delete: it would not ask about each version's lock

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A locked version backs finished evaluations: it stays, whatever the database allows.
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ["framework", "number", "name"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
