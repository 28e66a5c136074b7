"""Transfers in transit of lot-tracked items (ADR 0034) on both backends: shipped out of the
lot named or first-expiry-first-out, received into the same lots at the destination (the lot
a part names, else earliest expiry first), cancelled back into them at the source."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from application.pagination import PageRequest
from application.principal import Principal
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.manage_lots import UpdateLot, UpdateLotHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from application.workflow_ports import TransferFilter
from domain.errors import (
    InsufficientStock,
    InvalidTransferState,
    LotExpired,
    NotFound,
    SerialLimit,
    ValidationFailed,
)
from domain.events import EventType
from domain.movements import LotRef, MovementType
from domain.transfers import ItemQuantity, TransferStatus
from tests.contract import builders
from tests.contract.feed import read_all
from tests.contract.lot_builders import level, line, lot_levels, post, receive
from tests.contract.workflow_builders import cancel

JAN_20, JAN_30 = date(2026, 1, 20), date(2026, 1, 30)


def part(item_id: UUID, quantity: int, code: str | None = None) -> ItemQuantity:
    return ItemQuantity(item_id, quantity, None if code is None else LotRef(code=code))


async def ship(
    deps: Deps, who: Principal, source: UUID, destination: UUID, *lines: ItemQuantity
) -> TransferMoved:
    command = ShipTransfer(from_location_id=source, to_location_id=destination, lines=lines)
    return (await ShipTransferHandler(deps)(who, command)).value


async def take(
    deps: Deps, who: Principal, transfer_id: UUID, *parts: ItemQuantity
) -> TransferMoved:
    command = ReceiveTransfer(transfer_id=transfer_id, lines=parts or None)
    return (await ReceiveTransferHandler(deps)(who, command)).value


async def positions(deps: Deps, who: Principal, item_id: UUID) -> dict[tuple[UUID, str], int]:
    page = await lot_levels(deps, who, item_id)
    return {(r.location_id, r.position.lot.code): r.position.on_hand for r in page.items}


async def ledger_of(deps: Deps, who: Principal, movement_id: UUID) -> list[tuple[int, str]]:
    async with deps.uow(who.org_id) as uow:
        movement = await uow.movements.get(movement_id)
    assert movement is not None
    return [(ln.delta, ln.lot_code or "") for ln in movement.lines]


def carried(moved: TransferMoved) -> list[tuple[str, int, int, int]]:
    [transit] = moved.transfer.lines
    return [(t.lot.code, t.shipped, t.received, t.cancelled) for t in transit.lots]


async def sums_hold(deps: Deps, who: Principal, item_id: UUID, *where: UUID) -> None:
    """Each level of the item is the sum of its lots (on_hand and reserved)."""
    page = await lot_levels(deps, who, item_id)
    for location_id in where:
        found = await level(deps, who, item_id, location_id)
        mine = [r.position for r in page.items if r.location_id == location_id]
        assert found.on_hand == sum(p.on_hand for p in mine)
        assert found.reserved == sum(p.reserved for p in mine)


async def test_a_shipment_of_no_lot_takes_first_expiry_first_out_split_over_lots(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})

    moved = await ship(deps, admin, here.id, there.id, part(item.id, 4))

    assert carried(moved) == [("B", 3, 0, 0), ("A", 1, 0, 0)]
    assert await ledger_of(deps, admin, moved.movement_id) == [(-3, "B"), (-1, "A")]
    assert await positions(deps, admin, item.id) == {(here.id, "A"): 4, (here.id, "B"): 0}
    target = await level(deps, admin, item.id, there.id)
    assert (target.on_hand, target.incoming) == (0, 4)
    await sums_hold(deps, admin, item.id, here.id, there.id)
    async with deps.uow(admin.org_id) as uow:  # stored as returned
        assert await uow.transfers.get(moved.transfer.id) == moved.transfer
    with pytest.raises(InsufficientStock):  # all or nothing
        await ship(deps, admin, here.id, there.id, part(item.id, 5))
    assert (await level(deps, admin, item.id, here.id)).on_hand == 4


async def test_a_shipment_takes_the_lot_it_names_ignoring_case(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    plain = await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    await builders.receive(deps, admin, plain.id, here.id, 5)

    moved = await ship(deps, admin, here.id, there.id, part(item.id, 2, "a"), part(plain.id, 1))

    lines = {line.item_id: line for line in moved.transfer.lines}
    assert [(t.lot.code, t.shipped) for t in lines[item.id].lots] == [("A", 2)]
    assert lines[plain.id].lots == ()
    assert await ledger_of(deps, admin, moved.movement_id) == [(-2, "A"), (-1, "")]
    assert await positions(deps, admin, item.id) == {(here.id, "A"): 3, (here.id, "B"): 3}
    with pytest.raises(InsufficientStock):
        await ship(deps, admin, here.id, there.id, part(item.id, 4, "A"))
    with pytest.raises(NotFound):
        await ship(deps, admin, here.id, there.id, part(item.id, 1, "NOPE"))
    with pytest.raises(ValidationFailed):
        await ship(deps, admin, here.id, there.id, part(plain.id, 1, "A"))
    await sums_hold(deps, admin, item.id, here.id, there.id)


async def test_an_expired_lot_is_never_shipped(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    clock.set(datetime(2026, 1, 21, tzinfo=UTC))  # B expired yesterday

    with pytest.raises(LotExpired):
        await ship(deps, admin, here.id, there.id, part(item.id, 1, "B"))
    with pytest.raises(InsufficientStock):
        await ship(deps, admin, here.id, there.id, part(item.id, 6))
    moved = await ship(deps, admin, here.id, there.id, part(item.id, 5))

    assert carried(moved) == [("A", 5, 0, 0)]
    assert await positions(deps, admin, item.id) == {(here.id, "A"): 0, (here.id, "B"): 3}
    async with deps.uow(admin.org_id) as uow:
        assert (
            len(await uow.transfers.list(TransferFilter(), PageRequest(limit=10))) == 1
        )  # refused ones left nothing


async def test_a_partial_receipt_goes_into_the_same_lots_earliest_expiry_first(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    shipped = await ship(deps, admin, here.id, there.id, part(item.id, 6))  # B 3, A 3

    first = await take(deps, admin, shipped.transfer.id, part(item.id, 2))
    second = await take(deps, admin, shipped.transfer.id, part(item.id, 2, "a"))

    assert carried(first) == [("B", 3, 2, 0), ("A", 3, 0, 0)]
    assert carried(second) == [("B", 3, 2, 0), ("A", 3, 2, 0)]
    assert second.transfer.status is TransferStatus.PARTIALLY_RECEIVED
    assert await ledger_of(deps, admin, first.movement_id) == [(2, "B")]
    assert await ledger_of(deps, admin, second.movement_id) == [(2, "A")]
    assert await positions(deps, admin, item.id) == {
        (here.id, "A"): 2,
        (here.id, "B"): 0,
        (there.id, "A"): 2,
        (there.id, "B"): 2,
    }
    target = await level(deps, admin, item.id, there.id)
    assert (target.on_hand, target.incoming) == (4, 2)
    await sums_hold(deps, admin, item.id, here.id, there.id)
    with pytest.raises(InvalidTransferState):  # A has 1 left in transit
        await take(deps, admin, shipped.transfer.id, part(item.id, 2, "A"))
    with pytest.raises(InvalidTransferState):  # C is not on this transfer
        await take(deps, admin, shipped.transfer.id, part(item.id, 1, "C"))

    rest = await take(deps, admin, shipped.transfer.id)

    assert carried(rest) == [("B", 3, 3, 0), ("A", 3, 3, 0)]
    assert rest.transfer.status is TransferStatus.RECEIVED
    assert await positions(deps, admin, item.id) == {
        (here.id, "A"): 2,
        (here.id, "B"): 0,
        (there.id, "A"): 3,
        (there.id, "B"): 3,
    }
    assert (await level(deps, admin, item.id, there.id)).incoming == 0
    await sums_hold(deps, admin, item.id, here.id, there.id)


async def test_a_lot_redated_in_transit_is_read_and_received_by_its_new_date(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    shipped = await ship(deps, admin, here.id, there.id, part(item.id, 6))  # B 3, A 3
    [b] = [t.lot for t in shipped.transfer.lines[0].lots if t.lot.code == "B"]
    later = date(2026, 3, 1)
    await UpdateLotHandler(deps)(admin, UpdateLot(lot_id=b.id, expires_on=later))

    async with deps.uow(admin.org_id) as uow:
        stored = await uow.transfers.get(shipped.transfer.id)
    assert stored is not None
    assert {t.lot.code: t.lot.expires_on for t in stored.lines[0].lots} == {
        "B": later,
        "A": JAN_30,
    }
    first = await take(deps, admin, shipped.transfer.id, part(item.id, 4))
    assert carried(first) == [("B", 3, 1, 0), ("A", 3, 3, 0)]  # A expires first now


async def test_a_lot_that_expired_in_transit_arrives_as_expired_stock(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"B": (3, JAN_20)})
    shipped = await ship(deps, admin, here.id, there.id, part(item.id, 3))
    clock.set(datetime(2026, 1, 21, tzinfo=UTC))

    await take(deps, admin, shipped.transfer.id)

    target = await level(deps, admin, item.id, there.id)
    assert (target.on_hand, target.expired, target.available) == (3, 3, 0)
    await sums_hold(deps, admin, item.id, here.id, there.id)


async def test_a_cancel_returns_what_is_in_transit_to_the_same_lots(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    shipped = await ship(deps, admin, here.id, there.id, part(item.id, 5))  # B 3, A 2
    await take(deps, admin, shipped.transfer.id, part(item.id, 2))  # B 2

    cancelled = await cancel(deps, admin, shipped.transfer.id)

    assert carried(cancelled) == [("B", 3, 2, 1), ("A", 2, 0, 2)]
    assert cancelled.transfer.status is TransferStatus.CANCELLED
    assert sorted(await ledger_of(deps, admin, cancelled.movement_id)) == [(1, "B"), (2, "A")]
    assert await positions(deps, admin, item.id) == {
        (here.id, "A"): 5,
        (here.id, "B"): 1,
        (there.id, "B"): 2,
    }
    source, target = (
        await level(deps, admin, item.id, here.id),
        await level(deps, admin, item.id, there.id),
    )
    assert (source.on_hand, target.on_hand, target.incoming) == (6, 2, 0)
    await sums_hold(deps, admin, item.id, here.id, there.id)


async def test_a_serial_in_transit_still_counts_towards_its_one_unit(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="serial")
    here, there, third = (
        await builders.location(deps, admin),
        await builders.location(deps, admin),
        await builders.location(deps, admin),
    )
    await receive(deps, admin, item.id, here.id, {"SN-1": (1, JAN_30)})
    shipped = await ship(deps, admin, here.id, there.id, part(item.id, 1, "sn-1"))

    with pytest.raises(SerialLimit):  # the unit is on its way: it still exists
        await post(deps, admin, MovementType.RECEIPT, line(item.id, third.id, 1, "SN-1"))
    await take(deps, admin, shipped.transfer.id)
    with pytest.raises(SerialLimit):
        await post(deps, admin, MovementType.RECEIPT, line(item.id, third.id, 1, "SN-1"))
    back = await ship(deps, admin, there.id, here.id, part(item.id, 1))
    await cancel(deps, admin, back.transfer.id)

    assert await positions(deps, admin, item.id) == {(here.id, "SN-1"): 0, (there.id, "SN-1"): 1}
    await sums_hold(deps, admin, item.id, here.id, there.id)


async def test_transfer_events_carry_the_lots(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    _, cursor = await read_all(deps, admin)

    await ship(deps, admin, here.id, there.id, part(item.id, 4))

    events, _ = await read_all(deps, admin, cursor)
    [created] = [e for e in events if e.type is EventType.TRANSFER_CREATED]
    [posted] = [e for e in events if e.type is EventType.MOVEMENT_POSTED]
    lots = created.data["lines"][0]["lots"]
    assert [(x["lot_code"], x["shipped"], x["in_transit"]) for x in lots] == [
        ("B", 3, 3),
        ("A", 1, 1),
    ]
    assert [(x["lot_code"], x["delta"]) for x in posted.data["lines"]] == [("B", -3), ("A", -1)]
