"""The embedded dev issuer: signs BetterAuth-shaped tokens with a key kept in the data dir."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.ports import Clock

log = logging.getLogger(__name__)

KEY_FILE = "dev-issuer-key.pem"
# The ``iss`` and ``aud`` of dev tokens. Fixed, not the API's origin: a token minted in a shell
# without the server's STOCKROOM_HOST/STOCKROOM_PORT must still be trusted by that server.
DEV_ISSUER = "urn:stockroom:dev-issuer"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Load the PEM key at ``path``, or create it owner-only (0600) if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: two processes starting at once must not both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("dev issuer key %s is readable by others; chmod 600 it", path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key") from None
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


class DevIssuer:
    """Mints tokens with BetterAuth's header, claims and JWKS format, for development only."""

    def __init__(
        self, data_dir: Path, *, clock: Clock, issuer: str = DEV_ISSUER, ttl: int = 900
    ) -> None:
        self._key = load_or_create_key(Path(data_dir) / KEY_FILE)
        self._issuer = issuer
        self._clock = clock
        self._ttl = ttl
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._public = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
        # RFC 7638 thumbprint: stable across restarts, changes only with the key.
        canonical = json.dumps(self._public, separators=(",", ":"), sort_keys=True)
        self.kid = _b64url(hashlib.sha256(canonical.encode("ascii")).digest())

    @property
    def issuer(self) -> str:
        """The ``iss`` and ``aud`` of every minted token."""
        return self._issuer

    def jwks(self) -> dict[str, Any]:
        """The public key set, in the shape BetterAuth serves at /api/auth/jwks."""
        return {"keys": [{"alg": "EdDSA", **self._public, "kid": self.kid}]}

    def mint(
        self,
        *,
        user_id: str,
        org_id: str | None,
        role: str | None,
        email: str | None = None,
        ttl: int | None = None,
    ) -> str:
        """Sign a token for ``user_id`` acting in ``org_id`` with ``role``."""
        iat = int(self._clock.now().timestamp())
        claims: dict[str, Any] = {"iat": iat}
        if email is not None:
            claims["email"] = email
        claims |= {"org_id": org_id, "org_role": role, "sub": user_id}
        claims |= {"exp": iat + (ttl or self._ttl), "iss": self._issuer, "aud": self._issuer}
        # typ=None drops PyJWT's default "typ": "JWT"; BetterAuth's header has alg and kid only.
        headers = {"kid": self.kid, "typ": None}
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers=headers)
