"""The Postgres unit of work: one pooled connection, one transaction, one org."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from psycopg import AsyncConnection
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool

from adapters.event_signal import InProcessEventSignal
from adapters.postgres.channels import ReadChannels
from adapters.postgres.errors import UNAVAILABLE, conflict_for, is_unavailable, unavailable
from adapters.postgres.events import PostgresEvents
from adapters.postgres.idempotency import PostgresIdempotencyStore
from adapters.postgres.items import PostgresItems
from adapters.postgres.lending import ConnectionLender
from adapters.postgres.locations import PostgresLocations
from adapters.postgres.lots import PostgresLots
from adapters.postgres.movements import PostgresMovements
from adapters.postgres.pool import named_statements
from adapters.postgres.repository import ChannelSession, Session, Waits
from adapters.postgres.reservation_events import announcement
from adapters.postgres.reservations import PostgresReservations, first_hold
from adapters.postgres.stock import PostgresStockLevels
from adapters.postgres.webhooks import PostgresWebhooks
from adapters.postgres.workflows import PostgresCountSessions, PostgresTransfers
from application.errors import StorageUnavailable
from application.ports import EventSignal, FirstHold, UnitOfWork, UnitOfWorkFactory
from domain.reservations import Reservation

Pool = AsyncConnectionPool[AsyncConnection[Any]]
_REPOSITORIES: dict[str, Callable[[Session | ChannelSession], Any]] = {
    "items": PostgresItems,
    "locations": PostgresLocations,
    "stock": PostgresStockLevels,
    "movements": PostgresMovements,
    "reservations": PostgresReservations,
    "lots": PostgresLots,
    "transfers": PostgresTransfers,
    "counts": PostgresCountSessions,
    "idempotency": PostgresIdempotencyStore,
    "events": PostgresEvents,
    "webhooks": PostgresWebhooks,
}
# Read sessions kept per org (each is immutable: the org, its binding, the channels).
MAX_READ_SESSIONS = 4096
T = TypeVar("T")
# A replacement for a lost connection is worth a short wait only: if the server is down, the
# request should hear 503 promptly rather than sit out the pool's full checkout timeout.
RECONNECT_TIMEOUT_SECONDS = 1.0


class PostgresUnitOfWork(UnitOfWork):
    """Checks out a connection (bounded wait), runs one transaction bound to the org, and
    rolls back on exit unless ``commit`` was called. Driver availability errors (connection
    lost, pool exhausted, deadlock, lock or statement timeout) leave as StorageUnavailable.
    Every checkout is returned to the pool exactly once, lost connections included."""

    # Made on first use by __getattr__, bound to this unit of work's session.
    items: PostgresItems
    locations: PostgresLocations
    stock: PostgresStockLevels
    movements: PostgresMovements
    reservations: PostgresReservations
    lots: PostgresLots
    transfers: PostgresTransfers
    counts: PostgresCountSessions
    idempotency: PostgresIdempotencyStore
    events: PostgresEvents
    webhooks: PostgresWebhooks

    def __init__(
        self,
        lender: ConnectionLender,
        org_id: str,
        *,
        checkout_timeout: float | None = None,
        read_only: bool = False,
        prepare: bool = True,
        waits: Waits | None = None,
        read_session: ChannelSession | None = None,
        signal: EventSignal | None = None,
    ) -> None:
        self._lender = lender
        self._read_session = read_session
        self._signal = signal
        self._org_id = org_id
        self._read_only = read_only
        self._timeout = checkout_timeout
        self._prepare = prepare
        self._waits = waits
        self._session: Session | None = None
        self._conn: AsyncConnection[Any] | None = None  # what this unit of work owes the pool
        self._bound: Session | ChannelSession | None = None  # what its repositories use

    async def __aenter__(self) -> PostgresUnitOfWork:
        if self._read_only and self._read_session is not None:
            # Reads fly on the shared read channels: no connection of their own to borrow.
            self._bound = self._read_session
            return self
        self._conn = await self._checkout(self._timeout)
        session = self._session = Session(
            self._conn,
            self._org_id,
            read_only=self._read_only,
            reconnect=self._reconnect,
            prepare=self._prepare,
            waits=self._waits,
            max_replays=self._lender.pool.max_size,
        )
        self._bound = session
        return self

    def __getattr__(self, name: str) -> Any:
        # Repositories are made on first use: a read uses one of the eleven (ADR 0037).
        repository = _REPOSITORIES.get(name)
        session = self.__dict__.get("_bound")
        if repository is None or session is None:  # unknown, or not entered yet
            raise AttributeError(name)
        made = self.__dict__[name] = repository(session)
        return made

    async def __aexit__(self, *exc: object) -> None:
        error = exc[1] if len(exc) > 1 else None
        await self._release()
        if isinstance(error, BaseException) and is_unavailable(error):
            raise unavailable(error) from error

    async def commit(self) -> None:
        session = self._writable()
        announced = self.events.flush()  # rides with the COMMIT: no round trip of its own
        await self._committed(session.commit())
        self._announced(announced)

    async def reserve_and_commit(
        self, reservation: Reservation, now: datetime, new_id: Callable[[], UUID]
    ) -> FirstHold:
        # One flight from BEGIN to COMMIT: the level's lock is held for the server's time only
        # (ADR 0036). Not matched: the COMMIT ends a transaction that only read.
        session = self._writable()
        queued = self.events.flush()  # anything queued before still goes with this commit
        flight = self.reservations.first_flight(
            reservation, now, announcement(reservation, now, new_id)
        )
        first = first_hold(reservation, await self._committed(session.execute_and_commit(flight)))
        self._announced(queued + (first.change is not None))
        return first

    def _writable(self) -> Session:
        if self._read_only:
            raise StorageUnavailable("a read-only unit of work cannot commit")
        session = self._open()
        if session.read_only:
            raise StorageUnavailable("a read-only unit of work cannot commit")
        return session

    async def _committed(self, commit: Awaitable[T]) -> T:
        """The result of a flight that commits; its driver errors translated."""
        try:
            return await commit
        except UNAVAILABLE as exc:  # it may have committed or not: never replayed, 503
            await self._release()
            raise unavailable(exc) from exc
        except pg_errors.UniqueViolation as exc:  # a deferred write met a unique index
            conflict = conflict_for(exc)
            if conflict is None:
                raise
            raise conflict from exc

    def _announced(self, events: int) -> None:
        if events and self._signal is not None:
            self._signal.notify(self._org_id)

    async def _checkout(self, wait_seconds: float | None) -> AsyncConnection[Any]:
        try:
            return await self._lender.borrow(wait_seconds)  # None: the pool's own timeout
        except psycopg.Error as exc:  # PoolTimeout, PoolClosed, failed connect
            raise unavailable(exc) from exc

    async def _release(self) -> None:
        self._session, session = None, self._session
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if session is not None and not conn.closed:
                await session.rollback()  # nothing after a commit; undoes everything otherwise
        except psycopg.Error:
            await conn.close()  # its state is unknown: the pool replaces a closed connection
        finally:
            await self._lender.give_back(conn)

    async def _reconnect(self) -> AsyncConnection[Any]:
        """Swap a connection lost before the transaction did anything for a fresh one."""
        lost, self._conn = self._conn, None
        if lost is not None:
            await lost.close()
            await self._lender.give_back(lost)  # closed: the pool replaces it
        self._conn = await self._checkout(RECONNECT_TIMEOUT_SECONDS)
        return self._conn

    def _open(self) -> Session:
        if self._session is None:
            raise StorageUnavailable("the unit of work is not open")
        return self._session


def prepares(pool: Pool) -> bool:
    """True unless the pool was built for a transaction pooler."""
    return named_statements(pool)


class PostgresUnitOfWorkFactory(UnitOfWorkFactory):
    """Opens units of work on a shared pool."""

    def __init__(
        self,
        pool: Pool,
        *,
        checkout_timeout: float | None = None,
        prepare: bool | None = None,
        waits: Waits | None = None,
        channels: ReadChannels | None = None,
        event_signal: EventSignal | None = None,
    ) -> None:
        self.pool = pool
        self._channels = channels
        # Feed readers of this process wait on it; commits that wrote events wake them.
        self.event_signal = event_signal or InProcessEventSignal()
        self._lender = ConnectionLender(pool)
        self._timeout = checkout_timeout
        # Named prepared statements only where the pool's connections keep them (not behind a
        # transaction pooler: build_pool turns psycopg's own off there, and so do we).
        self._prepare = prepares(pool) if prepare is None else prepare
        self._waits = waits
        self._read_sessions: dict[str, ChannelSession] = {}

    def __call__(self, org_id: str, *, read_only: bool = False) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(
            self._lender,
            org_id,
            checkout_timeout=self._timeout,
            read_only=read_only,
            prepare=self._prepare,
            waits=self._waits,
            read_session=self._read_session(org_id) if read_only else None,
            signal=self.event_signal,
        )

    def _read_session(self, org_id: str) -> ChannelSession | None:
        """The org's session on the read channels, made once (its binding encoded once)."""
        if self._channels is None:
            return None
        session = self._read_sessions.get(org_id)
        if session is None:
            if len(self._read_sessions) >= MAX_READ_SESSIONS:
                self._read_sessions.clear()
            session = self._read_sessions[org_id] = ChannelSession(
                self._channels, org_id, prepare=self._prepare, waits=self._waits
            )
        return session
