"""The Postgres unit of work: one pooled connection, one transaction, one org."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.errors import UNAVAILABLE, is_unavailable, unavailable
from adapters.postgres.idempotency import PostgresIdempotencyStore
from adapters.postgres.items import PostgresItems
from adapters.postgres.locations import PostgresLocations
from adapters.postgres.movements import PostgresMovements
from adapters.postgres.repository import Session
from adapters.postgres.reservations import PostgresReservations
from adapters.postgres.stock import PostgresStockLevels
from application.errors import StorageUnavailable
from application.ports import UnitOfWork, UnitOfWorkFactory

Pool = AsyncConnectionPool[AsyncConnection[Any]]
# A replacement for a lost connection is worth a short wait only: if the server is down, the
# request should hear 503 promptly rather than sit out the pool's full checkout timeout.
RECONNECT_TIMEOUT_SECONDS = 1.0


class PostgresUnitOfWork(UnitOfWork):
    """Checks out a connection (bounded wait), runs one transaction bound to the org, and
    rolls back on exit unless ``commit`` was called. Driver availability errors (connection
    lost, pool exhausted, deadlock, serialization failure) leave as StorageUnavailable."""

    def __init__(
        self,
        pool: Pool,
        org_id: str,
        *,
        checkout_timeout: float | None = None,
        read_only: bool = False,
    ) -> None:
        self._pool = pool
        self._org_id = org_id
        self._read_only = read_only
        self._timeout = checkout_timeout
        self._session: Session | None = None

    async def __aenter__(self) -> PostgresUnitOfWork:
        try:
            if self._timeout is None:
                conn = await self._pool.getconn()  # the pool's own bounded timeout
            else:
                conn = await self._pool.getconn(timeout=self._timeout)
        except psycopg.Error as exc:  # PoolTimeout, PoolClosed, failed connect
            raise unavailable(exc) from exc
        if self._read_only:
            await conn.set_autocommit(True)  # idle connection: no round trip
        session = self._session = Session(
            conn, self._org_id, read_only=self._read_only, reconnect=self._reconnect
        )
        self.items = PostgresItems(session)
        self.locations = PostgresLocations(session)
        self.stock = PostgresStockLevels(session)
        self.movements = PostgresMovements(session)
        self.reservations = PostgresReservations(session)
        self.idempotency = PostgresIdempotencyStore(session)
        return self

    async def __aexit__(self, *exc: object) -> None:
        error = exc[1] if len(exc) > 1 else None
        lost = isinstance(error, BaseException) and is_unavailable(error)
        await self._release(discard=lost)
        if lost and isinstance(error, BaseException):
            raise unavailable(error) from error

    async def commit(self) -> None:
        session = self._open()
        if session.read_only:
            raise StorageUnavailable("a read-only unit of work cannot commit")
        try:
            await session.conn.commit()
        except UNAVAILABLE as exc:
            await self._release(discard=True)
            raise unavailable(exc) from exc
        session.bound = False  # a later statement starts a new transaction: bind it again

    async def _release(self, *, discard: bool = False) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if discard:
                # Its state is unknown (lost, or out of step with a pooler): the pool replaces
                # a closed connection instead of handing it out again.
                await session.conn.close()
            elif not session.conn.broken:
                await session.conn.rollback()  # no-op after commit; undoes everything otherwise
                if session.read_only:
                    await session.conn.set_autocommit(False)  # as the pool hands them out
        except psycopg.Error:
            pass  # the pool discards a connection it finds broken
        finally:
            await self._pool.putconn(session.conn)

    async def _reconnect(self) -> AsyncConnection[Any]:
        """Swap a connection lost before the transaction did anything for a fresh one."""
        session = self._open()
        lost = session.conn
        try:
            await lost.close()
        finally:
            await self._pool.putconn(lost)  # closed: the pool replaces it
        try:
            conn = await self._pool.getconn(timeout=RECONNECT_TIMEOUT_SECONDS)
        except psycopg.Error as exc:
            raise unavailable(exc) from exc
        if self._read_only:
            await conn.set_autocommit(True)
        return conn

    def _open(self) -> Session:
        if self._session is None:
            raise StorageUnavailable("the unit of work is not open")
        return self._session


class PostgresUnitOfWorkFactory(UnitOfWorkFactory):
    """Opens units of work on a shared pool."""

    def __init__(self, pool: Pool, *, checkout_timeout: float | None = None) -> None:
        self.pool = pool
        self._timeout = checkout_timeout

    def __call__(self, org_id: str, *, read_only: bool = False) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(
            self.pool, org_id, checkout_timeout=self._timeout, read_only=read_only
        )
