"""The current request's client address, for the audit log (set by RequestContextMiddleware)."""

from __future__ import annotations

from contextvars import ContextVar, Token

_ip: ContextVar[str | None] = ContextVar("opentemis_ip", default=None)


def set_ip(value: str | None) -> Token[str | None]:
    return _ip.set(value)


def reset_ip(token: Token[str | None]) -> None:
    _ip.reset(token)


def current_ip() -> str | None:
    return _ip.get()
