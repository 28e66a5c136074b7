"""What every Postgres repository shares: the unit of work's session, bound to one org."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal, LiteralString

from psycopg import AsyncConnection, AsyncCursor, sql
from psycopg.rows import dict_row

from adapters.postgres.errors import UNAVAILABLE

Row = dict[str, Any]
Rows = list[Row]
# Only constant text or psycopg.sql compositions of constants: no string-built SQL.
Statement = LiteralString | sql.SQL | sql.Composed

# Transaction-local (is_local = true): nothing leaks to the next user of a pooled connection,
# which is what a transaction-mode pooler (Neon, PgBouncer) requires. Row-level security reads it.
BIND_ORG = "SELECT set_config('app.org_id', %(org_id)s, true)"


Fetch = Literal["all", "one", "none"]
Reconnect = Callable[[], Awaitable[AsyncConnection[Any]]]


class Session:
    """One connection and one org. The org is bound to each transaction by its first
    statement, so a unit of work that ends right after ``commit`` opens no new one."""

    def __init__(
        self,
        conn: AsyncConnection[Any],
        org_id: str,
        *,
        read_only: bool = False,
        reconnect: Reconnect | None = None,
    ) -> None:
        self.conn = conn
        self.org_id = org_id
        self.bound = False
        # Read-only sessions run on an autocommit connection: each statement travels in one
        # pipeline with the org binding, and everything up to the pipeline's Sync is one
        # implicit transaction, so the binding holds for that statement and no longer.
        self.read_only = read_only
        self._reconnect = reconnect

    async def ready(self) -> AsyncConnection[Any]:
        """The connection, inside a transaction bound to the org (for COPY and the like)."""
        if not self.bound:
            await self.conn.execute(BIND_ORG, {"org_id": self.org_id})
            self.bound = True
        return self.conn

    async def execute(self, query: Statement, params: dict[str, Any], fetch: Fetch) -> Any:
        """Run one statement in the org-bound transaction and fetch its rows.

        The first statement of a transaction travels in one pipeline with BEGIN and the org
        binding (one round trip instead of three). If the connection is lost on that first
        statement, nothing of the transaction can have committed, so it is replayed once on
        a fresh connection: what a suspended Neon compute or a restarted server looks like
        (docs/design.md §7, ADR 0010). Later statements are never replayed.
        """
        try:
            return await self._execute(query, params, fetch)
        except UNAVAILABLE:
            if self.bound or self._reconnect is None:
                raise
            self.conn = await self._reconnect()
            return await self._execute(query, params, fetch)

    async def _execute(self, query: Statement, params: dict[str, Any], fetch: Fetch) -> Any:
        async with self.conn.cursor(row_factory=dict_row) as cur:
            if self.bound:
                await cur.execute(query, params)
                return await _fetch(cur, fetch)
            async with self.conn.pipeline():
                await cur.execute(BIND_ORG, {"org_id": self.org_id})
                await cur.execute(query, params)
                rows = await _fetch(cur, fetch)
            self.bound = not self.read_only
            return rows


async def _fetch(cur: AsyncCursor[Row], fetch: Fetch) -> Any:
    if fetch == "all":
        return await cur.fetchall()
    if fetch == "one":
        return await cur.fetchone()
    return None


class Repository:
    """Runs parameterised statements in the session's transaction; ``org_id`` is always bound
    as ``%(org_id)s`` (row-level security checks it again). Never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _params(self, params: dict[str, Any] | None) -> dict[str, Any]:
        return {"org_id": self._session.org_id, **(params or {})}

    async def _all(self, query: Statement, params: dict[str, Any] | None = None) -> Rows:
        rows: Rows = await self._session.execute(query, self._params(params), "all")
        return rows

    async def _one(self, query: Statement, params: dict[str, Any] | None = None) -> Row | None:
        row: Row | None = await self._session.execute(query, self._params(params), "one")
        return row

    async def _run(self, query: Statement, params: dict[str, Any] | None = None) -> None:
        await self._session.execute(query, self._params(params), "none")


def utc(moment: datetime) -> datetime:
    """Timestamps leave the adapter in UTC whatever the session TimeZone (cursor keys use them)."""
    return moment.astimezone(UTC)
