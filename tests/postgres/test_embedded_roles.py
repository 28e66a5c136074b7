"""The embedded default creates both roles: the owner migrates and owns, the app role serves."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import AsyncConnection, sql

from adapters.postgres.embedded import (
    ADMIN_DATABASE,
    EmbeddedPostgres,
    drop_database,
    with_database,
)
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.roles import APP_ROLE, OWNER_ROLE, rls_bypass
from tests.conftest import TEST_PG_DIR

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="only the embedded server provisions roles"
)
OWNERS = """
SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
"""


@pytest.fixture
def name(admin_database_url: str) -> Iterator[str]:
    """A database name of its own on the test server, dropped afterwards."""
    name = f"stockroom_embedded_{secrets.token_hex(4)}"
    yield name
    drop_database(admin_database_url, name)


def owners(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute(OWNERS).fetchall()}


async def bypass_as(url: str) -> tuple[str | None, str | None]:
    async with await AsyncConnection.connect(url) as conn:
        row = await (await conn.execute("SELECT current_user")).fetchone()
        return (row[0] if row else None), await rls_bypass(conn)


def test_the_owner_migrates_and_owns_and_the_app_role_is_bound(name: str) -> None:
    server = EmbeddedPostgres(TEST_PG_DIR, database=name)
    server.start()  # the session's server: never stopped here (it counts handles per process)
    YoyoMigrator(server.owner_url).apply()
    served_as = asyncio.run(bypass_as(server.app_url))
    owned_by = owners(server.url)

    assert served_as == (APP_ROLE, None)
    assert owned_by == {OWNER_ROLE}


def test_a_database_the_superuser_made_before_is_handed_to_the_owner(
    admin_database_url: str, name: str
) -> None:
    with psycopg.connect(admin_database_url, autocommit=True) as conn:  # as releases before did
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(with_database(admin_database_url, name)) as conn:
        conn.execute("CREATE TABLE legacy (id int)")
    assert owners(with_database(admin_database_url, name)) != {OWNER_ROLE}

    server = EmbeddedPostgres(TEST_PG_DIR, database=name)
    server.start()
    owned_by = owners(server.url)

    assert owned_by == {OWNER_ROLE}
    assert name != ADMIN_DATABASE


def test_a_serial_column_s_sequence_follows_its_table_to_the_owner(
    admin_database_url: str, name: str
) -> None:
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(with_database(admin_database_url, name)) as conn:
        conn.execute("CREATE TABLE legacy (seq bigserial, id int GENERATED ALWAYS AS IDENTITY)")

    server = EmbeddedPostgres(TEST_PG_DIR, database=name)
    server.start()  # raised "cannot change owner of sequence" before sequences followed tables
    with psycopg.connect(server.url) as conn:
        sequence_owners = {
            row[0]
            for row in conn.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class"
                " WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'"
            ).fetchall()
        }

    assert sequence_owners == {OWNER_ROLE}
