"""Connections lent to units of work: waiters served in turn, every checkout returned once."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from psycopg import AsyncConnection, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import PoolTimeout

from adapters.postgres.embedded import ADMIN_DATABASE, with_database
from adapters.postgres.lending import ConnectionLender
from adapters.postgres.pool import build_pool
from adapters.postgres.uow import Pool, PostgresUnitOfWork
from application.errors import StorageUnavailable
from application.pagination import PageRequest
from tests.postgres_fixtures import app_url, postgres_backend, through_pgbouncer


async def opened_pool(database_url: str, size: int) -> Pool:
    pool = build_pool(app_url(database_url), min_size=size, max_size=size)
    await pool.open(wait=True)
    return pool


async def test_a_returned_connection_goes_straight_to_the_first_waiter(database_url: str) -> None:
    pool = await opened_pool(database_url, 1)
    try:
        lender = ConnectionLender(pool)
        first = await lender.borrow()
        waiting = asyncio.create_task(lender.borrow())
        await asyncio.sleep(0.05)
        assert not waiting.done()

        await lender.give_back(first)

        assert await waiting is first
        assert pool.get_stats()["pool_available"] == 0  # still out: handed, not returned
        await lender.give_back(first)
        assert pool.get_stats()["pool_available"] == 1
    finally:
        await pool.close()


async def test_a_waiter_past_its_timeout_gets_pool_timeout_and_leaves_no_slot_behind(
    database_url: str,
) -> None:
    pool = await opened_pool(database_url, 1)
    try:
        lender = ConnectionLender(pool)
        held = await lender.borrow()
        with pytest.raises(PoolTimeout):
            await lender.borrow(0.05)
        await lender.give_back(held)

        again = await lender.borrow(1.0)  # the timed-out waiter took nothing with it
        await lender.give_back(again)
    finally:
        await pool.close()


async def test_a_cancelled_waiter_passes_on_the_connection_it_was_handed(database_url: str) -> None:
    pool = await opened_pool(database_url, 1)
    try:
        lender = ConnectionLender(pool)
        held = await lender.borrow()
        cancelled = asyncio.create_task(lender.borrow())
        patient = asyncio.create_task(lender.borrow())
        await asyncio.sleep(0.05)
        await lender.give_back(held)  # handed to `cancelled`, which has not run yet...
        cancelled.cancel()  # ...and never will

        conn = await asyncio.wait_for(patient, 2)
        await lender.give_back(conn)
        assert pool.get_stats()["pool_available"] == 1
    finally:
        await pool.close()


async def test_a_broken_connection_is_never_handed_on(database_url: str) -> None:
    pool = await opened_pool(database_url, 1)
    try:
        lender = ConnectionLender(pool)
        broken = await lender.borrow()
        waiting = asyncio.create_task(lender.borrow())
        await asyncio.sleep(0.05)
        await broken.close()
        await lender.give_back(broken)

        fresh = await asyncio.wait_for(waiting, 5)
        assert fresh is not broken and not fresh.closed
        await lender.give_back(fresh)
    finally:
        await pool.close()


async def terminate_all(database_url: str) -> None:
    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND usename = current_user"  # the app's own
        )


async def test_lost_connections_are_returned_exactly_once_and_the_pool_never_grows_past_max(
    database_url: str,
) -> None:
    # The first-statement replay path used to return a lost connection twice when its
    # reconnect failed; the pool then grew past max_size and under-reported its gauges.
    async with postgres_backend(database_url, max_size=3, checkout_timeout=2.0) as backend:
        outcomes: list[str] = []

        async def read() -> None:
            try:
                async with backend.uow(f"org_{secrets.token_hex(4)}", read_only=True) as uow:
                    await uow.items.list(PageRequest())
                outcomes.append("ok")
            except StorageUnavailable:
                outcomes.append("unavailable")

        for _ in range(5):
            readers = [asyncio.create_task(read()) for _ in range(12)]
            await asyncio.sleep(0.01)
            await terminate_all(database_url)
            await asyncio.gather(*readers)
            stats = backend.pool.get_stats()
            assert stats["pool_size"] <= 3, stats
            assert backend.pool.get_stats().get("requests_waiting", 0) == 0

        await asyncio.sleep(0.5)  # the pool refills in the background
        assert backend.pool.get_stats()["pool_size"] <= 3
        assert "ok" in outcomes
        # A pooler in front may still hand out a server connection killed by the last storm
        # before it has read that connection's goodbye: allow the dust to settle (bounded),
        # then the same pool must serve every read.
        for _ in range(20):
            await read()
            if outcomes[-1] == "ok":
                break
            await asyncio.sleep(0.1)
        for _ in range(6):
            await read()
        assert outcomes[-6:] == ["ok"] * 6


async def test_a_reconnect_that_fails_returns_the_lost_connection_once(
    database_url: str, admin_database_url: str
) -> None:
    async with postgres_backend(database_url, max_size=2, checkout_timeout=2.0) as backend:
        uow = backend.uow(f"org_{secrets.token_hex(4)}")
        lender = uow._lender  # type: ignore[attr-defined]
        async with refusing_new_connections(database_url, admin_database_url):
            if through_pgbouncer():  # the pooler keeps its server connections: it reconnects
                await lose_the_connection_and_read(uow)
            else:
                with pytest.raises(StorageUnavailable):
                    await lose_the_connection_and_read(uow)  # the replay cannot reconnect
            assert lender._out == 0  # given back once, and not again on exit

        async with backend.uow(f"org_{secrets.token_hex(4)}", read_only=True) as again:
            assert await again.items.list(PageRequest()) == []
        assert backend.pool.get_stats()["pool_size"] <= 2
        assert lender._out == 0


@asynccontextmanager
async def refusing_new_connections(database_url: str, admin_url: str) -> AsyncIterator[None]:
    """The database takes no new connections (as during a restart); open ones keep working."""
    name = conninfo_to_dict(database_url)["dbname"]
    statement = "ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}"
    maintenance = with_database(admin_url, ADMIN_DATABASE)  # not the database it locks
    async with await AsyncConnection.connect(maintenance, autocommit=True) as admin:
        await admin.execute(sql.SQL(statement).format(sql.Identifier(name), sql.SQL("false")))
        try:
            yield
        finally:
            await admin.execute(sql.SQL(statement).format(sql.Identifier(name), sql.SQL("true")))


async def lose_the_connection_and_read(uow: PostgresUnitOfWork) -> None:
    async with uow:
        session = uow._session  # type: ignore[attr-defined]
        await session.conn.close()  # lost before the first statement
        await uow.items.list(PageRequest())  # replay: the reconnect fails


async def test_a_caller_queued_in_the_pool_itself_is_served_before_the_next_handoff(
    database_url: str,
) -> None:
    pool = await opened_pool(database_url, 1)
    try:
        lender = ConnectionLender(pool)
        held = await lender.borrow()
        waiting_in_pool = asyncio.create_task(pool.getconn(2.0))  # like the rate limiter
        await asyncio.sleep(0.05)
        waiting_in_lender = asyncio.create_task(lender.borrow())
        await asyncio.sleep(0.05)

        await lender.give_back(held)

        direct = await asyncio.wait_for(waiting_in_pool, 2)
        assert not waiting_in_lender.done()
        await pool.putconn(direct)
        await lender.give_back(await asyncio.wait_for(waiting_in_lender, 2))
    finally:
        await pool.close()


async def test_psycopgs_own_rollbacks_never_drop_the_statements_units_of_work_prepared(
    database_url: str,
) -> None:
    # psycopg answers a ROLLBACK with DEALLOCATE ALL once it has prepared statements of its
    # own; the pool's connections must never let it prepare any.
    async with postgres_backend(database_url, max_size=1) as backend:
        org = f"org_{secrets.token_hex(4)}"
        async with backend.uow(org) as uow:
            assert await uow.items.list(PageRequest()) == []  # prepared on the one connection
        async with backend.pool.connection() as conn:
            for _ in range(8):  # past psycopg's default prepare threshold
                await conn.execute("SELECT %s::int", [1])
            await conn.rollback()
        async with backend.uow(org) as uow:
            assert await uow.items.list(PageRequest()) == []
