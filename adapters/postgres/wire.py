"""Statements sent straight through libpq: one flight (a pipeline ending in one Sync), one wait.

psycopg's cursors do a lot per statement that a service running the same few statements all
day does not need: a cursor object, a generator per operation, a timer per wait, autocommit
bookkeeping. Measured on one read (ADR 0012): 76 us of Python CPU through a cursor, 204 us
through ``conn.pipeline()``, 18 us here. This module keeps psycopg for everything it does well
(connections, the pool, libpq bindings, type adaptation, error classes) and replaces only the
per-statement orchestration: it converts ``%(name)s`` placeholders once per statement, dumps
parameters with psycopg's Transformer, sends every statement of a flight in pipeline mode
(prepared on direct connections), waits on the socket, and loads rows with psycopg's loaders.

A flight is all-or-nothing on the wire: statements after a failed one are skipped by the
server (the transaction is then aborted), and the first error is raised after the Sync.
Cancelled or broken mid-flight, the connection is closed, so the pool replaces it rather
than hand out a connection whose protocol state is unknown.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from uuid import UUID
from weakref import WeakKeyDictionary

import psycopg
from psycopg import AsyncConnection, pq, sql
from psycopg.adapt import PyFormat, Transformer
from psycopg.errors import error_from_result

Fetch = Literal["all", "one", "none"]
Row = dict[str, Any]

_PLACEHOLDER = re.compile(rb"%\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)s|%%|%")
_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK, pq.ExecStatus.EMPTY_QUERY)
_BINARY = pq.Format.BINARY


@dataclass(frozen=True, slots=True)
class Compiled:
    """A statement in PostgreSQL's own form: ``$n`` placeholders and the names they take;
    ``source`` is the ``%(name)s`` text it came from (for tools such as bench/explain.py)."""

    text: bytes
    names: tuple[str, ...]
    source: bytes = b""
    # Its best plan is the same whatever the parameters (a key lookup): run it on the cached
    # generic plan rather than let PostgreSQL plan it again per execution (ADR 0039).
    generic: bool = False


def generic_plan(statement: Compiled) -> Compiled:
    """``statement`` marked to run on its generic plan where it is prepared."""
    return dataclasses.replace(statement, generic=True)


@lru_cache(maxsize=1024)
def compile_text(query: bytes) -> Compiled:
    """Convert ``%(name)s`` placeholders to ``$n`` (a repeated name reuses its number)."""
    names: list[str] = []

    def replace(match: re.Match[bytes]) -> bytes:
        token = match.group(0)
        if token == b"%%":
            return b"%"
        name = match.group("name")
        if name is None:
            raise ValueError("only %(name)s placeholders are supported")
        text = name.decode()
        if text not in names:
            names.append(text)
        return b"$%d" % (names.index(text) + 1)

    return Compiled(_PLACEHOLDER.sub(replace, query), tuple(names), query)


def compile_statement(statement: str | sql.Composable) -> Compiled:
    """The compiled form of a constant string or a psycopg.sql composition."""
    if isinstance(statement, str):
        return compile_text(statement.encode())
    return compile_text(statement.as_bytes(None))


@dataclass(frozen=True, slots=True)
class Call:
    """One statement of a flight, its parameters and what to fetch from it."""

    statement: Compiled
    params: Mapping[str, Any]
    fetch: Fetch = "all"
    # The same parameters recur (the org binding: one org, the same bounds): their encoded
    # form is kept per connection rather than dumped again for every flight. Their values
    # must be hashable.
    recurring: bool = False


class ConnectionState:
    """What the wire remembers per connection: its transformer and prepared statements."""

    __slots__ = ("dumped", "names", "next_name", "prepared", "transformer")

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self.transformer = Transformer.from_context(conn)
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self.names: dict[Compiled, list[str]] = {}  # column names of each statement's rows
        self.next_name = 0  # never reused: a forgotten name may still exist on the server
        # Encoded parameters of recurring calls, by statement and values (bounded).
        self.dumped: dict[tuple[Any, ...], tuple[Any, tuple[int, ...], Any]] = {}


_STATES: WeakKeyDictionary[AsyncConnection[Any], ConnectionState] = WeakKeyDictionary()


def _state(conn: AsyncConnection[Any]) -> ConnectionState:
    state = _STATES.get(conn)
    if state is None:
        state = _STATES[conn] = ConnectionState(conn)
    return state


async def fly(
    conn: AsyncConnection[Any], calls: Sequence[Call], *, prepare: bool = True
) -> list[Any]:
    """Run ``calls`` in one flight and return each one's fetched rows (list, row or None).

    ``prepare``: use named prepared statements (off behind a transaction pooler, where the
    next flight may reach another server connection).
    """
    pgconn = conn.pgconn
    state = _state(conn)
    done = False
    pgconn.enter_pipeline_mode()
    try:
        # In send order, what each command is: a PREPARE (its cache key) or a call (None).
        commands: list[Any] = []
        for call in calls:
            key = send_call(pgconn, state, call, prepare)
            if key is not None:
                commands.append(key)
            commands.append(None)
        pgconn.pipeline_sync()
        while pgconn.flush() != 0:
            await _wait(pgconn.socket, reading=False)
        results, error = await _collect(conn, pgconn, state, commands)
        done = True
    finally:
        if done:
            pgconn.exit_pipeline_mode()
        else:
            # Cancelled or failed mid-flight: results may still be on the wire. Nobody can
            # use this connection safely again; closing it makes the pool replace it.
            pgconn.finish()
    if error is not None:
        raise error
    return [result_rows(state, call, result) for result, call in zip(results, calls, strict=True)]


async def _collect(
    conn: AsyncConnection[Any], pgconn: Any, state: ConnectionState, commands: list[Any]
) -> tuple[list[Any], psycopg.Error | None]:
    """Read every command's result up to the Sync; return them and the flight's first error.

    Each command yields one result and then a NULL; the Sync yields its own marker."""
    results: list[Any] = []
    error: psycopg.Error | None = None
    pending = iter(commands)
    command: Any = next(pending)
    expect_end = False  # the NULL after a command's result is next
    while True:
        if pgconn.is_busy():
            await _wait(pgconn.socket, reading=True)
            pgconn.consume_input()
            continue
        result = pgconn.get_result()
        if expect_end:
            if result is not None:
                raise psycopg.InternalError("a statement returned more than one result")
            expect_end = False
            command = next(pending, _SYNC)
            continue
        if result is None:
            raise psycopg.InternalError("the flight ended early")
        status = result.status
        if command is _SYNC:
            if status != pq.ExecStatus.PIPELINE_SYNC:
                raise psycopg.InternalError(
                    f"expected the end of the flight, got {pq.ExecStatus(status).name}"
                )
            break
        expect_end = True
        if status == pq.ExecStatus.FATAL_ERROR and error is None:
            error = error_from_result(result, encoding=conn.info.encoding)
        if command is not None:  # a PREPARE: remember it only if the server has it
            if status != pq.ExecStatus.COMMAND_OK:
                state.prepared.pop(command, None)
        elif status in _OK:
            results.append(result)
        elif status in (pq.ExecStatus.PIPELINE_ABORTED, pq.ExecStatus.FATAL_ERROR):
            results.append(None)
        else:
            raise psycopg.InternalError(f"unexpected result status {pq.ExecStatus(status).name}")
    if error is not None:
        _forget_prepared_after(state, error)
    return results, error


_SYNC = object()


def send_call(pgconn: Any, state: ConnectionState, call: Call, prepare: bool) -> Any:
    """Queue one call; return the prepared-statement key when a PREPARE went with it."""
    statement = call.statement
    if call.recurring:
        params, types, formats = _recurring(state, call)
    else:
        params, types, formats = _dumped(state, call)
    if not prepare:
        pgconn.send_query_params(statement.text, params, types, formats, _BINARY)
        return None
    key = (statement.text, types)
    name = state.prepared.get(key)
    if name is not None:
        pgconn.send_query_prepared(name, params, formats, _BINARY)
        return None
    name = b"sr%d" % state.next_name
    state.next_name += 1
    state.prepared[key] = name
    pgconn.send_prepare(name, statement.text, types)
    pgconn.send_query_prepared(name, params, formats, _BINARY)
    return key


def _dumped(state: ConnectionState, call: Call) -> tuple[Any, tuple[int, ...], Any]:
    """The call's parameters encoded for the wire: values, type oids, formats."""
    tx = state.transformer
    values = [call.params[name] for name in call.statement.names]
    if not values:
        return tx.dump_sequence(values, []), (), None
    # Array literals only where a list was passed: most calls have none and skip the scan.
    literals = [_array_literal(value) for value in values] if list in map(type, values) else None
    if literals is not None:
        values = [
            None if literal is not None else v for v, literal in zip(values, literals, strict=True)
        ]
    params = tx.dump_sequence(values, [PyFormat.AUTO] * len(values))
    types, formats = tuple(tx.types or ()), list(tx.formats or ())
    if literals is not None and any(literal is not None for literal in literals):
        params, types, formats = _with_literals(params, types, formats, literals)
    return params, types, formats


