"""A consumer tailing the feed while slow and fast writers race sees every event exactly once."""

from __future__ import annotations

import asyncio
import random
import secrets
from typing import Any

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from application.ports import MovementFilter, UnitOfWork, UnitOfWorkFactory
from application.principal import Principal
from application.queries.events import ReadEvents, ReadEventsHandler
from application.queries.stock import ListMovementsHandler
from application.use_cases.base import Deps
from domain.events import EventType
from tests.contract import builders
from tests.postgres_fixtures import PostgresBackend

pytestmark = pytest.mark.slow


class SlowUnitOfWork:
    """Commits only after a pause: its transaction id and level lock are held meanwhile."""

    def __init__(self, inner: UnitOfWork, pause: float) -> None:
        self._inner, self._pause = inner, pause

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> SlowUnitOfWork:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.__aexit__(*exc)

    async def commit(self) -> None:
        await asyncio.sleep(self._pause)
        await self._inner.commit()


class SlowCommits:
    """A unit-of-work factory whose units of work pause before they commit."""

    def __init__(self, inner: UnitOfWorkFactory, pause: float) -> None:
        self._inner, self._pause = inner, pause

    def __call__(self, org_id: str, *, read_only: bool = False) -> Any:
        return SlowUnitOfWork(self._inner(org_id, read_only=read_only), self._pause)


async def test_a_tailing_consumer_sees_each_movement_once_while_slow_and_fast_writers_race(
    wide_backend: PostgresBackend,
) -> None:
    deps = Deps(uow=wide_backend.uow, clock=SystemClock(), ids=UuidGenerator())
    who = Principal.from_claims(user_id="u", org_id=f"org_{secrets.token_hex(8)}", raw_role="admin")
    item = await builders.item(deps, who)
    places = [await builders.location(deps, who) for _ in range(4)]
    feed = ReadEventsHandler(deps, wide_backend.uow.event_signal, poll_seconds=0.05)
    posted = frozenset({EventType.MOVEMENT_POSTED})
    rng = random.Random(13)

    async def writer(n: int) -> None:
        slow = n % 3 == 0
        pause = rng.uniform(0.05, 0.4) if slow else 0.0
        writer_deps = Deps(uow=SlowCommits(deps.uow, pause), clock=deps.clock, ids=deps.ids)
        await asyncio.sleep(rng.uniform(0, 0.5))
        await builders.receive(writer_deps, who, item.id, places[n % 4].id, 1)

    seen: list[str] = []
    done = asyncio.Event()

    async def consumer() -> None:
        cursor = None
        while True:
            finished = done.is_set()  # read once more after the last writer committed
            page = await feed(who, ReadEvents(after=cursor, types=posted, wait_seconds=0.1))
            seen.extend(e.subject_id for e in page.items)
            cursor = page.next_cursor or cursor
            if finished and not page.items:
                return

    tail = asyncio.create_task(consumer())
    await asyncio.gather(*(writer(n) for n in range(48)))
    done.set()
    await asyncio.wait_for(tail, 30)

    ledger = await ListMovementsHandler(deps)(who, MovementFilter(), 200, None)
    assert len(ledger.items) == 48
    assert len(seen) == len(set(seen)), "an event was seen twice"
    assert set(seen) == {str(m.id) for m in ledger.items}, "the consumer missed a movement"
