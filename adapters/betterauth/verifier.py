"""Verifies BetterAuth-issued JWTs (EdDSA by default) and turns them into Principals."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import jwt
from jwt.types import Options

from adapters.betterauth.jwks import KeySource
from adapters.clock import SystemClock
from application.errors import Unauthenticated
from application.ports import Clock, TokenVerifier
from application.principal import Principal

INVALID = "invalid or expired bearer token"  # one detail for every failure; never the token
# PyJWT reads the wall clock; we check exp/iat/nbf against the injected Clock instead.
_OPTIONS: Options = {
    "require": ["exp", "iat", "sub", "iss", "aud"],
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
}


class BetterAuthTokenVerifier(TokenVerifier):
    """Checks signature, algorithm, issuer, audience and lifetime; caches results until exp."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        algorithms: Sequence[str] = ("EdDSA",),
        leeway: int = 30,
        clock: Clock | None = None,
        max_token_bytes: int = 8192,
        cache_size: int = 10_000,
    ) -> None:
        if not 0 <= leeway <= 30:
            raise ValueError("leeway must be between 0 and 30 seconds")
        if not algorithms or any(a.lower() == "none" or a.startswith("HS") for a in algorithms):
            raise ValueError("algorithms must be a non-empty list of asymmetric algorithms")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)
        self._leeway = leeway
        self._clock = clock or SystemClock()
        self._max_bytes = max_token_bytes
        self._cache_size = cache_size
        self._cache: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        if not token or len(token) > self._max_bytes or not token.isascii():
            raise Unauthenticated(INVALID)
        now = self._clock.now().timestamp()
        digest = hashlib.sha256(token.encode("ascii")).digest()
        hit = self._cache.get(digest)
        if hit is not None and now < hit[1]:
            self._cache.move_to_end(digest)
            return hit[0]
        claims = await self._decode(token, now)
        principal = _principal(claims)
        self._remember(digest, principal, float(claims["exp"]))
        return principal

    async def _decode(self, token: str, now: float) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated(INVALID) from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self._algorithms or not isinstance(kid, str) or not kid:
            raise Unauthenticated(INVALID)
        key = await self._keys.key(kid)  # Unauthenticated, or IdentityProviderUnavailable
        if key.algorithm_name != alg:  # the key's own alg wins over the header's claim
            raise Unauthenticated(INVALID)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                issuer=self._issuer,
                audience=self._audience,
                options=_OPTIONS,
            )
        except jwt.PyJWTError:
            raise Unauthenticated(INVALID) from None
        self._check_times(claims, now)  # the same clock the cache uses
        return claims

    def _check_times(self, claims: Mapping[str, Any], now: float) -> None:
        exp, iat = _number(claims["exp"]), _number(claims["iat"])
        nbf = _number(claims["nbf"]) if "nbf" in claims else None
        if exp <= now - self._leeway or iat > now + self._leeway:
            raise Unauthenticated(INVALID)
        if nbf is not None and nbf > now + self._leeway:
            raise Unauthenticated(INVALID)

    def _remember(self, digest: bytes, principal: Principal, exp: float) -> None:
        # Cached only until exp itself (no leeway): the cache never extends a token's life.
        self._cache[digest] = (principal, exp)
        self._cache.move_to_end(digest)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthenticated(INVALID)
    return float(value)


def _principal(claims: Mapping[str, Any]) -> Principal:
    sub, org_id, role, email = (claims.get(k) for k in ("sub", "org_id", "org_role", "email"))
    if not isinstance(sub, str) or not sub:
        raise Unauthenticated(INVALID)
    org = org_id if isinstance(org_id, str) and org_id else None
    raw_role = role if isinstance(role, str) else None
    mail = email if isinstance(email, str) else None
    return Principal.from_claims(user_id=sub, org_id=org, raw_role=raw_role, email=mail)
