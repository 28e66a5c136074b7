"""What every Postgres repository shares: the unit of work's session, bound to one org."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

from psycopg import AsyncConnection, pq, sql

from adapters.postgres.channels import ChannelLost, ReadChannels
from adapters.postgres.errors import UNAVAILABLE
from adapters.postgres.wire import Call, Compiled, Fetch, compile_text, fly

Row = dict[str, Any]
Rows = list[Row]
# Only constant text or psycopg.sql compositions of constants: no string-built SQL.
SqlText = LiteralString | sql.SQL | sql.Composed
Statement = SqlText | Compiled

# Transaction-local (is_local = true): nothing leaks to the next user of a pooled connection,
# which is what a transaction-mode pooler (Neon, PgBouncer) requires. Row-level security reads
# app.org_id; the two timeouts bound how long this transaction waits on locks and statements.
BIND_ORG = """
SELECT set_config('app.org_id', %(org_id)s, true),
       set_config('lock_timeout', %(lock_timeout)s, true),
       set_config('statement_timeout', %(statement_timeout)s, true)
"""
BEGIN = compile_text(b"BEGIN")
COMMIT = compile_text(b"COMMIT")
ROLLBACK = compile_text(b"ROLLBACK")
_IN_TRANSACTION = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)

Reconnect = Callable[[], Awaitable[AsyncConnection[Any]]]


@dataclass(frozen=True, slots=True)
class Waits:
    """How long one transaction may wait on a row lock and run one statement (milliseconds;
    0 disables the bound). Past either, the statement fails and the request answers 503."""

    lock_timeout_ms: int = 2000
    statement_timeout_ms: int = 15000


def compiled(statement: Statement) -> Compiled:
    """The wire form of a statement (cached: statements are constants)."""
    if isinstance(statement, Compiled):
        return statement
    if isinstance(statement, str):
        return compile_text(statement.encode())
    return _compiled_composition(statement)


def _compiled_composition(statement: sql.Composable) -> Compiled:
    # Compositions are module constants or built once per filter combination (cached), so the
    # object itself is the key; rendering one costs more than the rest of a statement's trip.
    cached = _COMPOSITIONS.get(id(statement))
    if cached is not None and cached[0] is statement:
        return cached[1]
    result = compile_text(statement.as_bytes(None))
    if len(_COMPOSITIONS) < _MAX_COMPOSITIONS:
        _COMPOSITIONS[id(statement)] = (statement, result)  # keeps it alive: ids stay unique
    return result


_MAX_COMPOSITIONS = 512
_COMPOSITIONS: dict[int, tuple[sql.Composable, Compiled]] = {}


_BIND = compile_text(BIND_ORG.encode())
# The same, for a read flight whose statements are all marked generic (ADR 0039): local to the
# flight's implicit transaction, like the rest of the binding.
_BIND_GENERIC = compile_text(
    BIND_ORG.rstrip().encode()
    + b",\n       set_config('plan_cache_mode', 'force_generic_plan', true)"
)


class Session:
    """One connection and one org, for one unit of work.

    A write session opens its transaction with its first statement: BEGIN, the org binding and
    that statement travel in one flight (one round trip). A read-only session never opens one:
    each statement flies with the org binding and forms an implicit transaction of its own, so
    the binding holds for exactly that statement.
    """

    def __init__(
        self,
        conn: AsyncConnection[Any],
        org_id: str,
        *,
        read_only: bool = False,
        reconnect: Reconnect | None = None,
        prepare: bool = True,
        waits: Waits | None = None,
        max_replays: int = 1,
    ) -> None:
        waits = waits or Waits()
        self.max_replays = max_replays
        self.conn = conn
        self.org_id = org_id
        self.read_only = read_only
        self.prepare = prepare
        self._reconnect = reconnect
        self._deferred: list[Call] = []  # writes whose results nobody reads: next flight
        self._binding = {
            "org_id": org_id,
            "lock_timeout": f"{waits.lock_timeout_ms}ms",
            "statement_timeout": f"{waits.statement_timeout_ms}ms",
        }

    @property
    def in_transaction(self) -> bool:
        """True between the first statement of a write session and its commit or rollback."""
        return self.conn.pgconn.transaction_status in _IN_TRANSACTION

    async def ready(self) -> AsyncConnection[Any]:
        """The connection inside a transaction bound to the org, for psycopg's own API (COPY)."""
        if not self.in_transaction or self._deferred:
            await fly(self.conn, self._flight([]), prepare=self.prepare)
        return self.conn

    async def execute(self, query: Statement, params: dict[str, Any], fetch: Fetch) -> Any:
        """Run one statement in the org-bound transaction and fetch its rows.

        If the connection is lost on the first statement of a transaction, nothing of it can
        have committed, so it is replayed on a fresh connection: what a suspended Neon
        compute or a restarted server looks like (docs/design.md §7, ADR 0010). Later
        statements are never replayed.
        """
        return (await self.execute_many([(query, params, fetch)]))[-1]

    async def execute_many(
        self, statements: Sequence[tuple[Statement, dict[str, Any], Fetch]]
    ) -> list[Any]:
        """Run several statements in one flight (one round trip), in order; return what each
        fetched. Replayed on a lost connection as ``execute`` is."""
        first = not self.in_transaction
        mine = _calls(statements)
        calls = self._flight(mine)
        replays = 0
        while True:
            try:
                results = await fly(self.conn, calls, prepare=self.prepare)
            except UNAVAILABLE:
                # After a server restart every idle connection is dead, and recently used
                # ones are not probed: each replay discards one, so allow one per connection.
                if not first or self._reconnect is None or not self.conn.closed:
                    raise
                if replays >= self.max_replays:
                    raise
                replays += 1
                self.conn = await self._reconnect()
                continue
            return results[len(results) - len(mine) :]

    async def execute_and_commit(
        self, statements: Sequence[tuple[Statement, dict[str, Any], Fetch]]
    ) -> list[Any]:
        """Run several statements and COMMIT in one flight (ADR 0036); return what each
        fetched. Never replayed: a connection lost during this flight may have been lost after
        the server committed, so the loss is raised (the request answers 503) rather than
        risk writing twice."""
        if self.read_only:
            raise RuntimeError("a read-only session cannot commit")
        mine = _calls(statements)
        flight = self._flight([*mine, Call(COMMIT, {}, "none")], whole_transaction=True)
        results = await fly(self.conn, flight, prepare=self.prepare)
        return results[len(results) - len(mine) - 1 : -1]

    def defer(self, query: Statement, params: dict[str, Any]) -> None:
        """Queue a write whose result nobody reads; it travels with the next statement or
        the commit, in order. Its failure fails that flight, so nothing half-applies."""
        if self.read_only:
            raise RuntimeError("a read-only session cannot write")
        self._deferred.append(Call(compiled(query), params, "none"))

    async def commit(self) -> None:
        """Commit the open transaction, with any deferred writes (nothing to do if none ran)."""
        if self.in_transaction or self._deferred:
            await fly(self.conn, self._flight([Call(COMMIT, {}, "none")]), prepare=self.prepare)

    async def rollback(self) -> None:
        """Roll back the open transaction, if any (deferred writes are dropped)."""
        self._deferred.clear()
        if not self.conn.closed and self.in_transaction:
            await fly(self.conn, [Call(ROLLBACK, {}, "none")], prepare=self.prepare)

    def _flight(self, calls: list[Call], *, whole_transaction: bool = False) -> list[Call]:
        """``calls`` behind whatever must go first: the transaction's opening, deferred writes.
        ``whole_transaction``: the flight also ends the transaction (it carries the COMMIT)."""
        opening: list[Call] = []
        deferred, self._deferred = self._deferred, []
        if not self.in_transaction:
            # A transaction that is this one flight, of statements all marked generic, runs
            # them on their generic plans (ADR 0039); the setting ends with the transaction.
            generic = (
                whole_transaction
                and self.prepare
                and all(c.statement.generic or c.statement is COMMIT for c in [*deferred, *calls])
            )
            bind = Call(_BIND_GENERIC if generic else _BIND, self._binding, "none", recurring=True)
            opening = [bind] if self.read_only else [Call(BEGIN, {}, "none"), bind]
        return [*opening, *deferred, *calls]


