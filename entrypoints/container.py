"""The composition root: the only module that imports dependency_injector and adapters.

Nothing is built at import time. ``database`` and ``pool`` are async Resources, so every
provider that depends on them returns an awaitable: write ``await container.readiness()``.
Lifecycle: ``await startup(container)`` ... ``await shutdown(container)`` (the HTTP lifespan
and the CLI commands do this).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from dependency_injector import containers, providers
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryDueReservations, InMemoryUnitOfWorkFactory
from adapters.postgres.embedded import EmbeddedPostgres
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.pool import build_pool
from adapters.postgres.readiness import PostgresReadiness
from application.service import StockroomService
from application.use_cases.base import Deps
from entrypoints.settings import Settings, load_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Database:
    """Where the data lives: the app's (possibly pooled) URL and the direct one for migrations."""

    url: str
    direct_url: str
    embedded: bool


async def _database(settings: Settings) -> AsyncIterator[Database]:
    if settings.database_url:
        direct = settings.database_direct_url or settings.database_url
        yield Database(url=settings.database_url, direct_url=direct, embedded=False)
        return
    server = EmbeddedPostgres(settings.data_dir)
    url = await asyncio.to_thread(server.start)
    logger.info("using the embedded PostgreSQL in %s", server.pgdata)
    try:
        yield Database(url=url, direct_url=url, embedded=True)
    finally:
        await asyncio.to_thread(server.stop)
        logger.info("embedded PostgreSQL stopped")


async def _pool(
    database: Database, settings: Settings
) -> AsyncIterator[AsyncConnectionPool[AsyncConnection[Any]]]:
    pool = build_pool(
        database.url,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        pooled=settings.database_pooled,
    )
    # Not waiting for min_size connections: the API starts even if the database is down,
    # and /readyz says so until it comes back.
    await pool.open(wait=False)
    try:
        yield pool
    finally:
        await pool.close()


def _migrator(database: Database) -> YoyoMigrator:
    return YoyoMigrator(database.direct_url)


def _readiness(
    pool: AsyncConnectionPool[AsyncConnection[Any]], migrator: YoyoMigrator
) -> PostgresReadiness:
    return PostgresReadiness(pool, migrator.migration_ids())


class Container(containers.DeclarativeContainer):
    """Stockroom's providers, from configuration to use cases."""

    # --- configuration ------------------------------------------------------------------
    settings = providers.Singleton(load_settings)

    # --- infrastructure -----------------------------------------------------------------
    database = providers.Resource(_database, settings=settings)
    pool = providers.Resource(_pool, database=database, settings=settings)
    migrator = providers.Singleton(_migrator, database=database)

    # --- ports (adapters) ---------------------------------------------------------------
    readiness = providers.Singleton(_readiness, pool=pool, migrator=migrator)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidGenerator)
    # Storage: the in-memory adapters until the Postgres unit of work is wired in.
    memory_database = providers.Singleton(InMemoryDatabase)
    uow_factory = providers.Singleton(InMemoryUnitOfWorkFactory, db=memory_database)
    due_reservations = providers.Singleton(InMemoryDueReservations, db=memory_database)

    # --- use cases ----------------------------------------------------------------------
    deps = providers.Singleton(Deps, uow=uow_factory, clock=clock, ids=ids)
    service = providers.Singleton(StockroomService.build, deps=deps, due=due_reservations)


def build_container(settings: Settings | None = None) -> Container:
    """A container reading the environment, or using ``settings`` when given (tests, CLI)."""
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container


async def startup(container: Container) -> None:
    """Start the database (embedded or remote) and open the pool."""
    await _maybe_await(container.init_resources())


async def shutdown(container: Container) -> None:
    """Close the pool, then stop the embedded database if this process started it."""
    await _maybe_await(container.shutdown_resources())


async def migrate(container: Container) -> list[str]:
    """Apply pending migrations (only the database must be started); return their ids."""
    migrator: YoyoMigrator = await _maybe_await(container.migrator())
    return await asyncio.to_thread(migrator.apply)


async def rollback_all(container: Container) -> list[str]:
    """Roll back every applied migration; return their ids."""
    migrator: YoyoMigrator = await _maybe_await(container.migrator())
    return await asyncio.to_thread(migrator.rollback_all)


async def _maybe_await(value: Any) -> Any:
    return await value if asyncio.isfuture(value) or asyncio.iscoroutine(value) else value
