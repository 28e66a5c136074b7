"""Tokens from a real BetterAuth server verify with our adapter, org and role included."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest

from adapters.betterauth.jwks import RemoteJwks
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from tests.interop.betterauth_admin import ROTATION_SECONDS, BetterAuthAdmin

pytestmark = pytest.mark.interop


@pytest.fixture
async def verifier(betterauth: BetterAuthAdmin) -> AsyncIterator[BetterAuthTokenVerifier]:
    base = betterauth.base_url
    keys = RemoteJwks(f"{base}/api/auth/jwks")
    yield BetterAuthTokenVerifier(keys, issuer=base, audience=base)
    await keys.aclose()


def _header(token: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==")))


async def test_tokens_name_the_active_org_and_the_members_role(
    betterauth: BetterAuthAdmin, verifier: BetterAuthTokenVerifier
) -> None:
    alice, bob = betterauth.sign_up("alice"), betterauth.sign_up("bob")
    org_a, org_b = betterauth.create_org(alice, "Acme"), betterauth.create_org(bob, "Bobco")
    betterauth.add_member(bob, org_a, "member")

    owner = await verifier.verify(betterauth.token(alice))
    assert (owner.user_id, owner.org_id, owner.role, owner.email) == (
        alice.id,
        org_a,
        "owner",
        alice.email,
    )
    betterauth.set_active(bob, org_a)
    member = await verifier.verify(betterauth.token(bob))
    assert (member.user_id, member.org_id, member.role) == (bob.id, org_a, "member")
    betterauth.set_active(bob, org_b)
    assert (await verifier.verify(betterauth.token(bob))).role == "owner"


async def test_a_comma_separated_role_resolves_to_the_strongest(
    betterauth: BetterAuthAdmin, verifier: BetterAuthTokenVerifier
) -> None:
    owner, dana = betterauth.sign_up("owner"), betterauth.sign_up("dana")
    org = betterauth.create_org(owner, "Multi")
    betterauth.add_member(dana, org, "member,admin")
    betterauth.set_active(dana, org)
    token = betterauth.token(dana)
    assert jwt.decode(token, options={"verify_signature": False})["org_role"] == "member,admin"
    assert (await verifier.verify(token)).role == "admin"


async def test_a_session_without_an_org_gives_a_principal_without_one(
    betterauth: BetterAuthAdmin, verifier: BetterAuthTokenVerifier
) -> None:
    carol = betterauth.sign_up("carol")
    principal = await verifier.verify(betterauth.token(carol))
    assert (principal.user_id, principal.org_id, principal.permissions) == (
        carol.id,
        None,
        frozenset(),
    )


def test_header_claims_and_jwks_have_the_documented_shape(betterauth: BetterAuthAdmin) -> None:
    erin = betterauth.sign_up("erin")
    token = betterauth.token(erin)
    header = _header(token)
    assert set(header) == {"alg", "kid"}
    assert header["alg"] == "EdDSA"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == claims["aud"] == betterauth.base_url
    assert claims["exp"] - claims["iat"] == 900
    assert claims["sub"] == erin.id
    for key in betterauth.jwks()["keys"]:
        assert {"alg", "kty", "crv", "x", "kid"} <= set(key)
        assert "use" not in key
        assert (key["alg"], key["kty"], key["crv"]) == ("EdDSA", "OKP", "Ed25519")


async def test_a_rotated_key_verifies_at_once_and_old_tokens_still_do(
    betterauth: BetterAuthAdmin, verifier: BetterAuthTokenVerifier
) -> None:
    frank = betterauth.sign_up("frank")
    org = betterauth.create_org(frank, "Rotating")
    first = betterauth.token(frank)
    assert (await verifier.verify(first)).org_id == org  # the verifier caches the JWKS now
    await asyncio.sleep(ROTATION_SECONDS + 0.5)  # the key expires; the next signature mints one
    second = betterauth.token(frank)
    assert _header(second)["kid"] != _header(first)["kid"]
    assert (await verifier.verify(second)).org_id == org  # new kid: refetched at once, no 30 s wait
    await verifier.verify(first)  # still inside BetterAuth's grace period
