"""Forged, tampered, expired and malformed tokens are refused, and never echoed back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from adapters.betterauth.dev_issuer import DevIssuer
from adapters.betterauth.jwks import StaticJwks
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from adapters.clock import ManualClock
from application.errors import Unauthenticated

ISSUER = "http://127.0.0.1:8000"
Forge = Callable[[DevIssuer, DevIssuer, int], str]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(now: int, **changes: Any) -> dict[str, Any]:
    claims = {"iat": now, "exp": now + 900, "iss": ISSUER, "aud": ISSUER, "sub": "u1"}
    claims |= {"org_id": "o1", "org_role": "owner"}
    return {k: v for k, v in (claims | changes).items() if v is not None}


def _sign(issuer: DevIssuer, claims: dict[str, Any], kid: str | None) -> str:
    key = issuer._key  # the test plays the key holder: sign arbitrary claims
    return jwt.encode(
        claims, key, algorithm="EdDSA", headers={"kid": kid or issuer.kid, "typ": None}
    )


def _hs256_with_public_key(real: DevIssuer, _other: DevIssuer, now: int) -> str:
    header = _b64(json.dumps({"alg": "HS256", "kid": real.kid}).encode())
    body = _b64(json.dumps(_claims(now)).encode())
    secret = real.jwks()["keys"][0]["x"].encode()  # the classic key-confusion attack
    sig = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(sig)}"


def _alg_none(real: DevIssuer, _other: DevIssuer, now: int) -> str:
    header = _b64(json.dumps({"alg": "none", "kid": real.kid}).encode())
    return f"{header}.{_b64(json.dumps(_claims(now)).encode())}."


def _es256_claiming_the_ed25519_kid(real: DevIssuer, _other: DevIssuer, now: int) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(now), key, algorithm="ES256", headers={"kid": real.kid})


FORGERIES: dict[str, Forge] = {
    "alg none": _alg_none,
    "HS256 keyed with the public key": _hs256_with_public_key,
    "ES256 under the Ed25519 kid": _es256_claiming_the_ed25519_kid,
    "other key, same kid": lambda r, o, n: _sign(o, _claims(n), r.kid),
    "unknown kid": lambda r, o, n: _sign(o, _claims(n), None),
    "expired": lambda r, _o, n: _sign(r, _claims(n - 1000, exp=n - 31), None),
    "iat in the future": lambda r, _o, n: _sign(r, _claims(n + 60), None),
    "nbf in the future": lambda r, _o, n: _sign(r, _claims(n, nbf=n + 60), None),
    "exp as a string": lambda r, _o, n: _sign(r, _claims(n, exp=str(n + 900)), None),
    "wrong iss": lambda r, _o, n: _sign(r, _claims(n, iss="http://evil.test"), None),
    "wrong aud": lambda r, _o, n: _sign(r, _claims(n, aud="http://other.test"), None),
    "missing sub": lambda r, _o, n: _sign(r, _claims(n, sub=None), None),
    "missing exp": lambda r, _o, n: _sign(r, _claims(n, exp=None), None),
    "missing iat": lambda r, _o, n: _sign(r, _claims(n, iat=None), None),
    "empty sub": lambda r, _o, n: _sign(r, _claims(n, sub=""), None),
    "oversized": lambda r, _o, n: _sign(r, _claims(n, pad="x" * 9000), None),
    "tampered payload": lambda r, _o, n: _tamper(_sign(r, _claims(n), None)),
    "garbage": lambda _r, _o, _n: "not-a-jwt",
    "three garbage parts": lambda _r, _o, _n: "a.b.c",
    "non-ascii": lambda _r, _o, _n: "ey\u00e9.ey\u00e9.sig",
    "empty": lambda _r, _o, _n: "",
}


def _tamper(token: str) -> str:
    header, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["org_role"] = "owner" if claims["org_role"] != "owner" else "member"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{sig}"


@pytest.fixture
def world(tmp_path: Path) -> tuple[DevIssuer, DevIssuer, BetterAuthTokenVerifier, int]:
    clock = ManualClock()
    real = DevIssuer(tmp_path / "real", issuer=ISSUER, clock=clock)
    other = DevIssuer(tmp_path / "other", issuer=ISSUER, clock=clock)
    verifier = BetterAuthTokenVerifier(
        StaticJwks(real.jwks()),
        issuer=ISSUER,
        audience=ISSUER,
        algorithms=["EdDSA", "ES256"],  # a second alg allowed, to prove the key's alg wins
        clock=clock,
    )
    return real, other, verifier, int(clock.now().timestamp())


@pytest.mark.parametrize("name", FORGERIES)
async def test_forged_tokens_are_refused_without_echo(name: str, world: Any) -> None:
    real, other, verifier, now = world
    token = FORGERIES[name](real, other, now)
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    message = f"{caught.value} {caught.value.detail} {caught.value.extra}"
    assert not token or token not in message
    assert all(len(part) < 8 or part not in message for part in token.split("."))


async def test_the_genuine_token_passes(world: Any) -> None:
    real, _other, verifier, now = world
    principal = await verifier.verify(_sign(real, _claims(now), None))
    assert (principal.user_id, principal.org_id, principal.role) == ("u1", "o1", "owner")


async def test_leeway_tolerates_small_clock_skew(world: Any) -> None:
    real, _other, verifier, now = world
    await verifier.verify(_sign(real, _claims(now + 20), None))  # iat 20 s ahead
    await verifier.verify(_sign(real, _claims(now - 1000, exp=now - 20), None))  # 20 s past exp
