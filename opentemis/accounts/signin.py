"""Sign-in limits that cannot be gamed (docs/decisions/0011-sign-in.md).

Two limits, both keyed on the client's real address (:func:`opentemis.core.client_ip.client_ip`):

1. **Per account and address** (django-axes, ``AXES_LOCKOUT_PARAMETERS``): after
   ``AXES_FAILURE_LIMIT`` failures the pair is locked for ``AXES_COOLOFF_TIME``. The account is
   named by :func:`lockout_username`, the same canonical name whether the person typed their
   username or staff code, in whatever case, so ``SEC_BF_A`` shares the tries of ``sec_bf_a``.
2. **Per address** (password spraying: many accounts, one password each): the failures of an
   address are counted in the configured cache. Past ``SIGNIN_ADDRESS_FAILURE_LIMIT`` failures
   in the current and the previous ``SIGNIN_ADDRESS_WINDOW`` the address is refused without a
   password check, except for accounts with *standing* there: the account signed in from this
   browser before (a signed cookie) or from this address within ``SIGNIN_STANDING_DAYS``. So
   a school behind one NAT address keeps signing in while somebody on it sprays.

Only failures count, never successes. The page, the API token endpoint and the password reset
request share both limits.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse

from opentemis.accounts.models import User
from opentemis.accounts.selectors import normalise_login, user_for_login
from opentemis.core.client_ip import client_ip

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "opentemis_device"
_DEVICE_SALT = "opentemis.accounts.signin.device"
_DEVICE_ACCOUNTS = 5  # a shared staff-room computer: the last few people who signed in on it
# The attribute keeping the names already resolved for a request (axes asks several times).
_LOCKOUT_MEMO = "_opentemis_lockout_names"


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the account's own username in lower case, whichever name
    (username or staff code, any case) was typed; the typed name, normalised, for no account."""
    login = (credentials or {}).get("username")
    if login is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        login = data.get("username", "")
    login = str(login or "")
    memo: dict[str, str] = getattr(request, _LOCKOUT_MEMO, None) or {}
    if login not in memo:
        user = user_for_login(login=login)
        memo[login] = normalise_login(user.username if user else login)
        if request is not None:
            setattr(request, _LOCKOUT_MEMO, memo)
    return memo[login]


# --- the per-address failure budget --------------------------------------------------------


def _slot_keys(address: str) -> tuple[str, str]:
    window = int(settings.SIGNIN_ADDRESS_WINDOW)
    slot = int(time.time()) // window
    return f"signin:fail:{address}:{slot}", f"signin:fail:{address}:{slot - 1}"


def address_failures(address: str) -> int:
    """Failures from ``address`` in the current and the previous window."""
    return sum(v or 0 for v in cache.get_many(list(_slot_keys(address))).values())


def address_failed(request: HttpRequest | None) -> None:
    """Count one failure (wrong password, lockout, reset request) against the address."""
    address = client_ip(request) if request is not None else None
    if not address or not settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
        return
    key, previous = _slot_keys(address)
    timeout = 2 * int(settings.SIGNIN_ADDRESS_WINDOW)
    count = 1
    if not cache.add(key, 1, timeout=timeout):
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
        # Some backends' incr re-stores with the default timeout; the key is per slot anyway.
        cache.touch(key, timeout)
    if count + (cache.get(previous) or 0) == int(settings.SIGNIN_ADDRESS_FAILURE_LIMIT):
        # Once per spell, for the operators: somebody is probably spraying from there.
        logger.warning("Sign-in failures from %s reached the address limit; refusing it", address)


def _address_over_budget(address: str) -> bool:
    limit = int(settings.SIGNIN_ADDRESS_FAILURE_LIMIT)
    return bool(limit) and address_failures(address) >= limit


# --- standing: this account signed in here before ------------------------------------------


def _standing_key(address: str, user: User) -> str:
    return f"signin:ok:{address}:{user.pk}"


def _device_accounts(request: HttpRequest) -> list[str]:
    try:
        value = request.get_signed_cookie(
            DEVICE_COOKIE,
            default="",
            salt=_DEVICE_SALT,
            max_age=int(settings.SIGNIN_STANDING_DAYS) * 86400,
        )
    except (BadSignature, ValueError):
        return []
    return [pk for pk in (value or "").split(",") if pk.isdigit()]


def has_standing(request: HttpRequest, user: User) -> bool:
    if str(user.pk) in _device_accounts(request):
        return True
    address = client_ip(request)
    if not address:
        return False
    return cache.get(_standing_key(address, user)) is not None


def signed_in(request: HttpRequest | None, user: User) -> None:
    """After a successful sign-in (page or API): the account has standing at this address."""
    address = client_ip(request) if request is not None else None
    if address and user.pk:
        cache.set(
            _standing_key(address, user), 1, timeout=int(settings.SIGNIN_STANDING_DAYS) * 86400
        )


def remember_device(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """Give the browser standing for this account (the OWASP "device cookie")."""
    accounts = [str(user.pk), *(pk for pk in _device_accounts(request) if pk != str(user.pk))]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        ",".join(accounts[:_DEVICE_ACCOUNTS]),
        salt=_DEVICE_SALT,
        max_age=int(settings.SIGNIN_STANDING_DAYS) * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def refused(request: HttpRequest, login: str) -> bool:
    """True when this attempt must be refused before any password check: the address has used
    its failure budget and the account has no standing here (or there is no such account)."""
    address = client_ip(request)
    if not address or not _address_over_budget(address):
        return False
    user = user_for_login(login=login)
    return user is None or not has_standing(request, user)
