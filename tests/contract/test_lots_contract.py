"""Lots and expiry dates (ADRs 0024-0027): the same rules, answers and figures on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.clock import ManualClock
from application.importing import ImportStock, ImportStockHandler, StockImporter
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.update_item import UpdateItem, UpdateItemHandler
from domain.catalog import ItemChanges
from domain.errors import (
    InsufficientStock,
    LotExpired,
    NotFound,
    SerialLimit,
    TrackingLocked,
    ValidationFailed,
)
from domain.lots import Tracking
from domain.movements import (
    AdjustmentReason,
    CountLine,
    MovementRequest,
    MovementType,
)
from tests.contract import builders, workflow_builders
from tests.contract.lot_builders import by_code, level, line, lot_levels, post, receive, ship

JAN_10, JAN_20, JAN_30 = date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 30)


async def test_a_receipt_names_lots_and_the_level_is_their_sum(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)

    receipt = await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20), "B": (3, JAN_10)})
    again = await post(deps, admin, MovementType.RECEIPT, line(item.id, here.id, 2, "a"))

    assert item.tracking is Tracking.LOT
    assert [(x.lot_code, x.delta, x.on_hand_after) for x in receipt.lines] == [
        ("A", 5, 5),
        ("B", 3, 8),
    ]
    assert [(x.lot_code, x.delta) for x in again.lines] == [("A", 2)]  # the code ignores case
    found = await level(deps, admin, item.id, here.id)
    assert (found.on_hand, found.reserved, found.available, found.expired) == (10, 0, 10, 0)
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (7, 7), "B": (3, 3)}


async def test_lot_rules_on_lines_are_422(deps: Deps, admin: Principal) -> None:
    tracked = await builders.item(deps, admin, tracking="lot")
    plain = await builders.item(deps, admin)
    here = await builders.location(deps, admin)

    with pytest.raises(ValidationFailed, match="name the lot"):
        await post(deps, admin, MovementType.RECEIPT, line(tracked.id, here.id, 1))
    with pytest.raises(ValidationFailed, match="is new: give its expires_on"):
        await post(deps, admin, MovementType.RECEIPT, line(tracked.id, here.id, 1, "NEW"))
    with pytest.raises(ValidationFailed, match="does not track lots"):
        await post(deps, admin, MovementType.RECEIPT, line(plain.id, here.id, 1, "A", JAN_10))
    with pytest.raises(NotFound):
        await ship(deps, admin, tracked.id, here.id, 1, "NOPE")


async def test_a_shipment_of_no_lot_takes_the_earliest_expiry_first(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"LATE": (4, JAN_30), "SOON": (3, JAN_10)})
    await receive(deps, admin, item.id, here.id, {"MID-B": (2, JAN_20), "MID-A": (2, JAN_20)})

    shipped = await ship(deps, admin, item.id, here.id, 6)

    assert [(x.lot_code, x.delta, x.on_hand_after) for x in shipped.lines] == [
        ("SOON", -3, 8),
        ("MID-A", -2, 6),
        ("MID-B", -1, 5),
    ]
    with pytest.raises(InsufficientStock) as refused:
        await ship(deps, admin, item.id, here.id, 6)  # all or nothing
    assert refused.value.extra["lines"][0]["available"] == 5
    assert by_code(await lot_levels(deps, admin, item.id)) == {
        "LATE": (4, 4),
        "MID-A": (0, 0),
        "MID-B": (1, 1),
        "SOON": (0, 0),
    }


async def test_expired_lots_are_never_shipped_and_are_written_off(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"OLD": (5, JAN_10), "NEW": (3, JAN_30)})

    clock.set(datetime(2026, 1, 11, tzinfo=UTC))  # OLD expired yesterday

    found = await level(deps, admin, item.id, here.id)
    assert (found.on_hand, found.available, found.expired) == (8, 3, 5)
    with pytest.raises(LotExpired):
        await ship(deps, admin, item.id, here.id, 1, "OLD")
    with pytest.raises(InsufficientStock):
        await ship(deps, admin, item.id, here.id, 4)
    shipped = await ship(deps, admin, item.id, here.id, 3)
    assert [(x.lot_code, x.delta) for x in shipped.lines] == [("NEW", -3)]

    written_off = await post(
        deps,
        admin,
        MovementType.ADJUSTMENT,
        line(item.id, here.id, -5, "OLD"),
        reason=AdjustmentReason.EXPIRED,
    )
    assert [(x.lot_code, x.delta, x.on_hand_after) for x in written_off.lines] == [("OLD", -5, 0)]
    found = await level(deps, admin, item.id, here.id)
    assert (found.on_hand, found.available, found.expired) == (0, 0, 0)


async def test_a_lot_expires_at_the_end_of_its_day_in_utc(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"D": (2, JAN_10)})

    clock.set(datetime(2026, 1, 10, 23, 59, tzinfo=UTC))
    assert (await level(deps, admin, item.id, here.id)).available == 2
    clock.set(datetime(2026, 1, 11, 0, 0, tzinfo=UTC))
    assert (await level(deps, admin, item.id, here.id)).available == 0


async def test_a_serial_never_holds_more_than_one_unit(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="serial")
    here = await builders.location(deps, admin)
    there = await builders.location(deps, admin)

    with pytest.raises(SerialLimit):
        await receive(deps, admin, item.id, here.id, {"SN-1": (2, JAN_30)})
    await receive(deps, admin, item.id, here.id, {"SN-1": (1, JAN_30)})
    with pytest.raises(SerialLimit):
        await receive(deps, admin, item.id, there.id, {"SN-1": (1, JAN_30)})
    await ship(deps, admin, item.id, here.id, 1)
    await receive(deps, admin, item.id, there.id, {"SN-1": (1, JAN_30)})  # back in, elsewhere

    page = await lot_levels(deps, admin, item.id)
    held = {r.location_id: r.position.on_hand for r in page.items}
    assert held == {here.id: 0, there.id: 1}


async def test_tracking_changes_only_while_the_item_holds_nothing(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin)
    here = await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 2)

    with pytest.raises(TrackingLocked):
        await UpdateItemHandler(deps)(
            admin, UpdateItem(item_id=item.id, changes=ItemChanges(tracking="lot"))
        )
    await post(deps, admin, MovementType.SHIPMENT, line(item.id, here.id, 2))
    changed = await UpdateItemHandler(deps)(
        admin, UpdateItem(item_id=item.id, changes=ItemChanges(tracking="lot"))
    )

    assert changed.tracking is Tracking.LOT


async def test_every_path_takes_tracked_items_in_lots(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    there = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30)})

    # Reservations hold lots (ADR 0031, tests/contract/test_reservation_lots_contract.py);
    # transfers in transit carry them (ADR 0034, tests/contract/test_transit_lots_contract.py).
    shipped = await workflow_builders.ship(deps, admin, here.id, there.id, {item.id: 1})
    assert [t.lot.code for t in shipped.transfer.lines[0].lots] == ["A"]
    counted = MovementRequest(type=MovementType.COUNT, lines=(CountLine(item.id, here.id, 4),))
    with pytest.raises(ValidationFailed, match="name the lot"):  # counts take lots (ADR 0032)
        await PostMovementHandler(deps)(admin, counted)
    assert (await level(deps, admin, item.id, here.id)).on_hand == 4


async def test_the_import_refuses_tracked_items(
    deps: Deps, admin: Principal, importer: StockImporter
) -> None:
    item = await builders.item(deps, admin, "LOT-SKU", tracking="lot")
    here = await builders.location(deps, admin, "MAIN")
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30)})
    session = await workflow_builders.open_count(deps, admin, here.id)

    with pytest.raises(ValidationFailed, match="name the lot"):  # sessions count lots (0032)
        await workflow_builders.record(deps, admin, session.id, {item.id: 3})
    handler = ImportStockHandler(importer, deps.clock, deps.ids)
    text = "sku,location_code,quantity\nLOT-SKU,MAIN,4\n"
    result = await handler(admin, ImportStock(lines=text.splitlines(keepends=True)))

    assert result.summary is None
    assert [(p.line, p.message) for p in result.problems] == [
        (2, "item 'LOT-SKU' is lot-tracked: name its lot (lot and expires_on columns)")
    ]
    assert (await level(deps, admin, item.id, here.id)).on_hand == 5
