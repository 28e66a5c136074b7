"""Fixtures of the Postgres-only tests: a wide pool, an org with stock, invariant checks."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres.embedded import drop_database, ensure_database, with_database
from application.use_cases.base import Deps
from tests.postgres_fixtures import PostgresBackend, postgres_backend


@pytest.fixture(scope="module")
async def wide_backend(database_url: str) -> AsyncIterator[PostgresBackend]:
    """Real parallel connections: a pool of 16."""
    async with postgres_backend(database_url, max_size=16, checkout_timeout=30.0) as backend:
        yield backend


@pytest.fixture
def wide_deps(wide_backend: PostgresBackend) -> Deps:
    return Deps(uow=wide_backend.uow, clock=SystemClock(), ids=UuidGenerator())


@pytest.fixture(scope="module")
async def wide_deps_module(wide_backend: PostgresBackend) -> Deps:
    """Use-case dependencies for module-scoped data."""
    return Deps(uow=wide_backend.uow, clock=SystemClock(), ids=UuidGenerator())


@pytest.fixture
def scratch_url(admin_database_url: str) -> Iterator[str]:
    """An empty database of its own (the session database stays fully migrated)."""
    name = f"stockroom_scratch_{secrets.token_hex(4)}"
    ensure_database(admin_database_url, name)
    try:
        yield with_database(admin_database_url, name)
    finally:
        drop_database(admin_database_url, name)
