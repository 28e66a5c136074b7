"""Where webhooks may go: the SSRF rules, checked at creation and again before every send."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from application.errors import DestinationRefused
from application.webhooks.ports import Destinations

# Cloud metadata services beyond link-local 169.254.169.254 (which is_link_local covers).
METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def refused_address(address: Address) -> bool:
    """Loopback, private, link-local, metadata, or otherwise not a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address in METADATA
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


class NetworkDestinations(Destinations):
    """``https_only`` and ``allow_private`` follow the environment: production refuses plain
    http and every non-public address unless STOCKROOM_WEBHOOK_ALLOW_PRIVATE=true."""

    def __init__(self, *, https_only: bool, allow_private: bool) -> None:
        self.https_only = https_only
        self.allow_private = allow_private

    async def check(self, url: str) -> None:
        try:  # a bracket left open or a port out of range: urllib refuses with ValueError
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise DestinationRefused("url is not a valid URL", field="url") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DestinationRefused("url must be an http(s) URL with a host", field="url")
        if self.https_only and parts.scheme != "https":
            raise DestinationRefused("webhook URLs must use https", field="url")
        if self.allow_private:
            return
        for address in await _addresses(parts.hostname, port):
            if refused_address(address):
                raise DestinationRefused(
                    "the webhook URL resolves to a loopback, private, link-local or "
                    "metadata address",
                    field="url",
                )


async def _addresses(host: str, port: int | None) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise DestinationRefused("the webhook URL's host does not resolve", field="url") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]
