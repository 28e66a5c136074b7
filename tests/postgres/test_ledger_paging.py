"""Ledger paging never skips a movement that commits after a client paged past its time."""

from __future__ import annotations

import asyncio
import secrets
from uuid import UUID

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from application.ports import MovementFilter
from application.principal import Principal
from application.queries.stock import ListMovementsHandler
from application.use_cases.base import Deps
from domain.movements import Movement
from tests.contract import builders
from tests.postgres.held_commits import HeldCommits
from tests.postgres_fixtures import PostgresBackend


async def walk(deps: Deps, who: Principal, cursor: str | None) -> tuple[list[Movement], str | None]:
    """Follow pages of one movement from ``cursor`` to the end; return what was read and the
    cursor the last page was fetched with (where a tailing client resumes)."""
    listing = ListMovementsHandler(deps)
    seen: list[Movement] = []
    while True:
        page = await listing(who, MovementFilter(), 1, cursor)
        seen += page.items
        if page.next_cursor is None:
            return seen, cursor
        cursor = page.next_cursor


async def test_a_movement_committing_after_a_client_paged_past_its_time_is_not_skipped(
    wide_backend: PostgresBackend,
) -> None:
    clock = ManualClock()
    deps = Deps(uow=wide_backend.uow, clock=clock, ids=UuidGenerator())
    who = Principal.from_claims(user_id="u", org_id=f"org_{secrets.token_hex(8)}", raw_role="admin")
    item = await builders.item(deps, who)
    slow_place, fast_place = await builders.location(deps, who), await builders.location(deps, who)
    first = await builders.receive(deps, who, item.id, fast_place.id, 1)

    # The slow writer takes its time before everyone else's (its created_at) and its level's
    # lock, then stalls before COMMIT, as a request queued for a connection or a lock would.
    held = HeldCommits(wide_backend.uow)
    clock.advance(10)
    slow_deps = Deps(uow=held, clock=clock, ids=UuidGenerator())
    slow = asyncio.create_task(builders.receive(slow_deps, who, item.id, slow_place.id, 5))
    await asyncio.wait_for(held.ready.wait(), 10)
    clock.advance(10)
    later = [await builders.receive(deps, who, item.id, fast_place.id, n) for n in (2, 3)]

    read_before, resume_at = await walk(deps, who, None)
    held.release()
    late = await slow
    read_after, _ = await walk(deps, who, resume_at)

    committed = {m.id for m in (first, late, *later)}
    seen: set[UUID] = {m.id for m in read_before + read_after}
    assert committed <= seen, "a committed movement was skipped by paging"
    assert len(read_after) == len({m.id for m in read_after}), "a page repeated a movement"
