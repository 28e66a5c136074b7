"""One call per use case, each preceded by the admin-made setup it needs to succeed.

The role matrix in test_role_matrix.py names these functions; each returns the use case's result.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from application.ports import MovementFilter, ReservationFilter, StockFilter
from application.principal import Principal
from application.queries import catalog, counts, reservations, stock, transfers
from application.use_cases import (
    archive_item,
    archive_location,
    cancel_count,
    cancel_transfer,
    create_item,
    create_location,
    create_reservation,
    extend_reservation,
    fulfil_reservation,
    open_count,
    post_movement,
    receive_transfer,
    record_counts,
    release_reservation,
    reverse_movement,
    ship_transfer,
    update_item,
    update_location,
)
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.settle_reservation import SettleReservation
from application.workflow_ports import CountFilter, TransferFilter
from domain.catalog import ItemChanges
from domain.counts import CountSession, ItemCount
from domain.movements import (
    AdjustmentReason,
    CountLine,
    MovementRequest,
    MovementType,
    QuantityLine,
    RequestLine,
    TransferLine,
)
from domain.reservations import LineQuantity
from domain.transfers import ItemQuantity
from tests.unit.conftest import Given


async def get_item(g: Given, p: Principal) -> object:
    return await catalog.GetItemHandler(g.deps)(p, (await g.item()).id)


async def list_items(g: Given, p: Principal) -> object:
    return await catalog.ListItemsHandler(g.deps)(p, None, None)


async def get_location(g: Given, p: Principal) -> object:
    return await catalog.GetLocationHandler(g.deps)(p, (await g.location()).id)


async def list_locations(g: Given, p: Principal) -> object:
    return await catalog.ListLocationsHandler(g.deps)(p, None, None)


async def list_stock_levels(g: Given, p: Principal) -> object:
    return await stock.ListStockLevelsHandler(g.deps)(p, StockFilter(), None, None)


async def get_movement(g: Given, p: Principal) -> object:
    movement = await g.receive(await g.item(), await g.location(), 1)
    return await stock.GetMovementHandler(g.deps)(p, movement.id)


async def list_movements(g: Given, p: Principal) -> object:
    return await stock.ListMovementsHandler(g.deps)(p, MovementFilter(), None, None)


async def get_reservation(g: Given, p: Principal) -> object:
    item, location = await g.stocked(1)
    held = await g.reservation(item, location, 1)
    return await reservations.GetReservationHandler(g.deps)(p, held.id)


async def list_reservations(g: Given, p: Principal) -> object:
    return await reservations.ListReservationsHandler(g.deps)(p, ReservationFilter(), None, None)


async def _move(g: Given, p: Principal, kind: MovementType) -> object:
    item, here = await g.stocked(10)
    there = await g.location()
    line: RequestLine = QuantityLine(item.id, here.id, 1)
    if kind is MovementType.TRANSFER:
        line = TransferLine(item.id, here.id, there.id, 1)
    elif kind is MovementType.COUNT:
        line = CountLine(item.id, here.id, 9)
    reason = AdjustmentReason.CORRECTION if kind is MovementType.ADJUSTMENT else None
    request = MovementRequest(type=kind, lines=(line,), reason=reason)
    return await post_movement.PostMovementHandler(g.deps)(p, request)


async def post_receipt(g: Given, p: Principal) -> object:
    return await _move(g, p, MovementType.RECEIPT)


async def post_shipment(g: Given, p: Principal) -> object:
    return await _move(g, p, MovementType.SHIPMENT)


async def post_transfer(g: Given, p: Principal) -> object:
    return await _move(g, p, MovementType.TRANSFER)


async def post_adjustment(g: Given, p: Principal) -> object:
    return await _move(g, p, MovementType.ADJUSTMENT)


async def post_count(g: Given, p: Principal) -> object:
    return await _move(g, p, MovementType.COUNT)


async def create_a_reservation(g: Given, p: Principal) -> object:
    item, location = await g.stocked(10)
    command = create_reservation.CreateReservation(lines=(LineQuantity(item.id, location.id, 1),))
    return await create_reservation.CreateReservationHandler(g.deps)(p, command)


async def _held(g: Given) -> SettleReservation:
    item, location = await g.stocked(10)
    held = await g.reservation(item, location, 2, ttl_seconds=60)
    return SettleReservation(reservation_id=held.id)


async def release_a_reservation(g: Given, p: Principal) -> object:
    return await release_reservation.ReleaseReservationHandler(g.deps)(p, await _held(g))


async def fulfil_a_reservation(g: Given, p: Principal) -> object:
    return await fulfil_reservation.FulfilReservationHandler(g.deps)(p, await _held(g))


async def extend_a_reservation(g: Given, p: Principal) -> object:
    held = await _held(g)
    command = extend_reservation.ExtendReservation(
        reservation_id=held.reservation_id, ttl_seconds=9
    )
    return await extend_reservation.ExtendReservationHandler(g.deps)(p, command)


async def create_an_item(g: Given, p: Principal) -> object:
    command = create_item.CreateItem(sku=f"S-{uuid4().hex[:6]}", name="n")
    return await create_item.CreateItemHandler(g.deps)(p, command)


async def update_an_item(g: Given, p: Principal) -> object:
    command = update_item.UpdateItem(item_id=(await g.item()).id, changes=ItemChanges(name="x"))
    return await update_item.UpdateItemHandler(g.deps)(p, command)


async def archive_an_item(g: Given, p: Principal) -> object:
    command = archive_item.ArchiveItem(item_id=(await g.item()).id)
    return await archive_item.ArchiveItemHandler(g.deps)(p, command)


async def create_a_location(g: Given, p: Principal) -> object:
    command = create_location.CreateLocation(code=f"L-{uuid4().hex[:6]}", name="n")
    return await create_location.CreateLocationHandler(g.deps)(p, command)


async def update_a_location(g: Given, p: Principal) -> object:
    command = update_location.UpdateLocation(location_id=(await g.location()).id, name="x")
    return await update_location.UpdateLocationHandler(g.deps)(p, command)


async def archive_a_location(g: Given, p: Principal) -> object:
    command = archive_location.ArchiveLocation(location_id=(await g.location()).id)
    return await archive_location.ArchiveLocationHandler(g.deps)(p, command)


async def reverse_a_movement(g: Given, p: Principal) -> object:
    movement = await g.receive(await g.item(), await g.location(), 1)
    command = reverse_movement.ReverseMovement(movement_id=movement.id)
    return await reverse_movement.ReverseMovementHandler(g.deps)(p, command)


async def _shipped(g: Given) -> UUID:
    item, here = await g.stocked(10)
    command = ship_transfer.ShipTransfer(
        from_location_id=here.id,
        to_location_id=(await g.location()).id,
        lines=(ItemQuantity(item.id, 2),),
    )
    return (await ship_transfer.ShipTransferHandler(g.deps)(g.admin, command)).value.transfer.id


async def ship_a_transfer(g: Given, p: Principal) -> object:
    item, here = await g.stocked(10)
    command = ship_transfer.ShipTransfer(
        from_location_id=here.id,
        to_location_id=(await g.location()).id,
        lines=(ItemQuantity(item.id, 2),),
    )
    return await ship_transfer.ShipTransferHandler(g.deps)(p, command)


async def receive_a_transfer(g: Given, p: Principal) -> object:
    command = receive_transfer.ReceiveTransfer(transfer_id=await _shipped(g))
    return await receive_transfer.ReceiveTransferHandler(g.deps)(p, command)


async def cancel_a_transfer(g: Given, p: Principal) -> object:
    command = cancel_transfer.CancelTransfer(transfer_id=await _shipped(g))
    return await cancel_transfer.CancelTransferHandler(g.deps)(p, command)


async def get_transfer(g: Given, p: Principal) -> object:
    return await transfers.GetTransferHandler(g.deps)(p, await _shipped(g))


async def list_transfers(g: Given, p: Principal) -> object:
    return await transfers.ListTransfersHandler(g.deps)(p, TransferFilter(), None, None)


async def _open(g: Given) -> CountSession:
    item, here = await g.stocked(10)
    command = open_count.OpenCount(location_id=here.id, blind=True)
    session = (await open_count.OpenCountHandler(g.deps)(g.admin, command)).value
    record = record_counts.RecordCounts(session_id=session.id, lines=(ItemCount(item.id, 9),))
    return await record_counts.RecordCountsHandler(g.deps)(g.admin, record)


async def open_a_count(g: Given, p: Principal) -> object:
    command = open_count.OpenCount(location_id=(await g.location()).id)
    return await open_count.OpenCountHandler(g.deps)(p, command)


async def record_counted_lines(g: Given, p: Principal) -> object:
    session = await _open(g)
    lines = (ItemCount(session.lines[0].item_id, 8),)
    command = record_counts.RecordCounts(session_id=session.id, lines=lines)
    return await record_counts.RecordCountsHandler(g.deps)(p, command)


async def post_a_count(g: Given, p: Principal) -> object:
    command = PostCount(session_id=(await _open(g)).id)
    return await PostCountHandler(g.deps)(p, command)


async def cancel_a_count(g: Given, p: Principal) -> object:
    command = cancel_count.CancelCount(session_id=(await _open(g)).id)
    return await cancel_count.CancelCountHandler(g.deps)(p, command)


async def get_count(g: Given, p: Principal) -> object:
    return await counts.GetCountHandler(g.deps)(p, (await _open(g)).id)


async def list_counts(g: Given, p: Principal) -> object:
    return await counts.ListCountsHandler(g.deps)(p, CountFilter(), None, None)
