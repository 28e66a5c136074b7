"""Fixtures of the Postgres-only tests: a wide pool, an org with stock, invariant checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
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
