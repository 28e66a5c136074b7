"""The general /v1 rate limit: per principal or per address, shared by every API process."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.conftest import MakeToken, client_for, started

StartApp = Callable[..., AbstractAsyncContextManager[FastAPI]]
pytestmark = pytest.mark.usefixtures("away_from_window_edge")


def an_ip() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


async def test_every_api_response_carries_ratelimit_headers(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    ok = await client.get("/v1/me", headers={"Authorization": f"Bearer {make_token()}"})
    unauthenticated = await client.get("/v1/me")
    missing = await client.get("/v1/nowhere")

    for response in (ok, unauthenticated, missing):
        assert int(response.headers["ratelimit-limit"]) == 1_000_000
        assert int(response.headers["ratelimit-remaining"]) < 1_000_000
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 60


async def test_probes_are_not_rate_limited(client: httpx.AsyncClient) -> None:
    assert "ratelimit-limit" not in (await client.get("/healthz")).headers


async def test_a_principal_over_its_limit_gets_a_429_problem(start_app: StartApp) -> None:
    async with start_app(rate_limit_per_minute=3) as app, client_for(app) as client:
        issuer = started(app).dev_issuer
        assert issuer is not None
        token = issuer.mint(user_id=f"u_{secrets.token_hex(4)}", org_id="o", role="member")
        headers = {"Authorization": f"Bearer {token}"}
        responses = [await client.get("/v1/me", headers=headers) for _ in range(4)]
        other = issuer.mint(user_id=f"u_{secrets.token_hex(4)}", org_id="o", role="member")
        someone_else = await client.get("/v1/me", headers={"Authorization": f"Bearer {other}"})

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    limited = responses[-1]
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-request-id"]
    assert someone_else.status_code == 200  # limits are per principal


async def test_unauthenticated_callers_are_limited_per_address(start_app: StartApp) -> None:
    ip = an_ip()
    async with start_app(rate_limit_per_minute=2) as app:
        async with client_for(app, ip=ip) as client:
            statuses = [(await client.get("/v1/me")).status_code for _ in range(3)]
        async with client_for(app, ip=an_ip()) as client:
            elsewhere = (await client.get("/v1/me")).status_code

    assert statuses == [401, 401, 429]
    assert elsewhere == 401


async def test_two_api_processes_share_one_limit(start_app: StartApp) -> None:
    user = f"u_{secrets.token_hex(4)}"
    async with (
        start_app(rate_limit_per_minute=4) as first,
        start_app(rate_limit_per_minute=4) as second,
        client_for(first) as a,
        client_for(second) as b,
    ):
        assert first is not second
        assert started(first).rate_limiter is not started(second).rate_limiter
        issuer = started(first).dev_issuer
        assert issuer is not None
        token = issuer.mint(user_id=user, org_id="o", role="admin")
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [
            (await client.get("/v1/me", headers=headers)).status_code
            for client in (a, b, a, b, a, b)
        ]

    assert statuses == [200, 200, 200, 200, 429, 429]
