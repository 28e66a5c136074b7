"""Where webhooks may go: the SSRF rules, checked at creation and again before every send.

A check that resolves a host name and a send that resolves it again can get two different
answers (DNS rebinding: a public address for the check, 127.0.0.1 for the send). So the sender
does not resolve at all: ``pin`` resolves once, applies the rules to every answer, and gives
the request with its host replaced by the address vetted, the name kept in the Host header
and, for https, as the TLS server name (SNI and certificate verification).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

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


_NOT_A_URL = "url must be an http(s) URL with a host"

Resolve = Callable[[str, int | None], Awaitable[list[Address]]]


@dataclass(frozen=True, slots=True)
class Pinned:
    """A request target at the address vetted: send to ``url`` with ``host`` as the Host
    header and ``sni_hostname`` as the TLS server name (None for http or an IP literal)."""

    url: str
    host: str
    sni_hostname: str | None


class NetworkDestinations(Destinations):
    """``https_only`` and ``allow_private`` follow the environment: production refuses plain
    http and every non-public address unless STOCKROOM_WEBHOOK_ALLOW_PRIVATE=true."""

    def __init__(
        self, *, https_only: bool, allow_private: bool, resolve: Resolve | None = None
    ) -> None:
        self.https_only = https_only
        self.allow_private = allow_private
        self._resolve = resolve or _addresses

    async def check(self, url: str) -> None:
        _, hostname, port = self._parse(url)
        if not self.allow_private:
            self._vet(await self._resolve(hostname, port))

    async def pin(self, url: str) -> Pinned:
        """``url`` checked and bound to one address its host resolves to now."""
        parts, hostname, port = self._parse(url)
        addresses = await self._resolve(hostname, port)
        if not self.allow_private:
            self._vet(addresses)
        return _pinned(parts, hostname, port, addresses[0])

    def _parse(self, url: str) -> tuple[SplitResult, str, int | None]:
        try:
            parts = urlsplit(url)
            hostname, port = parts.hostname, parts.port  # port raises on a bad one
        except ValueError:  # "Invalid IPv6 URL", "Port out of range", ...
            raise DestinationRefused(_NOT_A_URL, field="url") from None
        if parts.scheme not in ("http", "https") or not hostname:
            raise DestinationRefused(_NOT_A_URL, field="url")
        if self.https_only and parts.scheme != "https":
            raise DestinationRefused("webhook URLs must use https", field="url")
        return parts, hostname, port

    @staticmethod
    def _vet(addresses: list[Address]) -> None:
        # Any refused answer refuses the host: a client may connect to any of them.
        if any(refused_address(a) for a in addresses):
            raise DestinationRefused(
                "the webhook URL resolves to a loopback, private, link-local or metadata address",
                field="url",
            )


def _pinned(parts: SplitResult, hostname: str, port: int | None, address: Address) -> Pinned:
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if port is None else f"{literal}:{port}"
    named = parts.netloc.rpartition("@")[2]  # the Host header never carries userinfo
    is_name = hostname.strip("[]") != str(address)
    sni = hostname if parts.scheme == "https" and is_name else None
    return Pinned(parts._replace(netloc=netloc).geturl(), named, sni)


async def _addresses(host: str, port: int | None) -> list[Address]:
    """Every address ``host`` stands for (itself, if it is an IP literal)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except OSError:
        infos = []
    if not infos:
        raise DestinationRefused("the webhook URL's host does not resolve", field="url")
    return [ipaddress.ip_address(info[4][0]) for info in infos]
