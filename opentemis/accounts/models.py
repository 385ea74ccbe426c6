from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opentemis.accounts.roles import Role
from opentemis.core.scoping import ScopedManager


class UserManager(DjangoUserManager["User"]):
    """Django's, with the natural key (createsuperuser, loaddata, ``get_by_natural_key``)
    compared without case, as sign-in does: usernames are unique whatever their case."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A login. Linked to a staff record when the user is a teacher or manager."""

    objects: ClassVar[UserManager] = UserManager()

    person = models.OneToOneField(
        "staff.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="user"
    )
    must_change_password = models.BooleanField(default=False)
    # The user's active role grants, kept on the row that authentication reads anyway, so that a
    # request needs no query on RoleAssignment (accounts.permissions.role_grants). Every change
    # of a grant, or of the path of a unit holding one, increments ``roles_version`` in the same
    # transaction; a cache written for another version is ignored.
    roles_version = models.PositiveIntegerField(default=0, editable=False)
    grants_cache = models.JSONField(null=True, blank=True, editable=False)
    # The interface language the person chose with the switcher ("" = the site's, Vietnamese);
    # given back as the language cookie at sign-in, so it follows them to another device.
    language = models.CharField(_("interface language"), max_length=8, blank=True)

    class Meta(AbstractUser.Meta):
        constraints = [
            # Sign-in ignores case, so two accounts may not differ by case alone
            # (docs/decisions/0011-sign-in.md; migration 0005 renamed existing pairs).
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=_("A user with that username already exists."),
            )
        ]


class RoleAssignment(models.Model):
    """A role granted on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="role_assignments")
    is_active = models.BooleanField(default=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    # The end of a time-limited grant (the independent auditor's, bdtx.md R13): from this
    # instant the grant gives nothing (``accounts.permissions.role_grants``). None: no end.
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)

    # Unscoped on purpose: scopes are computed from this table (see core/scoping.py).
    objects = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit_id}"

    @property
    def last_day(self) -> dt.date | None:
        """The last local day the grant is valid (it expires at the start of the next)."""
        if self.expires_at is None:
            return None
        return timezone.localtime(self.expires_at).date() - dt.timedelta(days=1)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class AuditEvent(models.Model):
    """Who did what, when, on which unit's data: sign-ins and administrative changes."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedManager("unit__path")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
