from django.contrib import admin

from opentemis.standards.models import Criterion, Framework, Standard


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["number", "name", "is_key", "verified"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    """Read-only: frameworks change by loading a new version (`opentemis load_frameworks FILE`)."""

    list_display = ["code", "version", "title_vi", "is_complete", "rules_verified", "is_locked"]
    inlines = [CriterionInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Standard)
