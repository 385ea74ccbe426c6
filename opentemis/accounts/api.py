"""REST API sign-in: exchange a username (or staff code) and password for an API token.

The credentials go through :func:`django.contrib.auth.authenticate` *with the request*, so the
project's backends apply exactly as on the sign-in page: staff-code login, and django-axes
lockout (which needs the request to know the client address), and the per-address failure
budget of :mod:`opentemis.accounts.signin`. Failures are audited by the ``user_login_failed``
hook of the accounts app; successes here. Tokens expire after ``API_TOKEN_TTL`` and are
revoked when the password changes or is reset (docs/decisions/0011-sign-in.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts import services, signin
from opentemis.accounts.authentication import ExpiringTokenAuthentication
from opentemis.accounts.models import User
from opentemis.accounts.types import request_actor
from opentemis.core.api import API_PERMISSIONS
from opentemis.core.scoping import actor_scope


class TokenRequestSerializer(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField(
        max_length=150, help_text=gettext_lazy("Username or national staff code.")
    )
    password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy('Send it as the header "Authorization: Token <token>".'),
    )
    expires = serializers.DateTimeField(
        read_only=True,
        help_text=gettext_lazy(
            "When the token stops working; sign in again then. Changing or resetting the "
            "password revokes it at once."
        ),
    )


class TokenView(APIView):
    """``POST``: get the caller's API token; ``DELETE``: revoke it."""

    # Token authentication only: POST carries its own credentials (a session adds nothing and
    # would only bring a CSRF check), and DELETE revokes the token it is called with.
    authentication_classes = [ExpiringTokenAuthentication]

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [permission() for permission in API_PERMISSIONS]

    @extend_schema(
        auth=[],
        description=gettext_lazy(
            "Exchange a username (or staff code) and password for your API token. Repeated "
            "failures lock the account out for a while, and many failures from one address "
            "refuse that address, as on the sign-in page."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description=gettext_lazy("Wrong username or password.")),
            403: OpenApiResponse(
                description=gettext_lazy("The initial password must be changed first.")
            ),
            429: OpenApiResponse(
                description=gettext_lazy("Too many failed attempts: locked out for a while.")
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username: str = serializer.validated_data["username"]
        password: str = serializer.validated_data["password"]
        # The Django request, not DRF's wrapper: axes marks a lockout on the request it is
        # given, and its middleware reads that mark on the Django request.
        http_request = request._request
        if signin.refused(http_request, username):
            raise Throttled(
                detail=_("Too many failed sign-in attempts from your network. Try again later.")
            )
        user = authenticate(request=http_request, username=username, password=password)
        if getattr(http_request, "axes_locked_out", False):
            # Answer in JSON here; left set, axes' middleware would replace it with the HTML page.
            http_request.axes_locked_out = False  # type: ignore[attr-defined]  # axes' mark
            raise Throttled(detail=_("Too many failed sign-in attempts. Try again later."))
        if not isinstance(user, User):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with that username and password.")]}
            )
        if user.must_change_password:
            raise PermissionDenied(
                _("Change your initial password on the website before using the API.")
            )
        # As for a page sign-in: axes clears the failure count, Django records last_login.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        with actor_scope(user):
            token = services.api_token_issue(user=user)
        data = {"token": token.key, "expires": services.api_token_expires(token)}
        return Response(TokenSerializer(data).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={204: None},
        description=gettext_lazy("Revoke your API token."),
    )
    def delete(self, request: Request) -> Response:
        services.api_tokens_revoke(user=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