def _calls(statements: Sequence[tuple[Statement, dict[str, Any], Fetch]]) -> list[Call]:
    return [Call(compiled(query), params, fetch) for query, params, fetch in statements]


class Repository:
    """Runs parameterised statements in the session's transaction; ``org_id`` is always bound
    as ``%(org_id)s`` (row-level security checks it again). Never commits."""

    def __init__(self, session: Session | ChannelSession) -> None:
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

    async def _many(
        self, statements: Sequence[tuple[Statement, dict[str, Any] | None, Fetch]]
    ) -> list[Any]:
        """Several statements in one flight, each with ``org_id`` bound; what each fetched."""
        return await self._session.execute_many(
            [(query, self._params(params), fetch) for query, params, fetch in statements]
        )

    def _defer(self, query: Statement, params: dict[str, Any] | None = None) -> None:
        """A write nobody reads the result of: it flies with the next statement or commit."""
        self._session.defer(query, self._params(params))


def utc(moment: datetime) -> datetime:
    """Timestamps leave the adapter in UTC whatever the session TimeZone (cursor keys use them)."""
    return moment.astimezone(UTC)


class ChannelSession:
    """A read-only session whose statements fly on the shared read channels (ADR 0023): each
    with the org binding, as its own implicit transaction, on no connection of its own."""

    read_only = True
    in_transaction = False

    def __init__(
        self, channels: ReadChannels, org_id: str, *, prepare: bool, waits: Waits | None = None
    ) -> None:
        waits = waits or Waits()
        self.org_id = org_id
        self._channels = channels
        self._prepare = prepare
        binding = {
            "org_id": org_id,
            "lock_timeout": f"{waits.lock_timeout_ms}ms",
            "statement_timeout": f"{waits.statement_timeout_ms}ms",
        }
        self._bind = Call(_BIND, binding, "none", recurring=True)
        self._bind_generic = Call(_BIND_GENERIC, binding, "none", recurring=True)

    async def execute(self, query: Statement, params: dict[str, Any], fetch: Fetch) -> Any:
        """Run one read; if its channel's connection was lost, once more on a fresh one."""
        return (await self.execute_many([(query, params, fetch)]))[-1]

    async def execute_many(
        self, statements: Sequence[tuple[Statement, dict[str, Any], Fetch]]
    ) -> list[Any]:
        """Several reads in one flight, each with the org binding before them all."""
        reads = [Call(compiled(q), p, f) for q, p, f in statements]
        generic = self._prepare and all(call.statement.generic for call in reads)
        calls = [self._bind_generic if generic else self._bind, *reads]
        try:
            results = await self._channels.run(calls, prepare=self._prepare)
        except ChannelLost:
            results = await self._channels.run(calls, prepare=self._prepare)
        return results[1:]

    def defer(self, query: Statement, params: dict[str, Any]) -> None:
        raise RuntimeError("a read-only session cannot write")
