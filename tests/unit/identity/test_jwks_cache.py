"""The remote JWKS cache: no network per request, immediate refetch for new kids, fail closed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.betterauth.dev_issuer import DevIssuer
from adapters.betterauth.jwks import RemoteJwks
from adapters.clock import ManualClock
from application.errors import IdentityProviderUnavailable, Unauthenticated

URL = "http://idp.test/api/auth/jwks"


class FakeTime:
    """A monotonic clock and a sleep that advances it, so rate limits run instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeIdp:
    """Serves whatever JWKS it is told to, counting fetches; ``down`` simulates an outage."""

    def __init__(self, *documents: dict[str, Any]) -> None:
        self.keys = [k for d in documents for k in d["keys"]]
        self.fetches = 0
        self.down = False
        self.gate: asyncio.Event | None = None

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"keys": list(self.keys)})


def _issuer(tmp_path: Path, name: str) -> DevIssuer:
    return DevIssuer(tmp_path / name, issuer="http://idp.test", clock=ManualClock())


def _jwks(idp: FakeIdp, time: FakeTime, **kw: Any) -> RemoteJwks:
    transport = httpx.MockTransport(idp.handle)
    return RemoteJwks(URL, transport=transport, monotonic=time.monotonic, sleep=time.sleep, **kw)


@pytest.fixture
def keys(tmp_path: Path) -> Callable[[str], DevIssuer]:
    return lambda name: _issuer(tmp_path, name)


async def test_known_kids_are_served_from_cache_within_the_ttl(keys: Any) -> None:
    a = keys("a")
    idp, time = FakeIdp(a.jwks()), FakeTime()
    jwks = _jwks(idp, time, ttl=600)
    for _ in range(5):
        assert (await jwks.key(a.kid)).key_id == a.kid
        time.now += 100
    assert idp.fetches == 1
    time.now += 200  # past the TTL: refreshed on demand
    await jwks.key(a.kid)
    assert idp.fetches == 2


async def test_an_unknown_kid_is_refetched_at_once_not_after_a_cooldown(keys: Any) -> None:
    a, b = keys("a"), keys("b")
    idp, time = FakeIdp(a.jwks()), FakeTime()
    jwks = _jwks(idp, time)
    await jwks.key(a.kid)
    time.now += 1.0
    idp.keys += b.jwks()["keys"]  # the provider rotates: b appears
    assert (await jwks.key(b.kid)).key_id == b.kid
    assert idp.fetches == 2
    assert time.slept == []


async def test_refetches_for_unknown_kids_are_capped_at_one_per_second(keys: Any) -> None:
    a = keys("a")
    idp, time = FakeIdp(a.jwks()), FakeTime()
    jwks = _jwks(idp, time)
    await jwks.key(a.kid)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await jwks.key("no-such-kid")
    assert idp.fetches == 4
    assert time.slept == [1.0, 1.0, 1.0]  # each refetch waited out the 1 s window


async def test_concurrent_requests_for_a_new_kid_share_one_fetch(keys: Any) -> None:
    a, b = keys("a"), keys("b")
    idp, time = FakeIdp(a.jwks(), b.jwks()), FakeTime()
    idp.gate = asyncio.Event()
    jwks = _jwks(idp, time)
    pending = [asyncio.create_task(jwks.key(b.kid)) for _ in range(20)]
    await asyncio.sleep(0)
    idp.gate.set()
    found = await asyncio.gather(*pending)
    assert {k.key_id for k in found} == {b.kid}
    assert idp.fetches == 1


async def test_an_outage_with_nothing_cached_fails_closed(keys: Any) -> None:
    idp, time = FakeIdp(keys("a").jwks()), FakeTime()
    idp.down = True
    with pytest.raises(IdentityProviderUnavailable):
        await _jwks(idp, time).key("any")


async def test_an_outage_serves_cached_keys_only_until_max_stale(keys: Any) -> None:
    a = keys("a")
    idp, time = FakeIdp(a.jwks()), FakeTime()
    jwks = _jwks(idp, time, ttl=600, max_stale=3600)
    await jwks.key(a.kid)
    idp.down = True
    time.now += 601
    assert (await jwks.key(a.kid)).key_id == a.kid  # stale but within max_stale
    with pytest.raises(IdentityProviderUnavailable):
        await jwks.key("a-new-kid")  # cannot tell a new key from a forged one: 503, not 401
    time.now += 3600
    with pytest.raises(IdentityProviderUnavailable):
        await jwks.key(a.kid)


async def test_a_malformed_document_or_error_status_counts_as_an_outage(keys: Any) -> None:
    for response in (httpx.Response(500), httpx.Response(200, text="<html>")):
        transport = httpx.MockTransport(lambda _r, resp=response: resp)
        jwks = RemoteJwks(URL, transport=transport)
        with pytest.raises(IdentityProviderUnavailable):
            await jwks.key("any")
        await jwks.aclose()
