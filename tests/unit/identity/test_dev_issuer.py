"""The dev issuer keeps one key across restarts and speaks BetterAuth's token and JWKS format."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.betterauth.dev_issuer import KEY_FILE, DevIssuer
from adapters.betterauth.jwks import StaticJwks
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from adapters.clock import ManualClock

ISSUER = "http://127.0.0.1:8000"


def test_the_key_is_created_owner_only_and_reused_after_a_restart(tmp_path: Path) -> None:
    first = DevIssuer(tmp_path, issuer=ISSUER, clock=ManualClock())
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = DevIssuer(tmp_path, issuer=ISSUER, clock=ManualClock())
    assert second.kid == first.kid
    assert second.jwks() == first.jwks()


def test_a_missing_data_dir_is_created(tmp_path: Path) -> None:
    DevIssuer(tmp_path / "nested" / "data", issuer=ISSUER, clock=ManualClock())
    assert (tmp_path / "nested" / "data" / KEY_FILE).exists()


def test_the_kid_is_the_rfc_7638_thumbprint(tmp_path: Path) -> None:
    # RFC 8037 appendix A: this Ed25519 key's thumbprint is published.
    d = base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    pem = Ed25519PrivateKey.from_private_bytes(d).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / KEY_FILE).write_bytes(pem)
    issuer = DevIssuer(tmp_path, issuer=ISSUER, clock=ManualClock())
    assert issuer.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_jwks_has_betterauths_exact_shape(tmp_path: Path) -> None:
    issuer = DevIssuer(tmp_path, issuer=ISSUER, clock=ManualClock())
    (key,) = issuer.jwks()["keys"]
    assert set(key) == {"alg", "kty", "crv", "x", "kid"}
    assert (key["alg"], key["kty"], key["crv"], key["kid"]) == (
        "EdDSA",
        "OKP",
        "Ed25519",
        issuer.kid,
    )


def test_minted_tokens_carry_betterauths_header_and_claims(tmp_path: Path) -> None:
    clock = ManualClock()
    issuer = DevIssuer(tmp_path, issuer=ISSUER, clock=clock)
    token = issuer.mint(user_id="u1", org_id="o1", role="admin", email="a@example.com")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "kid": issuer.kid}
    claims = jwt.decode(token, options={"verify_signature": False})
    iat = int(clock.now().timestamp())
    assert claims == {
        "iat": iat,
        "exp": iat + 900,
        "iss": ISSUER,
        "aud": ISSUER,
        "sub": "u1",
        "org_id": "o1",
        "org_role": "admin",
        "email": "a@example.com",
    }


async def test_minted_tokens_pass_the_production_verifier(tmp_path: Path) -> None:
    clock = ManualClock()
    issuer = DevIssuer(tmp_path, issuer=ISSUER, clock=clock)
    verifier = BetterAuthTokenVerifier(
        StaticJwks(issuer.jwks()), issuer=ISSUER, audience=ISSUER, clock=clock
    )
    principal = await verifier.verify(issuer.mint(user_id="u1", org_id="o1", role="member"))
    assert (principal.user_id, principal.org_id, principal.role) == ("u1", "o1", "member")
