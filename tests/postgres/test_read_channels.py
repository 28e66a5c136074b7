"""Read channels: many orgs' reads share a connection, each sees its own org, nothing leaks
between flights, and a lost or busy channel costs only the reads on it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import psycopg
import pytest
from psycopg import AsyncConnection, errors

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres import pipeline_sync, stock
from adapters.postgres.channels import ChannelLost, ReadChannels
from adapters.postgres.wire import Call, Compiled, compile_text
from application.errors import StorageUnavailable
from application.pagination import PageRequest
from application.ports import StockFilter
from application.principal import Principal
from application.use_cases.base import Deps
from tests.contract import builders
from tests.postgres_fixtures import (
    PostgresBackend,
    app_url,
    postgres_backend,
    through_pgbouncer,
)

PREPARE = not through_pgbouncer()  # no named statements behind a transaction pooler
BIND = compile_text(b"SELECT set_config('app.org_id', %(org)s, true)")
WHOSE = compile_text(b"SELECT current_setting('app.org_id') AS org, %(tag)s::int AS tag")


@pytest.fixture
async def channels(database_url: str) -> AsyncIterator[ReadChannels]:
    opened = ReadChannels(app_url(database_url), {}, size=2)
    try:
        yield opened
    finally:
        await opened.close()


def whose(org: str, tag: int) -> list[Call]:
    return [Call(BIND, {"org": org}, "none"), Call(WHOSE, {"tag": tag}, "one")]


async def test_concurrent_flights_each_see_their_own_binding(channels: ReadChannels) -> None:
    orgs = [f"org_{i}" for i in range(10)]
    replies = await asyncio.gather(
        *(channels.run(whose(orgs[i % 10], i), prepare=PREPARE) for i in range(300))
    )

    assert [reply[1] for reply in replies] == [{"org": orgs[i % 10], "tag": i} for i in range(300)]


async def test_a_failing_flight_fails_alone(channels: ReadChannels) -> None:
    broken = [Call(compile_text(b"SELECT 1 / %(zero)s::int AS x"), {"zero": 0}, "one")]
    results = await asyncio.gather(
        channels.run(whose("a", 1), prepare=PREPARE),
        channels.run(broken, prepare=PREPARE),
        channels.run(whose("b", 2), prepare=PREPARE),
        return_exceptions=True,
    )

    assert results[0] == [None, {"org": "a", "tag": 1}]
    assert isinstance(results[1], errors.DivisionByZero)
    assert results[2] == [None, {"org": "b", "tag": 2}]


async def test_a_cancelled_read_leaves_the_channel_in_step(channels: ReadChannels) -> None:
    slow = [Call(compile_text(b"SELECT pg_sleep(0.3) AS slept"), {}, "one")]
    task = asyncio.create_task(channels.run(slow, prepare=PREPARE))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    replies = await asyncio.gather(
        *(channels.run(whose("c", i), prepare=PREPARE) for i in range(6))
    )
    assert [r[1]["tag"] for r in replies] == list(range(6))


async def test_a_slow_read_does_not_hold_up_reads_that_come_after_it(
    channels: ReadChannels,
) -> None:
    finished: list[str] = []
    await channels.open()

    async def run(name: str, calls: list[Call]) -> None:
        await channels.run(calls, prepare=PREPARE)
        finished.append(name)

    slow = asyncio.create_task(run("slow", [Call(compile_text(b"SELECT pg_sleep(1)"), {}, "none")]))
    await asyncio.sleep(0.1)
    for i in range(5):  # one after the other: each finds the slow flight still running
        await run(f"fast{i}", whose("d", i))
    await slow

    assert finished[-1] == "slow"  # the fast ones took the other channel


async def test_a_killed_channel_fails_its_reads_and_the_next_ones_reconnect(
    channels: ReadChannels, database_url: str
) -> None:
    await channels.run(whose("e", 0), prepare=PREPARE)
    sleeping = asyncio.create_task(
        channels.run([Call(compile_text(b"SELECT pg_sleep(5)"), {}, "none")], prepare=PREPARE)
    )
    await asyncio.sleep(0.2)
    async with await AsyncConnection.connect(database_url, autocommit=True) as admin:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'SELECT pg_sleep(5)%%' AND pid <> pg_backend_pid()"
        )

    with pytest.raises(psycopg.OperationalError) as lost:
        await sleeping
    assert isinstance(lost.value, ChannelLost | errors.AdminShutdown)
    replies = [await channels.run(whose("e", i), prepare=PREPARE) for i in range(4)]
    assert [r[1]["tag"] for r in replies] == list(range(4))


async def test_read_only_units_of_work_of_many_orgs_see_only_their_own_items(
    database_url: str,
) -> None:
    async with postgres_backend(database_url, max_size=2) as backend:
        deps = Deps(uow=backend.uow, clock=SystemClock(), ids=UuidGenerator())
        owners = {}
        for _ in range(6):
            org = f"org_{secrets.token_hex(6)}"
            who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
            owners[org] = {(await builders.item(deps, who)).id for _ in range(3)}

        async def listed(org: str) -> tuple[str, set[object]]:
            async with backend.uow(org, read_only=True) as uow:
                return org, {item.id for item in await uow.items.list(PageRequest())}

        seen = await asyncio.gather(*(listed(org) for org in list(owners) * 20))

    assert all(ids == owners[org] for org, ids in seen)


async def test_a_read_only_unit_of_work_on_a_lost_channel_is_retried_once(
    database_url: str, backend_with_channels: PostgresBackend
) -> None:
    org = f"org_{secrets.token_hex(6)}"
    async with backend_with_channels.uow(org, read_only=True) as uow:
        assert await uow.items.list(PageRequest()) == []
    async with await AsyncConnection.connect(database_url, autocommit=True) as admin:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )

    async with backend_with_channels.uow(org, read_only=True) as uow:
        assert await uow.items.list(PageRequest()) == []  # retried on a fresh connection


@pytest.fixture
async def backend_with_channels(database_url: str) -> AsyncIterator[PostgresBackend]:
    async with postgres_backend(database_url, max_size=2) as backend:
        yield backend


async def test_a_closed_set_of_channels_refuses_reads_as_unavailable(
    database_url: str,
) -> None:
    async with postgres_backend(database_url, max_size=2) as backend:
        await backend.uow._channels.close()  # type: ignore[union-attr]
        with pytest.raises(StorageUnavailable):
            async with backend.uow("org_x", read_only=True) as uow:
                await uow.items.list(PageRequest())


def test_the_locked_libpq_queues_a_sync_without_flushing_it() -> None:
    # Without PQsendPipelineSync every read flight is its own send (ADR 0036); this fails if
    # a psycopg-binary upgrade moves or drops the function rather than letting reads slow down.
    assert pipeline_sync.sync_is_deferred()


@pytest.mark.parametrize("deferred", [True, False])
async def test_flights_queued_in_one_iteration_each_get_their_own_answer(
    channels: ReadChannels, deferred: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not deferred:  # the fallback: a Sync that flushes, one send per flight
        monkeypatch.setattr(pipeline_sync, "_SEND_SYNC", None)
    await channels.open()
    # Every flight is queued before the loop runs again: they leave in one send.
    flights = [channels.run(whose(f"org_{i % 7}", i), prepare=PREPARE) for i in range(60)]
    replies = await asyncio.gather(*flights)

    assert [reply[1] for reply in replies] == [{"org": f"org_{i % 7}", "tag": i} for i in range(60)]


async def test_reads_fill_the_first_channel_while_it_keeps_up(channels: ReadChannels) -> None:
    # The more flights share a send, the fewer sends and wake-ups each read pays for.
    await channels.open()
    reads = [asyncio.create_task(channels.run(whose("f", i), prepare=PREPARE)) for i in range(20)]
    await asyncio.sleep(0)  # every read has chosen its channel and queued its flight

    queued = [len(channel.flights) for channel in channels._slots if channel is not None]
    replies = await asyncio.gather(*reads)

    assert queued == [20, 0]
    assert [reply[1]["tag"] for reply in replies] == list(range(20))


PLANS = compile_text(
    b"SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %(text)s"
)


@pytest.mark.skipif(not PREPARE, reason="a transaction pooler gets no named statements")
async def test_a_stock_read_by_item_runs_on_its_generic_plan(database_url: str) -> None:
    # PostgreSQL plans a prepared statement afresh for its first five runs, then keeps doing so
    # if the generic plan's estimate looks worse for the parameters in hand, as it does for a
    # small org in a big table: a read marked generic never does (ADR 0039).
    async with postgres_backend(database_url, max_size=2) as backend:
        deps = Deps(uow=backend.uow, clock=SystemClock(), ids=UuidGenerator())
        org = f"org_{secrets.token_hex(6)}"
        who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
        item = await builders.item(deps, who)
        by_item = stock.list_query(StockFilter(item_id=item.id), after=False)
        by_org = stock.list_query(StockFilter(), after=False)

        async def plans(statement: Compiled) -> dict[str, int]:
            # Read on the channel that ran the reads (the first: nothing holds it up).
            async with backend.uow(org, read_only=True) as uow:
                rows = await uow.stock._all(PLANS, {"text": statement.text.decode()})
            return {"generic": sum(r["generic_plans"] for r in rows),
                    "custom": sum(r["custom_plans"] for r in rows)}  # fmt: skip

        for _ in range(8):
            async with backend.uow(org, read_only=True) as uow:
                await uow.stock.list(StockFilter(item_id=item.id), PageRequest(), deps.clock.now())
                await uow.stock.list(StockFilter(), PageRequest(), deps.clock.now())

        assert by_item.generic and not by_org.generic
        assert await plans(by_item) == {"generic": 8, "custom": 0}
        assert (await plans(by_org))["custom"] >= 5  # left to PostgreSQL's own choice
