"""BetterAuth's own sign-in limit counts each client of the API on its own: Stockroom forwards the
client's address to BetterAuth where BETTER_AUTH_FORWARD_CLIENT_IP says BetterAuth trusts it,
and a BetterAuth 429 reaches the client as a 429 with Retry-After."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.interop.betterauth_admin import PASSWORD, BetterAuthAdmin
from tests.interop.conftest import serving_betterauth

pytestmark = pytest.mark.interop
SIGN_IN_LIMIT = 3


@pytest.fixture(scope="module")
def limited_betterauth(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BetterAuthAdmin]:
    """A BetterAuth server with its rate limit on, as in production."""
    with serving_betterauth(
        request, tmp_path_factory, {"SIGN_IN_LIMIT": str(SIGN_IN_LIMIT)}
    ) as admin:
        yield admin


@pytest.fixture
async def api(
    limited_betterauth: BetterAuthAdmin, database_url: str, tmp_path: Path
) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        better_auth_url=limited_betterauth.base_url,
        better_auth_forward_client_ip=True,
        login_rate_limit_per_minute=1000,  # only BetterAuth's limit is under test here
    )
    app = create_app(build_container(settings))
    async with app.router.lifespan_context(app):
        yield app


async def sign_in(app: FastAPI, ip: str, email: str, password: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post("/v1/auth/login", json={"email": email, "password": password})


async def test_one_address_spending_betterauths_limit_leaves_others_signing_in(
    api: FastAPI, limited_betterauth: BetterAuthAdmin
) -> None:
    guessed, other = limited_betterauth.sign_up("guessed"), limited_betterauth.sign_up("other")
    limited_betterauth.create_org(other, "Other's")
    noisy, quiet = f"203.0.113.{secrets.randbelow(250) + 1}", "198.51.100.7"

    guesses = [
        (await sign_in(api, noisy, guessed.email, secrets.token_hex(6))).status_code
        for _ in range(SIGN_IN_LIMIT)
    ]
    cut_off = await sign_in(api, noisy, guessed.email, PASSWORD)
    elsewhere = await sign_in(api, quiet, other.email, PASSWORD)

    assert guesses == [401] * SIGN_IN_LIMIT
    assert cut_off.status_code == 429, cut_off.text
    assert cut_off.json()["code"] == "rate_limited"
    assert int(cut_off.headers["retry-after"]) >= 1
    assert elsewhere.status_code == 200, elsewhere.text
