"""Build the Postgres adapters for tests, in whatever event loop the caller runs.

``postgres_backend(database_url)`` is what the contract suite, the concurrency tests and the
hypothesis state machine (tests/property/) share: a pool opened in the running loop, the unit of
work factory and the cross-org ExpiredReservations on it. When ``STOCKROOM_TEST_PGBOUNCER`` names a
PgBouncer (``host:port``, see tests/pgbouncer/run.sh), the app connects through it while
migrations keep using the direct URL.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from psycopg.conninfo import make_conninfo

from adapters.postgres.channels import ReadChannels
from adapters.postgres.expired_reservations import PostgresExpiredReservations
from adapters.postgres.pool import build_pool
from adapters.postgres.uow import Pool, PostgresUnitOfWorkFactory

PGBOUNCER_ENV = "STOCKROOM_TEST_PGBOUNCER"


def app_url(database_url: str) -> str:
    """The URL the application uses: through PgBouncer in the pooled pass, else direct."""
    bouncer = os.environ.get(PGBOUNCER_ENV)
    if not bouncer:
        return database_url
    host, _, port = bouncer.rpartition(":")
    return make_conninfo(database_url, host=host, port=port)


def through_pgbouncer() -> bool:
    """True in the PgBouncer pass (transaction pooling in front of the test database)."""
    return bool(os.environ.get(PGBOUNCER_ENV))


@dataclass(frozen=True, slots=True)
class PostgresBackend:
    """The Postgres side of the ports, on one pool."""

    pool: Pool
    uow: PostgresUnitOfWorkFactory
    expired: PostgresExpiredReservations


@asynccontextmanager
async def postgres_backend(
    database_url: str, *, max_size: int = 10, checkout_timeout: float = 10.0
) -> AsyncIterator[PostgresBackend]:
    """Open a pool in the running event loop and yield the adapters on it; close it after."""
    pool = build_pool(
        app_url(database_url),
        min_size=1,
        max_size=max_size,
        pooled="true" if through_pgbouncer() else "auto",
    )
    pool.timeout = checkout_timeout  # how long a unit of work waits for a connection
    await pool.open(wait=True)
    # Reads fly on shared read channels, as in the app (ADR 0023).
    channels = ReadChannels(pool.conninfo, dict(pool.kwargs or {}), size=2)
    try:
        yield PostgresBackend(
            pool,
            PostgresUnitOfWorkFactory(pool, channels=channels),
            PostgresExpiredReservations(pool),
        )
    finally:
        await channels.close()
        await pool.close()


@contextmanager
def postgres_backend_on(
    loop: asyncio.AbstractEventLoop, database_url: str, *, max_size: int = 4
) -> Iterator[PostgresBackend]:
    """``postgres_backend`` for code that drives its own loop (the hypothesis state machine):
    the pool is opened and closed on ``loop``, and must only be used from it."""
    opened = postgres_backend(database_url, max_size=max_size)
    backend = loop.run_until_complete(opened.__aenter__())
    try:
        yield backend
    finally:
        loop.run_until_complete(opened.__aexit__(None, None, None))
