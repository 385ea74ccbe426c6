"""API token authentication: DRF's tokens, which expire (docs/decisions/0011-sign-in.md)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from opentemis.accounts.services import api_token_expires


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token is ``API_TOKEN_TTL`` old.

    Tokens are also deleted when the password changes or is reset
    (``services._credentials_replaced``), so an expired or revoked key is simply unknown.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if api_token_expires(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed(_("The API token has expired: sign in again for a new one."))
        return user, token
