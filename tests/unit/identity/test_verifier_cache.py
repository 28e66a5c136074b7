"""The verified-token cache saves work on the hot path and never outlives a token's exp."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from adapters.betterauth.dev_issuer import DevIssuer
from adapters.betterauth.jwks import StaticJwks
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from adapters.clock import ManualClock
from application.errors import Unauthenticated
from application.principal import Permission

ISSUER = "http://127.0.0.1:8000"


class CountingKeys(StaticJwks):
    """A StaticJwks that counts lookups, i.e. full verifications."""

    lookups = 0

    async def key(self, kid: str) -> jwt.PyJWK:
        self.lookups += 1
        return await super().key(kid)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[DevIssuer, CountingKeys, ManualClock]:
    clock = ManualClock()
    issuer = DevIssuer(tmp_path, issuer=ISSUER, clock=clock)
    return issuer, CountingKeys(issuer.jwks()), clock


def _verifier(
    keys: CountingKeys, clock: ManualClock, *, leeway: int = 30, cache_size: int = 10_000
) -> BetterAuthTokenVerifier:
    return BetterAuthTokenVerifier(
        keys, issuer=ISSUER, audience=ISSUER, clock=clock, leeway=leeway, cache_size=cache_size
    )


async def test_a_repeated_token_is_verified_once(
    setup: tuple[DevIssuer, CountingKeys, ManualClock],
) -> None:
    issuer, keys, clock = setup
    verifier = _verifier(keys, clock)
    token = issuer.mint(user_id="u1", org_id="o1", role="admin,member")
    for _ in range(3):
        principal = await verifier.verify(token)
    assert keys.lookups == 1
    assert principal.role == "admin"
    assert Permission.ADJUST_STOCK in principal.permissions


async def test_a_cached_token_is_refused_once_expired(
    setup: tuple[DevIssuer, CountingKeys, ManualClock],
) -> None:
    issuer, keys, clock = setup
    verifier = _verifier(keys, clock)
    token = issuer.mint(user_id="u1", org_id="o1", role="member", ttl=60)
    await verifier.verify(token)
    clock.advance(60 + 31)  # past exp and past the leeway
    with pytest.raises(Unauthenticated):
        await verifier.verify(token)


async def test_the_cache_stays_within_its_bound(
    setup: tuple[DevIssuer, CountingKeys, ManualClock],
) -> None:
    issuer, keys, clock = setup
    verifier = _verifier(keys, clock, cache_size=2)
    tokens = [issuer.mint(user_id=f"u{i}", org_id="o1", role="member") for i in range(3)]
    for token in tokens:
        await verifier.verify(token)
    await verifier.verify(tokens[0])  # evicted first, so verified again
    assert keys.lookups == 4


async def test_a_token_without_an_org_yields_a_principal_without_permissions(
    setup: tuple[DevIssuer, CountingKeys, ManualClock],
) -> None:
    issuer, keys, clock = setup
    principal = await _verifier(keys, clock).verify(
        issuer.mint(user_id="u1", org_id=None, role=None)
    )
    assert (principal.org_id, principal.role, principal.permissions) == (None, None, frozenset())


async def test_an_unknown_role_grants_nothing(
    setup: tuple[DevIssuer, CountingKeys, ManualClock],
) -> None:
    issuer, keys, clock = setup
    principal = await _verifier(keys, clock).verify(
        issuer.mint(user_id="u1", org_id="o1", role="auditor")
    )
    assert principal.permissions == frozenset()


def test_symmetric_or_none_algorithms_cannot_be_configured(
    setup: tuple[DevIssuer, CountingKeys, ManualClock],
) -> None:
    _, keys, clock = setup
    for algorithms in (["HS256"], ["none"], []):
        with pytest.raises(ValueError, match="algorithms"):
            BetterAuthTokenVerifier(keys, issuer=ISSUER, audience=ISSUER, algorithms=algorithms)
    with pytest.raises(ValueError, match="leeway"):
        _verifier(keys, clock, leeway=120)
