"""Which requests come through our own TLS proxy (MDM_TRUSTED_PROXIES), and who sent them."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import cache

from django.conf import settings


@cache
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def from_trusted_proxy(meta: Mapping[str, object]) -> bool:
    """Whether the connection comes from one of MDM_TRUSTED_PROXIES (its headers are believed)."""
    try:
        ip = ipaddress.ip_address(str(meta.get("REMOTE_ADDR", "")))
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.MDM_TRUSTED_PROXIES)))


def client_ip(meta: Mapping[str, object]) -> str:
    """The address of whoever sent the request: the peer, or behind a trusted proxy the address
    that proxy appended to X-Forwarded-For (the last entry; earlier ones are the client's word)."""
    peer = str(meta.get("REMOTE_ADDR", ""))
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
    if forwarded and from_trusted_proxy(meta):
        last = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer
