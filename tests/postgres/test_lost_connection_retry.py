"""A connection lost before a transaction did anything is replayed once; later, or in a flight
that commits, never."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import AsyncConnection

from adapters.postgres import repository
from adapters.postgres.uow import Pool, PostgresUnitOfWorkFactory
from adapters.postgres.wire import Call
from application.errors import StorageUnavailable
from application.pagination import PageRequest
from domain.reservations import LineQuantity, Reservation
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


async def test_a_flight_that_commits_is_never_replayed_even_when_it_opens_the_transaction(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loss may have come after the COMMIT: a replay could reserve twice (ADR 0036). The
    # loss is made here rather than by terminating the server's backend, which a pooler in
    # front (make test-pgbouncer) would hide by taking another.
    flights: list[Sequence[Call]] = []

    async def lost(conn: AsyncConnection[Any], calls: Sequence[Call], **_: Any) -> list[Any]:
        flights.append(calls)
        await conn.close()
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    now = datetime.now(UTC)
    line = LineQuantity(uuid4(), uuid4(), 1)
    reservation = Reservation.create(
        id=uuid4(), reference=None, lines=(line,), ttl_seconds=None, created_by="u", now=now
    )
    async with postgres_backend(database_url, max_size=1) as backend:
        monkeypatch.setattr(repository, "fly", lost)
        with pytest.raises(StorageUnavailable):
            async with backend.uow(f"org_{secrets.token_hex(6)}") as uow:
                await uow.reserve_and_commit(reservation, now, uuid4)

    assert len(flights) == 1
    assert flights[0][-1].statement.text == b"COMMIT"
