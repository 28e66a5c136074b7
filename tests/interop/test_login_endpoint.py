"""POST /v1/auth/login end to end: the API signs in at a real BetterAuth server, and the
token it hands back works on the API itself (RemoteJwks, issuer and audience defaults)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.interop.betterauth_admin import PASSWORD, BetterAuthAdmin

pytestmark = pytest.mark.interop
LOGIN_LIMIT = 4


@pytest.fixture
async def api(
    betterauth: BetterAuthAdmin, database_url: str, tmp_path: Path
) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        better_auth_url=betterauth.base_url,
        login_rate_limit_per_minute=LOGIN_LIMIT,
    )
    app = create_app(build_container(settings))
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: FastAPI, ip: str | None = None) -> httpx.AsyncClient:
    peer = ip or f"10.9.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_login_token_works_on_the_api(api: FastAPI, betterauth: BetterAuthAdmin) -> None:
    owner = betterauth.sign_up("olga")
    org = betterauth.create_org(owner, "Olga's")
    async with client_for(api) as client:
        login = await client.post(
            "/v1/auth/login", json={"email": owner.email, "password": PASSWORD}
        )
        body = login.json()
        me = await client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})

    assert login.status_code == 200, login.text
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert login.headers["cache-control"] == "no-store"
    assert me.status_code == 200, me.text
    assert me.json() == {
        "user_id": owner.id,
        "email": owner.email,
        "org_id": org,
        "role": "owner",
        "permissions": [
            "adjust_stock",
            "count_stock",
            "manage_catalog",
            "manage_webhooks",
            "move_stock",
            "read",
            "reserve",
        ],
    }


async def test_login_selects_the_requested_org(api: FastAPI, betterauth: BetterAuthAdmin) -> None:
    boss, worker = betterauth.sign_up("boss"), betterauth.sign_up("worker")
    theirs = betterauth.create_org(boss, "Theirs")
    betterauth.create_org(worker, "Own")
    betterauth.add_member(worker, theirs, "member")
    async with client_for(api) as client:
        login = await client.post(
            "/v1/auth/login",
            json={"email": worker.email, "password": PASSWORD, "organization_id": theirs},
        )
        token = login.json()["access_token"]
        me = (await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).json()

    assert (me["org_id"], me["role"]) == (theirs, "member")


async def test_wrong_password_and_unknown_email_answer_alike(
    api: FastAPI, betterauth: BetterAuthAdmin
) -> None:
    known = betterauth.sign_up("kate")
    async with client_for(api) as client:
        wrong = await client.post(
            "/v1/auth/login", json={"email": known.email, "password": "not-it"}
        )
        unknown = await client.post(
            "/v1/auth/login", json={"email": "nobody@example.com", "password": "not-it"}
        )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"
    assert "not-it" not in wrong.text


async def test_a_foreign_org_is_403(api: FastAPI, betterauth: BetterAuthAdmin) -> None:
    user = betterauth.sign_up("uma")
    elsewhere = betterauth.create_org(betterauth.sign_up("other"), "Elsewhere")
    async with client_for(api) as client:
        response = await client.post(
            "/v1/auth/login",
            json={"email": user.email, "password": PASSWORD, "organization_id": elsewhere},
        )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_guessing_one_email_is_cut_off_even_from_many_addresses(
    api: FastAPI, betterauth: BetterAuthAdmin
) -> None:
    victim = betterauth.sign_up("victim")
    if (into_minute := time.time() % 60) > 50:  # limits count per whole minute: start inside one
        await asyncio.sleep(60.2 - into_minute)
    statuses = []
    for _ in range(LOGIN_LIMIT):
        async with client_for(api) as client:
            guess = {"email": victim.email, "password": secrets.token_hex(6)}
            statuses.append((await client.post("/v1/auth/login", json=guess)).status_code)
    async with client_for(api) as client:
        right = await client.post(
            "/v1/auth/login", json={"email": victim.email.upper(), "password": PASSWORD}
        )

    assert statuses == [401] * LOGIN_LIMIT
    assert right.status_code == 429  # even the right password waits out the window
    assert right.json()["code"] == "rate_limited"
    assert int(right.headers["retry-after"]) >= 1
