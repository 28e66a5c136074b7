"""Flights through libpq: results in order, the first error after the flight, nothing left half."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from psycopg import AsyncConnection, errors, pq

from adapters.postgres.wire import MAX_RECURRING, Call, _state, compile_text, fly


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[AsyncConnection[object]]:
    async with await AsyncConnection.connect(database_url) as conn:
        yield conn


def call(text: str, params: dict[str, object] | None = None, fetch: str = "all") -> Call:
    return Call(compile_text(text.encode()), params or {}, fetch)  # type: ignore[arg-type]


def test_named_placeholders_become_numbered_and_a_repeated_name_reuses_its_number() -> None:
    compiled = compile_text(b"SELECT %(a)s, %(b)s, %(a)s, 100%% AS pct")

    assert compiled.text == b"SELECT $1, $2, $1, 100% AS pct"
    assert compiled.names == ("a", "b")


def test_a_positional_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="placeholders"):
        compile_text(b"SELECT %s")


@pytest.mark.parametrize("prepare", [True, False])
async def test_a_flight_returns_each_statements_rows_in_order(
    conn: AsyncConnection[object], prepare: bool
) -> None:
    results = await fly(
        conn,
        [
            call("SELECT %(n)s::int AS n", {"n": 1}, "one"),
            call("SELECT generate_series(1, %(top)s) AS i", {"top": 3}),
            call("SELECT 1 WHERE false", fetch="one"),
            call("SELECT 1", fetch="none"),
        ],
        prepare=prepare,
    )

    assert results == [{"n": 1}, [{"i": 1}, {"i": 2}, {"i": 3}], None, None]


async def test_a_prepared_statement_is_reused_on_the_next_flight(
    conn: AsyncConnection[object],
) -> None:
    statement = call("SELECT %(n)s::int + 1 AS m", {"n": 1}, "one")
    await fly(conn, [statement])
    await fly(conn, [statement])

    cur = await conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'sr%'")
    row = await cur.fetchone()
    assert row == (1,)


async def test_the_first_error_is_raised_after_the_flight_and_later_statements_are_skipped(
    conn: AsyncConnection[object],
) -> None:
    await fly(conn, [call("CREATE TEMP TABLE t (n int)", fetch="none")])
    with pytest.raises(errors.DivisionByZero):
        await fly(
            conn,
            [
                call("BEGIN", fetch="none"),
                call("INSERT INTO t VALUES (1)", fetch="none"),
                call("SELECT 1 / 0", fetch="none"),
                call("INSERT INTO t VALUES (2)", fetch="none"),
            ],
        )

    assert conn.pgconn.transaction_status == pq.TransactionStatus.INERROR
    await fly(conn, [call("ROLLBACK", fetch="none")])
    assert await fly(conn, [call("SELECT count(*) AS n FROM t", fetch="one")]) == [{"n": 0}]


async def test_a_failed_prepare_is_forgotten_so_the_next_flight_prepares_again(
    conn: AsyncConnection[object],
) -> None:
    missing = call("SELECT n FROM not_yet_here", fetch="all")
    with pytest.raises(errors.UndefinedTable):
        await fly(conn, [missing])
    await fly(conn, [call("CREATE TEMP TABLE not_yet_here (n int)", fetch="none")])

    assert await fly(conn, [missing]) == [[]]


async def test_a_flight_cancelled_while_waiting_closes_its_connection(
    conn: AsyncConnection[object],
) -> None:
    task = asyncio.create_task(fly(conn, [call("SELECT pg_sleep(5)", fetch="none")]))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert conn.closed  # its protocol state is unknown: nobody may reuse it


async def test_a_connection_killed_mid_flight_raises_an_operational_error(
    conn: AsyncConnection[object], database_url: str
) -> None:
    pid = conn.pgconn.backend_pid
    flight = asyncio.create_task(fly(conn, [call("SELECT pg_sleep(5)", fetch="none")]))
    await asyncio.sleep(0.2)
    async with await AsyncConnection.connect(database_url, autocommit=True) as other:
        await other.execute("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})

    with pytest.raises(psycopg.OperationalError):
        await flight
    assert conn.closed


async def test_lists_of_uuids_and_ints_arrive_as_arrays_however_they_are_sent(
    conn: AsyncConnection[object],
) -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    results = await fly(
        conn,
        [
            call(
                "SELECT %(ids)s::uuid[] AS ids, %(ns)s::bigint[] AS ns",
                {"ids": ids, "ns": [1, -2]},
                "one",
            ),
            call("SELECT %(id)s::uuid = ANY(%(ids)s) AS found", {"id": ids[1], "ids": ids}, "one"),
            call("SELECT %(flags)s::bool[] AS flags", {"flags": [True, False]}, "one"),
            call("SELECT %(mixed)s::text[] AS mixed", {"mixed": ["a", "b,c", 'q"']}, "one"),
            call("SELECT cardinality(%(none)s::uuid[]) AS n", {"none": []}, "one"),
        ],
    )

    assert results == [
        {"ids": ids, "ns": [1, -2]},
        {"found": True},
        {"flags": [True, False]},
        {"mixed": ["a", "b,c", 'q"']},
        {"n": 0},
    ]


async def test_recurring_parameters_are_encoded_once_and_never_confused(
    conn: AsyncConnection[object],
) -> None:
    bind = compile_text(b"SELECT set_config('app.org_id', %(org)s, false)")
    whose = call("SELECT current_setting('app.org_id') AS org", fetch="one")
    seen = []
    for org in ["a", "b", "a", "c", "b"]:
        results = await fly(conn, [Call(bind, {"org": org}, "none", recurring=True), whose])
        seen.append(results[1]["org"])
    state = _state(conn)

    assert seen == ["a", "b", "a", "c", "b"]
    assert len(state.dumped) == 3  # one encoding per distinct org


async def test_the_recurring_encodings_kept_per_connection_are_bounded(
    conn: AsyncConnection[object],
) -> None:
    echo = compile_text(b"SELECT %(v)s::text AS v")
    for i in range(MAX_RECURRING + 5):
        result = await fly(conn, [Call(echo, {"v": f"v{i}"}, "one", recurring=True)])
        assert result == [{"v": f"v{i}"}]

    assert len(_state(conn).dumped) <= MAX_RECURRING
