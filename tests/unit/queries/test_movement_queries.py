"""Reading the ledger: oldest first, every filter, and pages that never repeat a document."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.ports import MovementFilter
from application.principal import Principal
from application.queries.stock import GetMovementHandler, ListMovementsHandler
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import NotFound, ValidationFailed
from domain.movements import MovementRequest, MovementType, QuantityLine, TransferLine
from tests.unit.conftest import START, Given


async def ids(deps: Deps, who: Principal, filters: MovementFilter) -> list[object]:
    return [m.id for m in (await ListMovementsHandler(deps)(who, filters, 200, None)).items]


async def test_each_filter_narrows_the_ledger(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    bolt, nut = await given.item(), await given.item()
    here, there = await given.location(), await given.location()
    first = await given.receive(bolt, here, 10)  # at START
    clock.advance(60)
    second = await given.receive(nut, there, 5)  # at START + 60 s
    clock.advance(60)
    moved = (
        await PostMovementHandler(deps)(
            member,
            MovementRequest(
                type=MovementType.TRANSFER,
                reference="T-1",
                lines=(TransferLine(bolt.id, here.id, there.id, 2),),
            ),
        )
    ).value  # at START + 120 s

    assert await ids(deps, member, MovementFilter()) == [first.id, second.id, moved.id]
    assert await ids(deps, member, MovementFilter(item_id=bolt.id)) == [first.id, moved.id]
    assert await ids(deps, member, MovementFilter(location_id=there.id)) == [second.id, moved.id]
    assert await ids(deps, member, MovementFilter(type=MovementType.TRANSFER)) == [moved.id]
    assert await ids(deps, member, MovementFilter(reference="T-1")) == [moved.id]
    assert await ids(deps, member, MovementFilter(reference="T-2")) == []
    minute = timedelta(seconds=60)
    assert await ids(deps, member, MovementFilter(since=START + minute)) == [second.id, moved.id]
    assert await ids(deps, member, MovementFilter(until=START + minute)) == [first.id]
    assert await ids(
        deps, member, MovementFilter(since=START + minute, until=START + 2 * minute)
    ) == [second.id]


async def test_since_must_be_before_until(deps: Deps, member: Principal) -> None:
    with pytest.raises(ValidationFailed):
        await ListMovementsHandler(deps)(
            member, MovementFilter(since=START, until=START), None, None
        )


async def test_movements_at_the_same_instant_page_in_commit_order_without_repeats_or_gaps(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.item(), await given.location()
    posted = [(await given.receive(item, location, 1)).id for _ in range(5)]
    seen: list[object] = []
    cursor = None

    while True:
        page = await ListMovementsHandler(deps)(member, MovementFilter(), 2, cursor)
        seen += [m.id for m in page.items]
        if not (cursor := page.next_cursor):
            break

    assert seen == posted


async def test_the_ledger_is_append_only_and_keeps_each_level_s_history(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    for quantity in (3, 4):
        clock.advance(1)  # oldest first: distinct instants fix the order
        await PostMovementHandler(deps)(
            member,
            MovementRequest(
                type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, location.id, quantity),)
            ),
        )

    ledger = (
        await ListMovementsHandler(deps)(member, MovementFilter(item_id=item.id), None, None)
    ).items
    level = await given.level(item, location)

    assert [line.delta for m in ledger for line in m.lines] == [10, -3, -4]
    assert level is not None
    assert level.on_hand == sum(line.delta for m in ledger for line in m.lines)


async def test_an_unknown_movement_is_not_found(deps: Deps, member: Principal) -> None:
    with pytest.raises(NotFound):
        await GetMovementHandler(deps)(member, uuid4())
