"""The real app over the test database, an HTTP client on it, and tokens it trusts.

``make_token`` and ``auth`` mint with the app's own dev issuer (its key lives in a tmp data
dir), so a token is exactly what ``stockroom dev-token`` would print. ``auth()`` uses a fresh
random org by default: tests never see each other's data and never truncate tables.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi import FastAPI

from entrypoints.container import Stockroom, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

BASE_URL = "http://testserver"
RANDOM_ORG = "<random>"  # make_token's default: a fresh org id


class MakeToken(Protocol):
    def __call__(
        self,
        *,
        org_id: str | None = RANDOM_ORG,
        role: str | None = "admin",
        user_id: str | None = None,
        email: str | None = None,
    ) -> str: ...


def new_org_id() -> str:
    """An opaque org id no other test uses (BetterAuth ids are opaque strings, too)."""
    return f"org_{secrets.token_hex(8)}"


def app_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for an app on the test database; a limit no ordinary test reaches."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "rate_limit_per_minute": 1_000_000,
    }
    return Settings(**(values | overrides))


@asynccontextmanager
async def running(settings: Settings, *, direct_routes: bool = True) -> AsyncIterator[FastAPI]:
    """An app over its own container, with its lifespan entered."""
    app = create_app(build_container(settings), direct_routes=direct_routes)
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: FastAPI, *, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    """An HTTP client talking to ``app`` in-process, as a peer at ``ip``."""
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


def started(app: FastAPI) -> Stockroom:
    """What the app started with (its lifespan must be entered)."""
    stockroom: Stockroom = app.state.stockroom
    return stockroom


@pytest.fixture
async def away_from_window_edge() -> None:
    """Rate-limit windows are whole minutes: start a counting test well inside one."""
    into_minute = time.time() % 60
    if into_minute > 55:
        await asyncio.sleep(60.2 - into_minute)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Where the dev issuer keeps its key for this test's app."""
    return tmp_path / "data"


@pytest.fixture
def start_app(
    database_url: str, data_dir: Path
) -> Callable[..., AbstractAsyncContextManager[FastAPI]]:
    """``async with start_app(**settings_overrides) as app``: another app on the test database."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[FastAPI]:
        return running(app_settings(database_url, data_dir, **overrides))

    return start


@pytest.fixture
async def app(database_url: str, data_dir: Path) -> AsyncIterator[FastAPI]:
    """The API over the test database, trusting its dev issuer."""
    async with running(app_settings(database_url, data_dir)) as app:
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on ``app`` (base URL http://testserver)."""
    async with client_for(app) as client:
        yield client


@pytest.fixture
def make_token(app: FastAPI) -> MakeToken:
    """Mint a token the app trusts: ``make_token(org_id=..., role="admin", user_id=..., email=...)``.

    ``org_id`` defaults to a fresh random org; pass None for a token without an organization.
    """

    def mint(
        *,
        org_id: str | None = RANDOM_ORG,
        role: str | None = "admin",
        user_id: str | None = None,
        email: str | None = None,
    ) -> str:
        issuer = started(app).dev_issuer
        assert issuer is not None, "the test app must run with the dev issuer"
        org = new_org_id() if org_id == RANDOM_ORG else org_id
        user = user_id or f"user_{secrets.token_hex(6)}"
        return issuer.mint(user_id=user, org_id=org, role=role, email=email)

    return mint


@pytest.fixture
def auth(make_token: MakeToken) -> Callable[..., dict[str, str]]:
    """``auth(org_id=None, role="admin", user_id=None)``: Authorization headers; a fresh org
    by default (pass ``org_id`` to share one between calls)."""

    def headers(
        org_id: str | None = None, role: str = "admin", user_id: str | None = None
    ) -> dict[str, str]:
        token = make_token(org_id=org_id or new_org_id(), role=role, user_id=user_id)
        return {"Authorization": f"Bearer {token}"}

    return headers