MAX_RECURRING = 256  # distinct recurring parameter sets kept per connection


def _recurring(state: ConnectionState, call: Call) -> tuple[Any, tuple[int, ...], Any]:
    key = (call.statement.text, *(call.params[name] for name in call.statement.names))
    dumped = state.dumped.get(key)
    if dumped is None:
        if len(state.dumped) >= MAX_RECURRING:
            state.dumped.clear()
        dumped = state.dumped[key] = _dumped(state, call)
    return dumped


def _array_literal(value: Any) -> bytes | None:
    """A non-empty list of UUIDs or of ints as an array literal (``{a,b}``), else None.

    psycopg dumps lists element by element in Python; the units of work send several such
    arrays per write (lines, events), and that was a quarter of a reservation's CPU (ADR 0023).
    UUIDs and ints need no quoting, so their literal is a join; the statement casts it
    (``::uuid[]``) or the server infers the type from the comparison (``id = ANY(...)``)."""
    if type(value) is not list or not value:
        return None
    first = type(value[0])
    if first is UUID:
        if all(type(v) is UUID for v in value):
            return ("{" + ",".join(map(str, value)) + "}").encode()
    elif first is int and all(type(v) is int for v in value):
        return ("{" + ",".join(map(str, value)) + "}").encode()
    return None


