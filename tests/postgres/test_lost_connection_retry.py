"""A connection lost before a transaction did anything is replayed once; later, never."""

from __future__ import annotations

import secrets

import pytest
from psycopg import AsyncConnection

from adapters.postgres.uow import Pool, PostgresUnitOfWorkFactory
from application.errors import StorageUnavailable
from application.pagination import PageRequest
from tests.postgres_fixtures import postgres_backend


async def backend_pid(pool: Pool) -> int:
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
    assert row is not None
    return int(row[0])


async def terminate(database_url: str, pid: int) -> None:
    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("read_only", [True, False])
async def test_a_connection_dropped_while_idle_is_replaced_and_the_request_succeeds(
    database_url: str, read_only: bool
) -> None:
    async with postgres_backend(database_url, max_size=1) as backend:
        await terminate(database_url, await backend_pid(backend.pool))  # fresh: no probe

        async with backend.uow(f"org_{secrets.token_hex(6)}", read_only=read_only) as uow:
            assert await uow.items.list(PageRequest()) == []


async def test_a_connection_lost_mid_transaction_is_never_replayed(database_url: str) -> None:
    async with postgres_backend(database_url, max_size=1) as backend:
        with pytest.raises(StorageUnavailable):
            await _lose_the_connection_mid_transaction(backend.uow, database_url)


async def _lose_the_connection_mid_transaction(
    uow_factory: PostgresUnitOfWorkFactory, database_url: str
) -> None:
    async with uow_factory(f"org_{secrets.token_hex(6)}") as uow:
        await uow.items.list(PageRequest())  # the transaction has begun
        await terminate(database_url, await _current_pid(uow))
        await uow.items.list(PageRequest())


async def _current_pid(uow: object) -> int:
    session = uow._session  # type: ignore[attr-defined]  # the test reaches in to find the pid
    row = await (await session.conn.execute("SELECT pg_backend_pid()")).fetchone()
    return int(row[0])
