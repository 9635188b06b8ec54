"""Refuse URLs that point inside our own network.

Article links come from outside (feeds, search results). Fetching them
blindly would let anyone who can publish a link make the daemon request
loopback, private or link-local addresses (SSRF). Feed URLs come from our own
config and are trusted; article URLs pass through ``check_public``.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from monitor.errors import BlockedAddress


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified)


async def check_public(url: str) -> None:
    """Raise BlockedAddress unless every address the host resolves to is public."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise BlockedAddress(f"no host in {url!r}")
    try:
        addresses = [ipaddress.ip_address(host).compressed]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise BlockedAddress(f"cannot resolve {host}: {exc}") from exc
        addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not is_public(address):
            raise BlockedAddress(f"{host} resolves to non-public address {address}")
