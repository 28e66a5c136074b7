"""POST /v1/auth/login without a BetterAuth server: validation, 503, and brute-force limits.

The end-to-end sign-in against a real BetterAuth server is tests/interop/test_login_endpoint.py.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.conftest import client_for

LIMIT = 3
pytestmark = pytest.mark.usefixtures("away_from_window_edge")


def an_email() -> str:
    return f"user-{secrets.token_hex(4)}@example.com"


def an_ip() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@pytest.fixture
async def app_with_login_limit(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
) -> AsyncIterator[FastAPI]:
    async with start_app(login_rate_limit_per_minute=LIMIT) as app:
        yield app


async def test_login_without_betterauth_is_a_503_that_says_why(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/login", json={"email": an_email(), "password": "pw"})

    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["code"] == "identity_unavailable"
    assert "BETTER_AUTH_URL" in body["detail"]


async def test_a_bad_login_body_is_422_without_the_password(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login", json={"email": "x", "password": "s3cret-pass-phrase", "extra": 1}
    )

    assert response.status_code == 422
    assert "s3cret-pass-phrase" not in response.text


async def test_attempts_for_one_email_are_limited_across_addresses(
    app_with_login_limit: FastAPI,
) -> None:
    email = an_email()
    statuses = []
    for _ in range(LIMIT + 1):
        async with client_for(app_with_login_limit, ip=an_ip()) as client:
            response = await client.post("/v1/auth/login", json={"email": email, "password": "x"})
            statuses.append(response.status_code)

    assert statuses == [503] * LIMIT + [429]
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60


async def test_the_email_limit_ignores_case(app_with_login_limit: FastAPI) -> None:
    email = an_email()
    async with client_for(app_with_login_limit, ip=an_ip()) as client:
        for variant in [email.upper(), email, email.title()]:
            await client.post("/v1/auth/login", json={"email": variant, "password": "x"})
    async with client_for(app_with_login_limit, ip=an_ip()) as client:
        response = await client.post("/v1/auth/login", json={"email": email, "password": "x"})

    assert response.status_code == 429


async def test_attempts_from_one_address_are_limited_across_emails(
    app_with_login_limit: FastAPI,
) -> None:
    async with client_for(app_with_login_limit, ip=an_ip()) as client:
        statuses = [
            (
                await client.post("/v1/auth/login", json={"email": an_email(), "password": "x"})
            ).status_code
            for _ in range(LIMIT + 1)
        ]

    assert statuses == [503] * LIMIT + [429]
