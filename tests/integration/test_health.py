"""/healthz and /readyz through the real app, container and test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from adapters.postgres.migrator import YoyoMigrator
from entrypoints.container import build_container, resolved
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    app = create_app(build_container(Settings(database_url=database_url)))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_healthz_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_when_database_is_up_and_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_503_problem_while_a_migration_is_pending(scratch_url: str) -> None:
    migrator = YoyoMigrator(scratch_url)
    migrator.apply()
    rolled_back = migrator.rollback(count=1)
    app = create_app(build_container(Settings(database_url=scratch_url)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/readyz")

    assert rolled_back
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["status"] == 503
    assert body["code"] == "not_ready"
    assert f"migration pending: {rolled_back[0]}" in body["problems"]


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: object) -> None:
    unreachable = "postgresql://postgres@/stockroom?host=/nonexistent-socket-dir&connect_timeout=1"
    app = create_app(build_container(Settings(database_url=unreachable)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["problems"] == ["database unavailable"]


async def test_openapi_and_docs_are_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert {"/healthz", "/readyz"} <= set(spec["paths"])
    assert (await client.get("/docs")).status_code == 200


async def test_a_flood_of_readyz_checks_the_database_about_once_a_second(database_url: str) -> None:
    container = build_container(Settings(database_url=database_url))
    app = create_app(container)
    async with app.router.lifespan_context(app):
        pool = await resolved(container.pool())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            before = pool.get_stats().get("requests_num", 0)
            flood = await asyncio.gather(*(client.get("/readyz") for _ in range(50)))
            during = pool.get_stats().get("requests_num", 0) - before
            await asyncio.sleep(1.1)
            later = await client.get("/readyz")
            after = pool.get_stats().get("requests_num", 0) - before

    assert [r.status_code for r in flood] == [200] * 50
    assert during == 1  # one check served all fifty
    assert later.status_code == 200
    assert after == 2  # a second later the result is checked again
