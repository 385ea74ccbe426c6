from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from opentemis.accounts.models import User


class StaffCodeOrUsernameBackend(ModelBackend):
    """Sign in with a username or a national staff code, case-insensitively."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        login = username.strip()
        candidates = list(
            User.objects.filter(Q(username__iexact=login) | Q(person__staff_code__iexact=login))[:2]
        )
        if len(candidates) != 1:
            # Unknown or ambiguous: run the hasher anyway so timing does not reveal which.
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
