"""Transfers in transit through the use cases: the source ships at once, the destination
expects the stock until it is received, a cancel returns it to the source."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.principal import Principal
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.catalog import Item, Location
from domain.errors import Conflict, InsufficientStock, InvalidTransferState, VersionMismatch
from domain.movements import MovementLine, MovementType
from domain.transfers import ItemQuantity, TransferStatus
from tests.unit.conftest import Given


async def ship(
    deps: Deps, who: Principal, item: Item, source: Location, destination: Location, n: int
) -> TransferMoved:
    command = ShipTransfer(
        from_location_id=source.id,
        to_location_id=destination.id,
        lines=(ItemQuantity(item.id, n),),
        reference="TO-1",
    )
    return (await ShipTransferHandler(deps)(who, command)).value


async def receive(
    deps: Deps, who: Principal, transfer_id: UUID, *parts: ItemQuantity, version: int | None = None
) -> TransferMoved:
    command = ReceiveTransfer(
        transfer_id=transfer_id,
        lines=parts or None,
        expected_versions=None if version is None else frozenset({version}),
    )
    return (await ReceiveTransferHandler(deps)(who, command)).value


async def cancel(deps: Deps, who: Principal, transfer_id: UUID) -> TransferMoved:
    return (await CancelTransferHandler(deps)(who, CancelTransfer(transfer_id=transfer_id))).value


async def levels(given: Given, item: Item, *places: Location) -> list[tuple[int, int, int]]:
    """(on_hand, reserved, incoming) per place."""
    out = []
    for place in places:
        level = await given.level(item, place)
        out.append((0, 0, 0) if level is None else (level.on_hand, level.reserved, level.incoming))
    return out


async def test_shipping_takes_from_the_source_at_once_and_the_destination_expects_it(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()

    moved = await ship(deps, member, item, source, destination, 4)

    assert await levels(given, item, source, destination) == [(6, 0, 0), (0, 0, 4)]
    movement = given.stored().movements[moved.movement_id]
    assert (movement.type, movement.transfer_id, movement.lines) == (
        MovementType.TRANSFER_OUT,
        moved.transfer.id,
        (MovementLine(item.id, source.id, -4, 6),),
    )


async def test_a_partial_receipt_moves_that_much_out_of_transit_into_the_destination(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    shipped = await ship(deps, member, item, source, destination, 4)

    moved = await receive(deps, member, shipped.transfer.id, ItemQuantity(item.id, 3))

    assert moved.transfer.status is TransferStatus.PARTIALLY_RECEIVED
    assert await levels(given, item, source, destination) == [(6, 0, 0), (3, 0, 1)]
    movement = given.stored().movements[moved.movement_id]
    assert (movement.type, movement.lines) == (
        MovementType.TRANSFER_IN,
        (MovementLine(item.id, destination.id, 3, 3),),
    )


async def test_cancelling_returns_what_is_still_in_transit_to_the_source(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    shipped = await ship(deps, member, item, source, destination, 4)
    await receive(deps, member, shipped.transfer.id, ItemQuantity(item.id, 1))

    moved = await cancel(deps, member, shipped.transfer.id)

    assert moved.transfer.status is TransferStatus.CANCELLED
    assert await levels(given, item, source, destination) == [(9, 0, 0), (1, 0, 0)]
    movement = given.stored().movements[moved.movement_id]
    assert movement.lines == (MovementLine(item.id, source.id, 3, 9),)


async def test_shipping_takes_only_from_available_and_changes_nothing_when_refused(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    await given.reservation(item, source, 8)
    before = given.snapshot()

    with pytest.raises(InsufficientStock):
        await ship(deps, member, item, source, destination, 3)
    assert given.stored() == before


async def test_an_archived_destination_takes_no_transfer_but_a_cancel_still_returns(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    shipped = await ship(deps, member, item, source, destination, 4)
    await given.archive(destination)

    with pytest.raises(Conflict):
        await receive(deps, member, shipped.transfer.id)
    with pytest.raises(Conflict):
        await ship(deps, member, item, source, destination, 1)
    await given.archive(source)
    await cancel(deps, member, shipped.transfer.id)
    assert await levels(given, item, source, destination) == [(10, 0, 0), (0, 0, 0)]


async def test_an_ended_transfer_refuses_receipt_and_cancel(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    shipped = await ship(deps, member, item, source, destination, 4)
    await receive(deps, member, shipped.transfer.id)

    with pytest.raises(InvalidTransferState):
        await cancel(deps, member, shipped.transfer.id)
    with pytest.raises(InvalidTransferState):
        await receive(deps, member, shipped.transfer.id, ItemQuantity(item.id, 1))


async def test_a_receipt_against_a_stale_version_changes_nothing(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    shipped = await ship(deps, member, item, source, destination, 4)
    await receive(deps, member, shipped.transfer.id, ItemQuantity(item.id, 1))
    before = given.snapshot()

    with pytest.raises(VersionMismatch):
        await receive(deps, member, shipped.transfer.id, version=1)
    assert given.stored() == before


async def test_a_retried_receipt_with_its_key_is_applied_once(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    destination = await given.location()
    shipped = await ship(deps, member, item, source, destination, 4)
    command = ReceiveTransfer(transfer_id=shipped.transfer.id, lines=(ItemQuantity(item.id, 1),))
    handler = ReceiveTransferHandler(deps)

    first = await handler(member, command, "rcv-1")
    again = await handler(member, command, "rcv-1")

    assert again.replayed and again.value == first.value
    assert await levels(given, item, destination) == [(1, 0, 3)]
