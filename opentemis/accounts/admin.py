from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse

from opentemis.accounts.models import AuditEvent, RoleAssignment, User
from opentemis.accounts.services import password_set_by_admin
from opentemis.accounts.types import request_actor
from opentemis.core.scoping import actor_scope


class RoleInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ["unit", "granted_by"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    inlines = [RoleInline]
    raw_id_fields = ["person"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("OpenTEMIS", {"fields": ("person", "must_change_password")}),
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page; a password set here revokes API tokens and is audited, as a reset."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                actor = request_actor(request)
                with actor_scope(actor):
                    password_set_by_admin(actor=actor, user=user)
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor_name", "action", "object_repr", "unit", "ip_address"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
