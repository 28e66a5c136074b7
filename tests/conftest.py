"""Session fixtures: one fresh, migrated database per test run, and a pool on it.

``TEST_DATABASE_URL`` (a role allowed to CREATE DATABASE and CREATE ROLE) selects an existing
server; otherwise an embedded PostgreSQL is started in ``.stockroom/test-pg`` (initdb once,
reused by later runs). Either way each run gets its own ``stockroom_test_<random>`` database,
owned by the owner role and migrated as it, and dropped at the end. Everything else runs as
the app role, as production does (ADR 0018): ``database_url`` is the app role's URL.
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
    as_role,
    drop_database,
    ensure_database,
    ensure_roles,
    with_database,
)
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.pool import build_pool
from adapters.postgres.roles import APP_ROLE, OWNER_ROLE

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
def owner_database_url(admin_database_url: str) -> Iterator[str]:
    """A fresh database for this test run, owned by the owner role, every migration applied:
    its URL as the owner (for what only the owner may do, like migrating)."""
    name = f"stockroom_test_{secrets.token_hex(4)}"
    ensure_roles(admin_database_url)
    ensure_database(admin_database_url, name, owner=OWNER_ROLE)
    url = as_role(with_database(admin_database_url, name), OWNER_ROLE)
    try:
        YoyoMigrator(url).apply()
        yield url
    finally:
        drop_database(admin_database_url, name)


@pytest.fixture(scope="session")
def database_url(owner_database_url: str) -> str:
    """The test database as the app role: no SUPERUSER, no BYPASSRLS, owns nothing."""
    return as_role(owner_database_url, APP_ROLE)


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
