"""Bearer tokens through HTTP: 401 problems that never echo the token, and the dev JWKS."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from entrypoints.cli.main import build_parser
from entrypoints.settings import Settings
from tests.integration.conftest import MakeToken, client_for, started


def dev_token(argv: list[str], settings: Settings) -> int:
    """Run ``stockroom dev-token`` with explicit settings (no global logging setup)."""
    args = build_parser().parse_args(["dev-token", *argv])
    code: int = args.func(args, settings)
    return code


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["org_role"] = "owner"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def assert_401(client: httpx.AsyncClient, authorization: str) -> None:
    response = await client.get("/v1/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"
    secret_part = authorization.split(" ")[-1]
    if len(secret_part) > 8:
        assert secret_part not in response.text


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "Token abc", "Bearer not.a.jwt"],
)
async def test_malformed_authorization_is_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    await assert_401(client, authorization)


async def test_a_tampered_token_is_401_without_echo(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    await assert_401(client, f"Bearer {_tamper(make_token(role='member'))}")


async def test_a_token_from_another_key_is_401(client: httpx.AsyncClient, app: FastAPI) -> None:
    issuer = started(app).dev_issuer
    assert issuer is not None
    foreign = jwt.encode(
        {"sub": "u", "iss": issuer.issuer, "aud": issuer.issuer, "iat": 1, "exp": 2**31},
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": issuer.kid},
    )
    await assert_401(client, f"Bearer {foreign}")


async def test_an_expired_token_is_401(
    client: httpx.AsyncClient, app: FastAPI, make_token: MakeToken
) -> None:
    issuer = started(app).dev_issuer
    assert issuer is not None
    expired = issuer.mint(user_id="u", org_id="o", role="admin", ttl=-60)
    await assert_401(client, f"Bearer {expired}")


async def test_the_scheme_is_case_insensitive(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get("/v1/me", headers={"Authorization": f"bearer {make_token()}"})

    assert response.status_code == 200


async def test_dev_jwks_verifies_the_dev_tokens(
    client: httpx.AsyncClient, make_token: MakeToken, app: FastAPI
) -> None:
    response = await client.get("/dev/jwks")
    token = make_token(user_id="u_jwks")

    keys = {k["kid"]: k for k in response.json()["keys"]}
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(keys[kid])
    origin = started(app).dev_issuer.issuer  # type: ignore[union-attr]
    claims = jwt.decode(token, key.key, algorithms=["EdDSA"], audience=origin, issuer=origin)
    assert claims["sub"] == "u_jwks"
    assert keys[kid] == {
        "alg": "EdDSA",
        "crv": "Ed25519",
        "kty": "OKP",
        "x": keys[kid]["x"],
        "kid": kid,
    }


async def test_dev_jwks_is_absent_when_betterauth_is_configured(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
) -> None:
    async with (
        start_app(better_auth_url="http://127.0.0.1:9") as app,
        client_for(app) as client,
    ):
        response = await client.get("/dev/jwks")
        me = await client.get("/v1/me")

    assert response.status_code == 404
    assert me.status_code == 401


async def test_tokens_outlive_a_restart_because_the_key_is_kept(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
    make_token: MakeToken,
    data_dir: Path,
) -> None:
    token = make_token()
    async with start_app() as again, client_for(again) as client:
        response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert (data_dir / "dev-issuer-key.pem").stat().st_mode & 0o077 == 0


async def test_the_dev_token_command_mints_what_the_api_trusts(
    client: httpx.AsyncClient,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = dev_token(
        ["--org", "org_cli", "--role", "member", "--user", "u_cli"], Settings(data_dir=data_dir)
    )
    token = capsys.readouterr().out.strip()

    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert code == 0
    assert (response.json()["user_id"], response.json()["org_id"]) == ("u_cli", "org_cli")
    assert response.json()["role"] == "member"


async def test_a_dev_token_minted_in_a_shell_without_the_port_works_on_any_port(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = dev_token(["--org", "org_port", "--role", "member"], Settings(data_dir=data_dir))
    token = capsys.readouterr().out.strip()

    async with start_app(port=9123) as elsewhere, client_for(elsewhere) as client:
        response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert code == 0
    assert response.status_code == 200, response.text


def test_the_dev_token_command_is_refused_in_production(
    capsys: pytest.CaptureFixture[str],
) -> None:
    production = Settings(
        env="production",
        better_auth_url="https://auth.example",
        database_url="postgresql://db.example/stockroom",
        secret_key="x2cVTO1t2c3HBh9_4dNDvUCTjXX4QJ8kWJkQ2kQZQ0c=",
    )

    code = dev_token(["--org", "o", "--role", "owner"], production)

    assert code == 2
    assert capsys.readouterr().out == ""
