"""JSON Web Key Sets: a cached remote JWKS (BetterAuth) and a static one (the dev issuer)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import httpx
import jwt

from application.errors import IdentityProviderUnavailable, Unauthenticated

log = logging.getLogger(__name__)

UNKNOWN_KEY = "the token is signed with an unknown key"


class KeySource(Protocol):
    """Finds the public key a token's ``kid`` names."""

    async def key(self, kid: str) -> jwt.PyJWK: ...


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """Parse a JWKS document into keys by kid; entries we cannot use are skipped, not fatal."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document["keys"]:
        kid = entry.get("kid") if isinstance(entry, Mapping) else None
        if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = jwt.PyJWK(dict(entry))
        except jwt.PyJWTError as exc:  # e.g. an algorithm we do not support: ignore that key
            log.warning("ignoring JWKS key %s: %s", kid, exc)
    return keys


class StaticJwks(KeySource):
    """Keys known in-process (the dev issuer); no network."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._keys = parse_jwks(document)

    async def key(self, kid: str) -> jwt.PyJWK:
        try:
            return self._keys[kid]
        except KeyError:
            raise Unauthenticated(UNKNOWN_KEY) from None


class RemoteJwks(KeySource):
    """A JWKS fetched over HTTP, cached by kid, refetched at once for an unknown kid.

    BetterAuth mints a new key only when it first signs with it, so a new kid must not wait
    for a long cooldown (PyJWKClient waits 30 s); refetches are still capped at one per
    ``min_refetch_interval`` so random kids cannot hammer the identity provider.
    """

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 600.0,
        min_refetch_interval: float = 1.0,
        max_stale: float = 3600.0,
        timeout: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._url = url
        self._ttl = ttl
        self._min_interval = min_refetch_interval
        self._max_stale = max_stale
        self._monotonic = monotonic
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), transport=transport, follow_redirects=False
        )
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = float("-inf")  # last successful fetch (freshness)
        self._attempted_at = float("-inf")  # last attempt, successful or not (rate limit)
        self._generation = 0  # bumped per attempt so lock waiters can share one fetch
        self._failed = False  # the last attempt failed: an unknown kid is then a 503, not a 401
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        if kid in self._keys and self._age() < self._ttl:
            return self._keys[kid]
        if kid in self._keys and self._lock.locked() and self._usable():
            return self._keys[kid]  # a refresh is under way; do not queue behind it
        seen = self._generation
        async with self._lock:
            if self._generation == seen:  # nobody fetched while we waited for the lock
                await self._refresh(known=kid in self._keys)
        if kid in self._keys and self._usable():
            return self._keys[kid]
        if self._failed or not self._usable():
            raise IdentityProviderUnavailable("the identity provider's keys are unavailable")
        raise Unauthenticated(UNKNOWN_KEY)

    async def _refresh(self, *, known: bool) -> None:
        wait = self._min_interval - (self._monotonic() - self._attempted_at)
        if wait > 0:
            if known:  # only stale, and we fetched a moment ago: keep using it for now
                return
            await self._sleep(wait)  # a brand-new kid waits (<= 1 s) rather than fail
        self._generation += 1
        self._attempted_at = self._monotonic()
        try:
            response = await self._client.get(self._url, headers={"Accept": "application/json"})
            response.raise_for_status()
            self._keys = parse_jwks(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            # Fail closed later in key(): only keys still within max_stale stay usable.
            log.warning("JWKS fetch from %s failed: %s", self._url, type(exc).__name__)
            self._failed = True
            return
        self._failed = False
        self._loaded_at = self._monotonic()

    def _age(self) -> float:
        return self._monotonic() - self._loaded_at

    def _usable(self) -> bool:
        # Past the TTL, cached keys still serve through an outage, but only for max_stale.
        return self._age() < self._ttl + self._max_stale

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
