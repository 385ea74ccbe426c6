from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from opentemis.accounts.models import User
from opentemis.accounts.selectors import user_for_login


class StaffCodeOrUsernameBackend(ModelBackend):
    """Sign in with a username or a national staff code, case-insensitively."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = user_for_login(login=username)
        if user is None:
            # Unknown or ambiguous: run the hasher anyway so timing does not reveal which.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