def _with_literals(
    params: Any, types: tuple[int, ...], formats: Any, literals: list[bytes | None]
) -> tuple[list[Any], tuple[int, ...], list[Any]]:
    """Put the array literals in place, typed unknown (0) so the server infers their type."""
    out, out_types, out_formats = list(params), list(types), list(formats)
    for i, literal in enumerate(literals):
        if literal is not None:
            out[i], out_types[i], out_formats[i] = literal, 0, pq.Format.TEXT
    return out, tuple(out_types), out_formats


def _forget_prepared_after(state: ConnectionState, error: psycopg.Error) -> None:
    # "prepared statement does not exist" or "cached plan must not change result type"
    # (a migration changed a table under a prepared statement): prepare everything again.
    if error.sqlstate in ("26000", "0A000"):
        state.prepared.clear()


def result_rows(state: ConnectionState, call: Call, result: Any) -> Any:
    fetch = call.fetch
    if fetch == "none" or result is None:
        return None
    count = result.ntuples
    if fetch == "one" and count == 0:
        return None
    names = state.names.get(call.statement)
    if names is None:
        names = state.names[call.statement] = [
            result.fname(i).decode() for i in range(result.nfields)
        ]
    tx = state.transformer
    tx.set_pgresult(result)
    rows: list[Row] = tx.load_rows(
        0, 1 if fetch == "one" else count, lambda values: dict(zip(names, values, strict=True))
    )
    return rows[0] if fetch == "one" else rows


async def _wait(fileno: int, *, reading: bool) -> None:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()

    def ready() -> None:
        if not future.done():
            future.set_result(None)

    if reading:
        loop.add_reader(fileno, ready)
        try:
            await future
        finally:
            loop.remove_reader(fileno)
    else:
        loop.add_writer(fileno, ready)
        try:
            await future
        finally:
            loop.remove_writer(fileno)
