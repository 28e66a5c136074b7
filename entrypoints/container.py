"""The composition root: the only module that imports dependency_injector; with
entrypoints/builders.py (what each provider builds), the only one that imports adapters.

Nothing is built at import time. The path from here to a handler is one step:
``async with open_stockroom(settings) as stockroom`` starts what the service needs and yields
a ``Stockroom`` (every use case in ``stockroom.service``, plus what entrypoints need around
them); the HTTP lifespan, every CLI command and embedding programs (docs/embedding.md) use it.
Tests override a provider (``container.uow_factory.override(...)``) and pass the container.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from dependency_injector import containers, providers
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from adapters.betterauth.dev_issuer import DevIssuer
from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres.expired_reservations import PostgresExpiredReservations
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.pool import CONNECT_TIMEOUT_SECONDS
from adapters.postgres.purge import PostgresRecordPurge
from adapters.postgres.rate_limiter import PostgresHitCounter, PostgresRateLimiter
from adapters.postgres.roles import rls_bypass
from adapters.postgres.webhooks import PostgresWebhookLeases
from adapters.rate_limiting import BatchingRateLimiter
from application.observability import PoolStats
from application.ports import RateLimiter, TokenVerifier
from application.readiness import ReadinessProbe
from application.service import StockroomService
from application.use_cases.base import Deps
from entrypoints import builders as build
from entrypoints.settings import Settings, load_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stockroom:
    """A started Stockroom: every use case, and what entrypoints need around them."""

    settings: Settings
    service: StockroomService
    token_verifier: TokenVerifier
    rate_limiter: RateLimiter
    readiness: ReadinessProbe
    pool_stats: PoolStats
    dev_issuer: DevIssuer | None


class Container(containers.DeclarativeContainer):
    """Stockroom's providers, from configuration to use cases."""

    # --- configuration ------------------------------------------------------------------
    settings = providers.Singleton(load_settings)

    # --- infrastructure -----------------------------------------------------------------
    database = providers.Resource(build.database, settings=settings)
    pool = providers.Resource(build.pool, database=database, settings=settings)
    migrator = providers.Singleton(build.migrator, database=database)

    # --- ports (adapters) ---------------------------------------------------------------
    clock = providers.Singleton(SystemClock)
    readiness = providers.Singleton(
        build.readiness, pool=pool, migrator=migrator, clock=clock, settings=settings
    )
    ids = providers.Singleton(UuidGenerator)
    # Storage: PostgreSQL. Tests and library users may override these two with the
    # in-memory adapters (adapters/memory), which the contract suite proves equal.
    # Single-statement reads share a few pipelined connections (ADR 0023); the rest borrow.
    read_channels = providers.Resource(
        build.read_channels, database=database, pool=pool, settings=settings
    )
    uow_factory = providers.Singleton(
        build.uow_factory, pool=pool, channels=read_channels, settings=settings
    )
    expired_reservations = providers.Singleton(PostgresExpiredReservations, pool=pool)
    record_purge = providers.Singleton(PostgresRecordPurge, pool=pool)

    # Identity: BetterAuth when BETTER_AUTH_URL is set, else the dev issuer (never in production).
    dev_issuer = providers.Singleton(build.dev_issuer, settings=settings, clock=clock)
    key_source = providers.Resource(build.key_source, settings=settings, dev_issuer=dev_issuer)
    token_verifier = providers.Singleton(
        build.token_verifier, settings=settings, keys=key_source, clock=clock
    )
    login_client = providers.Singleton(build.login_client, settings=settings)
    # One fixed-window counter table shared by every API process on the database (ADR 0007).
    # Requests: counted per process, synced with it every 250 ms and on every hit past half the
    # limit. Sign-in attempts: every one counted in the database at once (brute force).
    hit_counter = providers.Singleton(PostgresHitCounter, pool=pool)
    rate_limiter = providers.Singleton(BatchingRateLimiter, counter=hit_counter)
    login_rate_limiter = providers.Singleton(PostgresRateLimiter, pool=pool)

    # The import always runs on PostgreSQL (COPY); ``pool_stats`` feeds the pool gauges.
    stock_importer = providers.Singleton(build.stock_importer, pool=pool)
    pool_stats = providers.Singleton(build.pool_stats, pool=pool)

    # --- use cases ----------------------------------------------------------------------
    deps = providers.Singleton(Deps, uow=uow_factory, clock=clock, ids=ids)
    log_in = providers.Singleton(
        build.log_in, client=login_client, limiter=login_rate_limiter, settings=settings
    )
    # Events: the feed and webhooks (ADR 0021, 0022).
    event_signal = providers.Singleton(build.event_signal, uow_factory=uow_factory)
    secret_box = providers.Singleton(build.secret_box, settings=settings)
    destinations = providers.Singleton(build.destinations, settings=settings)
    webhook_sender = providers.Resource(build.webhook_sender, destinations=destinations)
    webhook_leases = providers.Singleton(PostgresWebhookLeases, pool=pool)
    service = providers.Singleton(
        StockroomService.build,
        deps=deps,
        expired=expired_reservations,
        importer=stock_importer,
        record_purge=record_purge,
        log_in=log_in,
        event_signal=event_signal,
        secrets=secret_box,
        destinations=destinations,
        sender=webhook_sender,
        leases=webhook_leases,
        event_retention_days=settings.provided.event_retention_days,
    )

    # --- what a started Stockroom offers its entrypoints (see open_stockroom) -------------
    stockroom = providers.Singleton(
        Stockroom,
        settings=settings,
        service=service,
        token_verifier=token_verifier,
        rate_limiter=rate_limiter,
        readiness=readiness,
        pool_stats=pool_stats,
        dev_issuer=dev_issuer,
    )


