"""What every Postgres repository shares: the unit of work's session, bound to one org."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, LiteralString

from psycopg import AsyncConnection, AsyncCursor, sql
from psycopg.rows import dict_row

Row = dict[str, Any]
Rows = list[Row]
# Only constant text or psycopg.sql compositions of constants: no string-built SQL.
Statement = LiteralString | sql.SQL | sql.Composed

# Transaction-local (is_local = true): nothing leaks to the next user of a pooled connection,
# which is what a transaction-mode pooler (Neon, PgBouncer) requires. Row-level security reads it.
BIND_ORG = "SELECT set_config('app.org_id', %(org_id)s, true)"


class Session:
    """One connection and one org. The org is bound to each transaction by its first
    statement, so a unit of work that ends right after ``commit`` opens no new one."""

    def __init__(self, conn: AsyncConnection[Any], org_id: str, *, read_only: bool = False) -> None:
        self.conn = conn
        self.org_id = org_id
        self.bound = False
        # Read-only sessions run on an autocommit connection: each statement travels in one
        # pipeline with the org binding, and everything up to the pipeline's Sync is one
        # implicit transaction, so the binding holds for that statement and no longer.
        self.read_only = read_only

    async def ready(self) -> AsyncConnection[Any]:
        """The connection, inside a transaction bound to the org (for COPY and the like)."""
        if not self.bound:
            await self.conn.execute(BIND_ORG, {"org_id": self.org_id})
            self.bound = True
        return self.conn

    @asynccontextmanager
    async def first(self, cur: AsyncCursor[Any]) -> AsyncIterator[None]:
        """Run the block's statement in a bound transaction. The first statement of a
        transaction travels in one pipeline with BEGIN and the org binding: one round trip
        instead of three."""
        if self.bound:
            yield
            return
        async with self.conn.pipeline():
            await cur.execute(BIND_ORG, {"org_id": self.org_id})
            yield
        self.bound = not self.read_only


class Repository:
    """Runs parameterised statements in the session's transaction; ``org_id`` is always bound
    as ``%(org_id)s`` (row-level security checks it again). Never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def _all(self, query: Statement, params: dict[str, Any] | None = None) -> Rows:
        session = self._session
        async with session.conn.cursor(row_factory=dict_row) as cur, session.first(cur):
            await cur.execute(query, {"org_id": session.org_id, **(params or {})})
            return await cur.fetchall()

    async def _one(self, query: Statement, params: dict[str, Any] | None = None) -> Row | None:
        session = self._session
        async with session.conn.cursor(row_factory=dict_row) as cur, session.first(cur):
            await cur.execute(query, {"org_id": session.org_id, **(params or {})})
            return await cur.fetchone()

    async def _run(self, query: Statement, params: dict[str, Any] | None = None) -> None:
        session = self._session
        async with session.conn.cursor() as cur, session.first(cur):
            await cur.execute(query, {"org_id": session.org_id, **(params or {})})


def utc(moment: datetime) -> datetime:
    """Timestamps leave the adapter in UTC whatever the session TimeZone (cursor keys use them)."""
    return moment.astimezone(UTC)
