"""Requests never wait without limit on a lock or a statement: 503 with Retry-After, and the
pool serves the next request as if nothing happened."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from psycopg import AsyncConnection

from tests.integration.conftest import client_for, new_org_id
from tests.integration.factories import Org, movement


@asynccontextmanager
async def holding(database_url: str, statement: str, org_id: str = "") -> AsyncIterator[None]:
    """Another session (of ``org_id``: row-level security binds it) holds a lock taken by
    ``statement`` until the block ends."""
    async with await AsyncConnection.connect(database_url) as conn:
        await conn.execute("SELECT set_config('app.org_id', %s, true)", [org_id])
        await conn.execute(statement)
        yield
        await conn.rollback()


@asynccontextmanager
async def seeded(app: FastAPI, auth: Callable[..., dict[str, str]]) -> AsyncIterator[Org]:
    org_id = new_org_id()
    async with client_for(app) as client:
        yield Org(client, org_id, auth(org_id, "admin"), auth(org_id, "member"))


async def test_a_write_blocked_on_a_row_lock_answers_503_after_the_lock_timeout(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
    auth: Callable[..., dict[str, str]],
    database_url: str,
) -> None:
    async with start_app(lock_timeout_ms=200) as app, seeded(app, auth) as org:
        item, here = await org.stocked(5)
        lock = f"SELECT 1 FROM stock_levels WHERE item_id = '{item['id']}' FOR UPDATE"
        async with holding(database_url, lock, org.id):
            started = time.monotonic()
            blocked = await org.client.post(
                "/v1/movements", json=movement("shipment", item, here, 1), headers=org.admin
            )
            waited = time.monotonic() - started
        after = await org.client.post(
            "/v1/movements", json=movement("shipment", item, here, 1), headers=org.admin
        )
        level = await org.level(item, here)

    assert blocked.status_code == 503, blocked.text
    assert blocked.json()["code"] == "storage_unavailable"
    assert blocked.headers["retry-after"].isdigit()
    assert waited < 2.0
    assert after.status_code == 201, after.text
    assert level["on_hand"] == 4  # the refused shipment changed nothing


async def test_a_read_waiting_past_the_statement_timeout_answers_503_and_the_pool_recovers(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
    auth: Callable[..., dict[str, str]],
    database_url: str,
) -> None:
    settings = {"lock_timeout_ms": 0, "statement_timeout_ms": 300, "database_pool_max": 2}
    async with start_app(**settings) as app, seeded(app, auth) as org:
        await org.stocked(3)
        async with holding(database_url, "LOCK TABLE stock_levels IN ACCESS EXCLUSIVE MODE"):
            refused = [
                await org.client.get("/v1/stock-levels", headers=org.member) for _ in range(3)
            ]
        served = [await org.client.get("/v1/stock-levels", headers=org.member) for _ in range(4)]

    assert [r.status_code for r in refused] == [503, 503, 503]
    assert all(r.headers["retry-after"].isdigit() for r in refused)
    assert [r.status_code for r in served] == [200] * 4  # a pool of 2 outlived 3 timeouts
