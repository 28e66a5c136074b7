"""One contract suite, two backends: every test runs on the in-memory adapter and on Postgres.

Each test uses fresh random org ids, so the shared Postgres database needs no truncation.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.memory.expired_reservations import InMemoryExpiredReservations
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from application.ports import ExpiredReservations, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from domain.stock import LevelKey
from tests.contract import builders
from tests.postgres_fixtures import PostgresBackend, postgres_backend


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


@pytest.fixture
def expired_reservations(uow_factory: Any, request: pytest.FixtureRequest) -> ExpiredReservations:
    """The cross-org expiry listing of the same backend."""
    if isinstance(uow_factory, InMemoryUnitOfWorkFactory):
        return InMemoryExpiredReservations(uow_factory.db)
    backend: PostgresBackend = request.getfixturevalue("pg_backend")
    return backend.expired


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
