"""The composition root: the only module that imports dependency_injector and adapters.

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
from urllib.parse import urlsplit

import psycopg
from dependency_injector import containers, providers
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from adapters.betterauth.dev_issuer import DEV_ISSUER, DevIssuer
from adapters.betterauth.jwks import KeySource, RemoteJwks, StaticJwks
from adapters.betterauth.login import BetterAuthLoginClient
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres.channels import ReadChannels
from adapters.postgres.embedded import EmbeddedPostgres
from adapters.postgres.expired_reservations import PostgresExpiredReservations
from adapters.postgres.importer import PostgresStockImporter
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.observability import PostgresPoolStats
from adapters.postgres.pool import CONNECT_TIMEOUT_SECONDS, build_pool
from adapters.postgres.purge import PostgresRecordPurge
from adapters.postgres.rate_limiter import PostgresHitCounter, PostgresRateLimiter
from adapters.postgres.readiness import PostgresReadiness
from adapters.postgres.repository import Waits
from adapters.postgres.roles import rls_bypass
from adapters.postgres.uow import PostgresUnitOfWorkFactory
from adapters.postgres.webhooks import PostgresWebhookLeases
from adapters.rate_limiting import BatchingRateLimiter
from adapters.webhooks.destinations import NetworkDestinations
from adapters.webhooks.secret_box import FernetSecretBox, development_key
from adapters.webhooks.sender import HttpWebhookSender
from application.observability import PoolStats
from application.ports import Clock, EventSignal, LoginClient, RateLimiter, TokenVerifier
from application.readiness import CachedReadiness, ReadinessProbe
from application.service import StockroomService
from application.use_cases.base import Deps
from application.use_cases.log_in import LogInHandler
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
    await asyncio.to_thread(server.start)
    logger.info("using the embedded PostgreSQL in %s", server.pgdata)
    try:
        # Two roles (ADR 0018): migrations as the owner, everything else as the app role.
        yield Database(url=server.app_url, direct_url=server.owner_url, embedded=True)
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


async def _read_channels(
    database: Database, pool: AsyncConnectionPool[AsyncConnection[Any]], settings: Settings
) -> AsyncIterator[ReadChannels | None]:
    if settings.read_channels == 0:
        yield None
        return
    kwargs = pool.kwargs if isinstance(pool.kwargs, dict) else {}  # the pool's connect options
    channels = ReadChannels(database.url, kwargs, size=settings.read_channels)
    try:
        yield channels
    finally:
        await channels.close()


def _uow_factory(
    pool: AsyncConnectionPool[AsyncConnection[Any]],
    channels: ReadChannels | None,
    settings: Settings,
) -> PostgresUnitOfWorkFactory:
    waits = Waits(settings.lock_timeout_ms, settings.statement_timeout_ms)
    return PostgresUnitOfWorkFactory(pool, waits=waits, channels=channels)


def _migrator(database: Database) -> YoyoMigrator:
    return YoyoMigrator(database.direct_url)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _dev_issuer(settings: Settings, clock: Clock) -> DevIssuer | None:
    if settings.better_auth_url:
        return None
    # Settings already refuse production without BETTER_AUTH_URL; this guards overrides too.
    if settings.env == "production":
        raise RuntimeError("the dev token issuer is refused when STOCKROOM_ENV=production")
    issuer = DevIssuer(settings.data_dir, clock=clock)
    logger.warning(
        "no BETTER_AUTH_URL: trusting the DEV token issuer (key in %s); never use in production",
        settings.data_dir,
    )
    return issuer


async def _key_source(settings: Settings, dev_issuer: DevIssuer | None) -> AsyncIterator[KeySource]:
    if dev_issuer is not None:
        yield StaticJwks(dev_issuer.jwks())
        return
    assert settings.better_auth_url is not None  # noqa: S101 -- no dev issuer implies a URL
    url = settings.better_auth_jwks_url or f"{settings.better_auth_url.rstrip('/')}/api/auth/jwks"
    remote = RemoteJwks(url)
    try:
        yield remote
    finally:
        await remote.aclose()


def _token_verifier(settings: Settings, keys: KeySource, clock: Clock) -> TokenVerifier:
    if settings.better_auth_url:
        origin = _origin(settings.better_auth_url)
        issuer = settings.better_auth_issuer or origin
        audience = settings.better_auth_audience or origin
    else:
        issuer = audience = DEV_ISSUER
    return BetterAuthTokenVerifier(
        keys,
        issuer=issuer,
        audience=audience,
        algorithms=settings.jwt_algorithms,
        leeway=settings.jwt_leeway,
        clock=clock,
    )


def _login_client(settings: Settings) -> LoginClient | None:
    # Without BetterAuth, login answers 503 identity_unavailable (see LogInHandler).
    if not settings.better_auth_url:
        return None
    return BetterAuthLoginClient(
        settings.better_auth_url, forward_client_ip=settings.better_auth_forward_client_ip
    )


def _log_in(client: LoginClient | None, limiter: RateLimiter, settings: Settings) -> LogInHandler:
    return LogInHandler(client, limiter, per_minute=settings.login_rate_limit_per_minute)


def _readiness(
    pool: AsyncConnectionPool[AsyncConnection[Any]],
    migrator: YoyoMigrator,
    clock: Clock,
    settings: Settings,
) -> ReadinessProbe:
    # In production a role that row-level security does not bind is never ready (ADR 0018).
    probe = PostgresReadiness(
        pool, migrator.migration_ids(), require_rls=settings.env == "production"
    )
    # /readyz needs no token and no rate limit: answer it from a result about a second old.
    return CachedReadiness(probe, clock)


# --- bulk import and observability: helpers (import-stock CLI, /metrics) -------------------


def _stock_importer(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> PostgresStockImporter:
    return PostgresStockImporter(pool)


def _pool_stats(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> PostgresPoolStats:
    return PostgresPoolStats(pool)


def _event_signal(uow_factory: PostgresUnitOfWorkFactory) -> EventSignal:
    return uow_factory.event_signal


def _secret_box(settings: Settings) -> FernetSecretBox:
    # Settings refuse production without STOCKROOM_SECRET_KEY; development keeps one on disk.
    return FernetSecretBox(settings.secret_key or development_key(settings.data_dir))


def _destinations(settings: Settings) -> NetworkDestinations:
    return NetworkDestinations(
        https_only=settings.env == "production",
        allow_private=settings.webhooks_may_reach_private_addresses,
    )


async def _webhook_sender() -> AsyncIterator[HttpWebhookSender]:
    sender = HttpWebhookSender()
    try:
        yield sender
    finally:
        await sender.aclose()


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
    database = providers.Resource(_database, settings=settings)
    pool = providers.Resource(_pool, database=database, settings=settings)
    migrator = providers.Singleton(_migrator, database=database)

    # --- ports (adapters) ---------------------------------------------------------------
    clock = providers.Singleton(SystemClock)
    readiness = providers.Singleton(
        _readiness, pool=pool, migrator=migrator, clock=clock, settings=settings
    )
    ids = providers.Singleton(UuidGenerator)
    # Storage: PostgreSQL. Tests and library users may override these two with the
    # in-memory adapters (adapters/memory), which the contract suite proves equal.
    # Single-statement reads share a few pipelined connections (ADR 0023); the rest borrow.
    read_channels = providers.Resource(
        _read_channels, database=database, pool=pool, settings=settings
    )
    uow_factory = providers.Singleton(
        _uow_factory, pool=pool, channels=read_channels, settings=settings
    )
    expired_reservations = providers.Singleton(PostgresExpiredReservations, pool=pool)
    record_purge = providers.Singleton(PostgresRecordPurge, pool=pool)

    # Identity: BetterAuth when BETTER_AUTH_URL is set, else the dev issuer (never in production).
    dev_issuer = providers.Singleton(_dev_issuer, settings=settings, clock=clock)
    key_source = providers.Resource(_key_source, settings=settings, dev_issuer=dev_issuer)
    token_verifier = providers.Singleton(
        _token_verifier, settings=settings, keys=key_source, clock=clock
    )
    login_client = providers.Singleton(_login_client, settings=settings)
    # One fixed-window counter table shared by every API process on the database (ADR 0007).
    # Requests: counted per process, synced with it every 250 ms and on every hit past half the
    # limit. Sign-in attempts: every one counted in the database at once (brute force).
    hit_counter = providers.Singleton(PostgresHitCounter, pool=pool)
    rate_limiter = providers.Singleton(BatchingRateLimiter, counter=hit_counter)
    login_rate_limiter = providers.Singleton(PostgresRateLimiter, pool=pool)

    # The import always runs on PostgreSQL (COPY); ``pool_stats`` feeds the pool gauges.
    stock_importer = providers.Singleton(_stock_importer, pool=pool)
    pool_stats = providers.Singleton(_pool_stats, pool=pool)

    # --- use cases ----------------------------------------------------------------------
    deps = providers.Singleton(Deps, uow=uow_factory, clock=clock, ids=ids)
    log_in = providers.Singleton(
        _log_in, client=login_client, limiter=login_rate_limiter, settings=settings
    )
    # Events: the feed and webhooks (ADR 0021, 0022).
    event_signal = providers.Singleton(_event_signal, uow_factory=uow_factory)
    secret_box = providers.Singleton(_secret_box, settings=settings)
    destinations = providers.Singleton(_destinations, settings=settings)
    webhook_sender = providers.Resource(_webhook_sender)
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