def build_container(settings: Settings | None = None) -> Container:
    """A container reading the environment, or using ``settings`` when given (tests, CLI)."""
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container


@asynccontextmanager
async def open_stockroom(
    settings: Settings | None = None,
    *,
    container: Container | None = None,
    migrate_first: bool = False,
) -> AsyncIterator[Stockroom]:
    """Start Stockroom and close it after: the one entry HTTP, the CLI and other programs use.

    Settings come from the environment unless given (or from ``container``, whose providers a
    test may have overridden). Starts the database (embedded, or connects to DATABASE_URL),
    opens the pool, applies pending migrations when asked, and yields every use case.
    """
    container = container or build_container(settings)
    await startup(container)
    try:
        if migrate_first:
            applied = await migrate(container)
            logger.info("migrations applied: %s", ", ".join(applied) or "none pending")
        await check_app_role(container)
        yield await resolved(container.stockroom())
    finally:
        await shutdown(container)


async def check_app_role(container: Container) -> None:
    """Refuse to start in production as a role row-level security does not bind (ADR 0018);
    in development, say so. If the database cannot be asked now, /readyz asks later."""
    settings: Settings = container.settings()
    pool: AsyncConnectionPool[AsyncConnection[Any]] = await resolved(container.pool())
    try:
        async with pool.connection(timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            bypass = await rls_bypass(conn)
    except (psycopg.Error, PoolTimeout) as exc:
        logger.warning("could not check the database role at startup (%s)", type(exc).__name__)
        return
    if bypass is None:
        return
    if settings.env == "production":
        raise RuntimeError(f"refusing to start: {bypass}; connect as the app role (ADR 0018)")
    logger.warning("%s; production would refuse to start (ADR 0018)", bypass)


async def startup(container: Container) -> None:
    """Start the database (embedded or remote) and open the pool."""
    await resolved(container.init_resources())


async def shutdown(container: Container) -> None:
    """Close the pool, then stop the embedded database if this process started it."""
    await resolved(container.shutdown_resources())


async def migrate(container: Container) -> list[str]:
    """Apply pending migrations (only the database must be started); return their ids."""
    migrator: YoyoMigrator = await resolved(container.migrator())
    return await asyncio.to_thread(migrator.apply)


async def rollback_all(container: Container) -> list[str]:
    """Roll back every applied migration; return their ids."""
    migrator: YoyoMigrator = await resolved(container.migrator())
    return await asyncio.to_thread(migrator.rollback_all)


async def resolved(value: Any) -> Any:
    """The value of a provider call: providers that depend on an async Resource (the
    database, the pool) return awaitables, the others plain values."""
    return await value if asyncio.isfuture(value) or asyncio.iscoroutine(value) else value
