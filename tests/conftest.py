"""Session fixtures: one fresh, migrated database per test run, and a pool on it.

``TEST_DATABASE_URL`` (any role allowed to CREATE DATABASE) selects an existing server;
otherwise an embedded PostgreSQL is started in ``.stockroom/test-pg`` (initdb once, reused
by later runs). Either way each run gets its own ``stockroom_test_<random>`` database,
dropped at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.embedded import (
    ADMIN_DATABASE,
    EmbeddedPostgres,
    drop_database,
    ensure_database,
    with_database,
)
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.pool import build_pool

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_PG_DIR = REPO_ROOT / ".stockroom" / "test-pg"


@pytest.fixture(scope="session")
def admin_database_url() -> Iterator[str]:
    """A URL on the test server with the right to create databases."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = EmbeddedPostgres(TEST_PG_DIR, database=ADMIN_DATABASE)
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def database_url(admin_database_url: str) -> Iterator[str]:
    """A fresh database for this test run, with every migration applied."""
    name = f"stockroom_test_{secrets.token_hex(4)}"
    ensure_database(admin_database_url, name)
    url = with_database(admin_database_url, name)
    try:
        YoyoMigrator(url).apply()
        yield url
    finally:
        drop_database(admin_database_url, name)


@pytest.fixture
def scratch_url(admin_database_url: str) -> Iterator[str]:
    """An empty database of its own (the session database stays fully migrated)."""
    name = f"stockroom_scratch_{secrets.token_hex(4)}"
    ensure_database(admin_database_url, name)
    try:
        yield with_database(admin_database_url, name)
    finally:
        drop_database(admin_database_url, name)


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[AsyncConnection[Any]]]:
    """A pool on the test database, shared by the whole session (one event loop)."""
    pool = build_pool(database_url, min_size=1, max_size=4)
    await pool.open(wait=True)
    try:
        yield pool
    finally:
        await pool.close()
