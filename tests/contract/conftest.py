"""One contract suite, two backends: every test runs on the in-memory adapter and on Postgres.

Each test uses fresh random org ids, so the shared Postgres database needs no truncation.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any, TypeVar

import pytest

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.memory.expired_reservations import InMemoryExpiredReservations
from adapters.memory.importer import InMemoryStockImporter
from adapters.memory.purge import InMemoryRecordPurge
from adapters.memory.rate_limits import InMemoryHitCounter, InMemoryRateLimiter
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from adapters.memory.webhooks import InMemoryWebhookLeases
from adapters.postgres.importer import PostgresStockImporter
from adapters.postgres.purge import PostgresRecordPurge
from adapters.postgres.rate_limiter import PostgresHitCounter, PostgresRateLimiter
from adapters.postgres.webhooks import PostgresWebhookLeases
from adapters.rate_limiting import HitCounter
from application.importing import StockImporter
from application.ports import ExpiredReservations, RateLimiter, RecordPurge, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from application.webhooks.ports import WebhookLeases
from domain.stock import LevelKey
from tests.contract import builders
from tests.postgres_fixtures import PostgresBackend, postgres_backend

T = TypeVar("T")


@pytest.fixture(scope="session")
async def pg_backend(database_url: str) -> AsyncIterator[PostgresBackend]:
    """The Postgres adapters on one pool for the whole session."""
    async with postgres_backend(database_url, max_size=4) as backend:
        yield backend


@pytest.fixture(params=["memory", "postgres"])
def uow_factory(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    """The unit-of-work factory under test (Postgres is only started when selected)."""
    if request.param == "memory":
        return InMemoryUnitOfWorkFactory(InMemoryDatabase())
    backend: PostgresBackend = request.getfixturevalue("pg_backend")
    return backend.uow


def same_backend(
    uow_factory: Any,
    request: pytest.FixtureRequest,
    memory: Callable[[InMemoryDatabase], T],
    postgres: Callable[[PostgresBackend], T],
) -> T:
    """The adapter of the backend ``uow_factory`` runs on: memory's database or Postgres's pool."""
    if isinstance(uow_factory, InMemoryUnitOfWorkFactory):
        return memory(uow_factory.db)
    return postgres(request.getfixturevalue("pg_backend"))


@pytest.fixture
def expired_reservations(uow_factory: Any, request: pytest.FixtureRequest) -> ExpiredReservations:
    """The cross-org expiry listing."""
    return same_backend(uow_factory, request, InMemoryExpiredReservations, lambda pg: pg.expired)


@pytest.fixture
def importer(uow_factory: Any, request: pytest.FixtureRequest) -> StockImporter:
    """The bulk importer."""
    return same_backend(
        uow_factory, request, InMemoryStockImporter, lambda pg: PostgresStockImporter(pg.pool)
    )


@pytest.fixture
def record_purge(uow_factory: Any, request: pytest.FixtureRequest) -> RecordPurge:
    """The cross-org purge."""
    return same_backend(
        uow_factory, request, InMemoryRecordPurge, lambda pg: PostgresRecordPurge(pg.pool)
    )


@pytest.fixture
def webhook_leases(uow_factory: Any, request: pytest.FixtureRequest) -> WebhookLeases:
    """The delivery queue across orgs."""
    return same_backend(
        uow_factory, request, InMemoryWebhookLeases, lambda pg: PostgresWebhookLeases(pg.pool)
    )


@pytest.fixture
def hit_counter(uow_factory: Any, request: pytest.FixtureRequest) -> HitCounter:
    """The shared rate-limit counter (windows are not org data)."""
    return same_backend(
        uow_factory, request, InMemoryHitCounter, lambda pg: PostgresHitCounter(pg.pool)
    )


@pytest.fixture
def rate_limiter(
    uow_factory: Any, clock: ManualClock, request: pytest.FixtureRequest
) -> RateLimiter:
    """The unbatched rate limiter (Postgres aligns its windows on the database clock)."""
    return same_backend(
        uow_factory,
        request,
        lambda db: InMemoryRateLimiter(db, clock),
        lambda pg: PostgresRateLimiter(pg.pool),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def deps(uow_factory: UnitOfWorkFactory, clock: ManualClock) -> Deps:
    return Deps(uow=uow_factory, clock=clock, ids=UuidGenerator())


def new_org() -> str:
    """A fresh org id (BetterAuth ids are opaque strings, not UUIDs)."""
    return f"org_{secrets.token_hex(8)}"


@pytest.fixture
def org() -> str:
    return new_org()


@pytest.fixture
def admin(org: str) -> Principal:
    return Principal.from_claims(user_id="user_admin", org_id=org, raw_role="admin")


@pytest.fixture
async def key(deps: Deps, admin: Principal) -> LevelKey:
    """A level of a new item at a new location of the org, never stocked."""
    item = await builders.item(deps, admin)
    location = await builders.location(deps, admin)
    return LevelKey(item.id, location.id)


# Sets a level's stored on_hand and version as no client ever could (numeric limits).
BIND_ORG = "SELECT set_config('app.org_id', %(org_id)s, true)"
FORCE_LEVEL = """
UPDATE stock_levels SET on_hand = %(on_hand)s, version = %(version)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
"""


@pytest.fixture
def force_level(uow_factory: Any, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``await force_level(org, key, on_hand=..., version=...)`` on the backend under test."""

    async def in_memory(org: str, key: LevelKey, *, on_hand: int, version: int) -> None:
        state = uow_factory.db.orgs[org]
        state.levels[key] = replace(state.levels[key], on_hand=on_hand, version=version)

    async def in_postgres(org: str, key: LevelKey, *, on_hand: int, version: int) -> None:
        backend: PostgresBackend = request.getfixturevalue("pg_backend")
        params = {"org_id": org, "item_id": key.item_id, "location_id": key.location_id}
        async with backend.pool.connection() as conn:  # one transaction: the org stays bound
            await conn.execute(BIND_ORG, params)
            await conn.execute(FORCE_LEVEL, {**params, "on_hand": on_hand, "version": version})

    return in_memory if isinstance(uow_factory, InMemoryUnitOfWorkFactory) else in_postgres
