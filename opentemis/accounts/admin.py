from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.accounts.services import password_set_by_admin
from opentemis.core.scoping import actor_scope


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ["unit", "granted_by"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleInline]
    raw_id_fields = ["person"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("OpenTEMIS", {"fields": ("person", "must_change_password")}),
    )

    def user_change_password(self, request, id, form_url=""):  # type: ignore[no-untyped-def]
        """Django's page; a password set here revokes API tokens and is audited, as a reset."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                with actor_scope(request.user):
                    password_set_by_admin(actor=request.user, user=user)
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_repr", "unit", "ip_address"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
