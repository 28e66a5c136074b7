"""Transfers: out of one location and into another in one ledger document."""

from __future__ import annotations

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import Conflict, InsufficientStock
from domain.movements import MovementLine, MovementRequest, MovementType, TransferLine
from tests.unit.conftest import Given


def transfer(*lines: TransferLine) -> MovementRequest:
    return MovementRequest(type=MovementType.TRANSFER, lines=lines)


async def test_a_transfer_line_yields_an_out_line_and_an_in_line(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    await given.receive(item, destination, 1)

    movement = (
        await PostMovementHandler(deps)(
            member, transfer(TransferLine(item.id, source.id, destination.id, 7))
        )
    ).value

    assert movement.lines == (
        MovementLine(item.id, source.id, -7, 3),
        MovementLine(item.id, destination.id, 7, 8),
    )


async def test_a_transfer_conserves_the_items_total_on_hand(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()

    await PostMovementHandler(deps)(
        member, transfer(TransferLine(item.id, source.id, destination.id, 4))
    )

    levels = [await given.level(item, place) for place in (source, destination)]
    assert [level.on_hand for level in levels if level] == [6, 4]


async def test_a_transfer_takes_only_from_available_and_changes_nothing_when_refused(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    await given.reservation(item, source, 8)
    before = given.snapshot()

    with pytest.raises(InsufficientStock):
        await PostMovementHandler(deps)(
            member, transfer(TransferLine(item.id, source.id, destination.id, 3))
        )

    assert given.snapshot() == before
    assert await given.level(item, destination) is None


async def test_a_transfer_into_an_archived_location_is_refused(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    await given.archive(destination)
    before = given.snapshot()

    with pytest.raises(Conflict):
        await PostMovementHandler(deps)(
            member, transfer(TransferLine(item.id, source.id, destination.id, 3))
        )

    assert given.snapshot() == before
