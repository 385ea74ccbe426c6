"""The client's real address, behind the reverse proxies we trust and no others.

``REMOTE_ADDR`` is the peer that opened the connection: behind the TLS proxy of
docs/operations.md, that is the proxy. The proxy appends the address it saw to
``X-Forwarded-For``; anything to the left of that was written by the client and proves nothing.
So the header is read only when the peer is a trusted proxy (``settings.TRUSTED_PROXIES``:
addresses or networks), and from the right: the first address that is not itself a trusted
proxy is the client. A forged ``X-Forwarded-For`` from anyone else is ignored.

One function for the sign-in lockout (``AXES_CLIENT_IP_CALLABLE``), the sign-in rate limits and
the audit log. django-ipware would do the same with its trusted-proxy list but is not installed,
and this is the whole algorithm (docs/decisions/0011-sign-in.md).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring)."""
    peer: str | None = request.META.get("REMOTE_ADDR") or None
    trusted = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not trusted or peer is None:
        return peer
    hop = _parse(peer)
    if hop is None or not any(hop in net for net in trusted):
        return peer
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed(forwarded.split(",")):
        address = _parse(part)
        if address is None:
            break  # a garbled entry: nothing left of it can be believed
        hop = address
        if not any(address in net for net in trusted):
            return str(address)
    # Every hop was a trusted proxy (or the header was missing): the last one we believed.
    return str(hop)


def is_trusted_proxy(address: str | None) -> bool:
    """Whether ``address`` (a peer's ``REMOTE_ADDR``) is one of ``settings.TRUSTED_PROXIES``:
    only they may tell us what happened before the request reached us (admission control's
    ``X-Request-Start``)."""
    trusted = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    hop = _parse(address) if address else None
    return hop is not None and any(hop in net for net in trusted)
