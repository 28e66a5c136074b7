"""What each of the container's providers builds (entrypoints/container.py wires them).

Plain functions and generators, one per provider that needs more than a constructor call:
starting the embedded database, opening the pool and the read channels, choosing the identity
adapters from the settings. With the container, the only module that imports adapters.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.betterauth.dev_issuer import DEV_ISSUER, DevIssuer
from adapters.betterauth.jwks import KeySource, RemoteJwks, StaticJwks
from adapters.betterauth.login import BetterAuthLoginClient
from adapters.betterauth.verifier import BetterAuthTokenVerifier
from adapters.postgres.channels import ReadChannels
from adapters.postgres.embedded import EmbeddedPostgres
from adapters.postgres.importer import PostgresStockImporter
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.observability import PostgresPoolStats
from adapters.postgres.pool import build_pool
from adapters.postgres.readiness import PostgresReadiness
from adapters.postgres.repository import Waits
from adapters.postgres.uow import PostgresUnitOfWorkFactory
from adapters.webhooks.destinations import NetworkDestinations
from adapters.webhooks.secret_box import FernetSecretBox, development_key
from adapters.webhooks.sender import HttpWebhookSender
from application.ports import Clock, EventSignal, LoginClient, RateLimiter, TokenVerifier
from application.readiness import CachedReadiness, ReadinessProbe
from application.use_cases.log_in import LogInHandler
from entrypoints.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Database:
    """Where the data lives: the app's (possibly pooled) URL and the direct one for migrations."""

    url: str
    direct_url: str
    embedded: bool


async def database(settings: Settings) -> AsyncIterator[Database]:
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


async def pool(
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


async def read_channels(
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


def uow_factory(
    pool: AsyncConnectionPool[AsyncConnection[Any]],
    channels: ReadChannels | None,
    settings: Settings,
) -> PostgresUnitOfWorkFactory:
    waits = Waits(settings.lock_timeout_ms, settings.statement_timeout_ms)
    return PostgresUnitOfWorkFactory(pool, waits=waits, channels=channels)


def migrator(database: Database) -> YoyoMigrator:
    return YoyoMigrator(database.direct_url)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def dev_issuer(settings: Settings, clock: Clock) -> DevIssuer | None:
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


async def key_source(settings: Settings, dev_issuer: DevIssuer | None) -> AsyncIterator[KeySource]:
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


def token_verifier(settings: Settings, keys: KeySource, clock: Clock) -> TokenVerifier:
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


def login_client(settings: Settings) -> LoginClient | None:
    # Without BetterAuth, login answers 503 identity_unavailable (see LogInHandler).
    if not settings.better_auth_url:
        return None
    return BetterAuthLoginClient(
        settings.better_auth_url, forward_client_ip=settings.better_auth_forward_client_ip
    )


def log_in(client: LoginClient | None, limiter: RateLimiter, settings: Settings) -> LogInHandler:
    return LogInHandler(client, limiter, per_minute=settings.login_rate_limit_per_minute)


def readiness(
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


# Bulk import and observability (import-stock CLI, /metrics), events and webhooks.


def stock_importer(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> PostgresStockImporter:
    return PostgresStockImporter(pool)


def pool_stats(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> PostgresPoolStats:
    return PostgresPoolStats(pool)


def event_signal(uow_factory: PostgresUnitOfWorkFactory) -> EventSignal:
    return uow_factory.event_signal


def secret_box(settings: Settings) -> FernetSecretBox:
    # Settings refuse production without STOCKROOM_SECRET_KEY; development keeps one on disk.
    return FernetSecretBox(settings.secret_key or development_key(settings.data_dir))


def destinations(settings: Settings) -> NetworkDestinations:
    return NetworkDestinations(
        https_only=settings.env == "production",
        allow_private=settings.webhooks_may_reach_private_addresses,
    )


async def webhook_sender(
    destinations: NetworkDestinations,
) -> AsyncIterator[HttpWebhookSender]:
    sender = HttpWebhookSender(destinations)
    try:
        yield sender
    finally:
        await sender.aclose()
