"""Counts and reversals in lots (ADR 0032): the same rules and figures on both backends."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from application.principal import Principal
from application.queries.stock import GetMovementHandler
from application.use_cases.base import Deps
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from application.use_cases.reverse_movement import ReverseMovement, ReverseMovementHandler
from application.use_cases.update_item import UpdateItem, UpdateItemHandler
from domain.catalog import ItemChanges
from domain.counts import CountSession, ItemCount
from domain.errors import (
    CountMismatch,
    InsufficientStock,
    LotsNotSupported,
    NotFound,
    ReservedStockConflict,
    SerialLimit,
    ValidationFailed,
)
from domain.movements import AdjustmentReason, CountLine, LotRef, Movement, MovementType
from tests.contract import builders, workflow_builders
from tests.contract.lot_builders import by_code, level, line, lot_levels, post, receive, ship

JAN_10, JAN_20, JAN_30 = date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 30)


def counted(
    item_id: UUID,
    location_id: UUID,
    n: int,
    code: str | None = None,
    *,
    expires_on: date | None = None,
    expected: int | None = None,
    lot_id: UUID | None = None,
) -> CountLine:
    named = code is not None or lot_id is not None
    lot = LotRef(lot_id=lot_id, code=code, expires_on=expires_on) if named else None
    return CountLine(item_id, location_id, n, expected, lot)


async def count(deps: Deps, who: Principal, *lines: CountLine) -> Movement:
    return await post(deps, who, MovementType.COUNT, *lines)  # type: ignore[arg-type]


async def reverse(deps: Deps, who: Principal, movement_id: UUID) -> Movement:
    command = ReverseMovement(movement_id=movement_id)
    return (await ReverseMovementHandler(deps)(who, command)).value


async def test_a_count_sets_a_lot_and_moves_the_level_by_the_same_delta(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20), "B": (3, JAN_30)})

    movement = await count(deps, admin, counted(item.id, here.id, 2, "a"))

    assert [(x.lot_code, x.delta, x.on_hand_after) for x in movement.lines] == [("A", -3, 5)]
    found = await level(deps, admin, item.id, here.id)
    assert (found.on_hand, found.available) == (5, 5)
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (2, 2), "B": (3, 3)}


async def test_a_count_of_several_lots_and_of_a_lot_new_here(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    there = await builders.location(deps, admin)
    receipt = await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20)})
    a_id = receipt.lines[0].lot_id

    movement = await count(
        deps,
        admin,
        counted(item.id, there.id, 4, lot_id=a_id),  # A is known, not at this location
        counted(item.id, there.id, 1, "NEW", expires_on=JAN_10),  # a new lot
        counted(item.id, here.id, 6, "A", expected=5),
    )

    assert sorted((x.lot_code, x.delta) for x in movement.lines) == [
        ("A", 1),
        ("A", 4),
        ("NEW", 1),
    ]
    assert (await level(deps, admin, item.id, there.id)).on_hand == 5
    assert (await level(deps, admin, item.id, here.id)).on_hand == 6


async def test_count_lot_rules(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    plain = await builders.item(deps, admin)
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20)})

    with pytest.raises(ValidationFailed, match="name the lot"):
        await count(deps, admin, counted(item.id, here.id, 4))
    with pytest.raises(ValidationFailed, match="is new: give its expires_on"):
        await count(deps, admin, counted(item.id, here.id, 4, "NEW"))
    with pytest.raises(ValidationFailed, match="does not track lots"):
        await count(deps, admin, counted(plain.id, here.id, 4, "A"))
    with pytest.raises(ValidationFailed, match="once"):
        await count(
            deps, admin, counted(item.id, here.id, 4, "A"), counted(item.id, here.id, 3, "a")
        )
    with pytest.raises(NotFound):
        await count(deps, admin, counted(item.id, here.id, 4, lot_id=item.id))
    with pytest.raises(CountMismatch):
        await count(deps, admin, counted(item.id, here.id, 4, "A", expected=4))

    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (5, 5)}
    assert (await level(deps, admin, item.id, here.id)).on_hand == 5


async def test_a_serial_counts_at_most_one(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="serial")
    here = await builders.location(deps, admin)
    there = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"SN-1": (1, JAN_30)})

    with pytest.raises(SerialLimit):
        await count(deps, admin, counted(item.id, there.id, 1, "SN-1"))
    moved = await count(
        deps, admin, counted(item.id, here.id, 0, "SN-1"), counted(item.id, there.id, 1, "SN-1")
    )

    assert sorted(x.delta for x in moved.lines) == [-1, 1]


async def test_a_reversal_negates_each_line_in_its_lot(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (3, JAN_10), "B": (4, JAN_20)})
    shipped = await ship(deps, admin, item.id, here.id, 5)  # A 3, B 2 (FEFO)
    counted_b = await count(deps, admin, counted(item.id, here.id, 1, "B"))  # B 2 -> 1

    undone_count = await reverse(deps, admin, counted_b.id)
    undone_ship = await reverse(deps, admin, shipped.id)

    assert [(x.lot_code, x.delta) for x in undone_count.lines] == [("B", 1)]
    assert [(x.lot_code, x.delta) for x in undone_ship.lines] == [("A", 3), ("B", 2)]
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (3, 3), "B": (4, 4)}
    assert (await level(deps, admin, item.id, here.id)).on_hand == 7


async def test_a_reversal_is_refused_when_the_lot_no_longer_has_the_stock(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    receipt = await receive(deps, admin, item.id, here.id, {"A": (3, JAN_10), "B": (4, JAN_20)})
    await ship(deps, admin, item.id, here.id, 2, "A")  # A holds 1 of the 3 it received

    with pytest.raises(InsufficientStock) as refused:
        await reverse(deps, admin, receipt.id)

    assert refused.value.extra["lines"][0]["lot_id"] == str(receipt.lines[0].lot_id)
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (1, 1), "B": (4, 4)}
    adjust = line(item.id, here.id, 2, "A")
    await post(deps, admin, MovementType.ADJUSTMENT, adjust, reason=AdjustmentReason.FOUND)
    reversal = await reverse(deps, admin, receipt.id)
    assert [(x.lot_code, x.delta) for x in reversal.lines] == [("A", -3), ("B", -4)]
    assert (await level(deps, admin, item.id, here.id)).on_hand == 0


async def test_a_reversal_of_a_serial_return_keeps_the_serial_limit(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="serial")
    here = await builders.location(deps, admin)
    there = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"SN-1": (1, JAN_30)})
    shipped = await ship(deps, admin, item.id, here.id, 1, "SN-1")
    await count(deps, admin, counted(item.id, there.id, 1, "SN-1"))  # found elsewhere

    with pytest.raises(SerialLimit):
        await reverse(deps, admin, shipped.id)


async def test_a_reversal_of_an_untracked_line_of_a_tracked_item_is_refused(
    deps: Deps, admin: Principal
) -> None:
    # Lines written before tracking was switched on carry no lot: still refused (ADR 0027).
    item = await builders.item(deps, admin)
    here = await builders.location(deps, admin)
    receipt = await post(deps, admin, MovementType.RECEIPT, line(item.id, here.id, 2))
    await post(deps, admin, MovementType.SHIPMENT, line(item.id, here.id, 2))
    await UpdateItemHandler(deps)(
        admin, UpdateItem(item_id=item.id, changes=ItemChanges(tracking="lot"))
    )
    with pytest.raises(LotsNotSupported):
        await reverse(deps, admin, receipt.id)


async def record_lots(
    deps: Deps, who: Principal, session: UUID, counts: dict[tuple[UUID, str | None], int]
) -> CountSession:
    """Record counts: (item, lot code or None) -> counted."""
    lines = tuple(
        ItemCount(item, n, None if code is None else LotRef(code=code))
        for (item, code), n in counts.items()
    )
    return await RecordCountsHandler(deps)(who, RecordCounts(session_id=session, lines=lines))


async def test_a_count_session_counts_lots_against_their_snapshot(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    plain = await builders.item(deps, admin)
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20), "B": (3, JAN_30)})
    await post(deps, admin, MovementType.RECEIPT, line(plain.id, here.id, 4))
    session = await workflow_builders.open_count(deps, admin, here.id)

    recorded = await record_lots(
        deps, admin, session.id, {(item.id, "A"): 4, (item.id, "b"): 3, (plain.id, None): 4}
    )
    await ship(deps, admin, item.id, here.id, 2, "A")  # a sale during the count stays applied
    await record_lots(deps, admin, session.id, {(item.id, "A"): 2})  # a recount keeps 5
    posted = await workflow_builders.post_count(deps, admin, session.id)

    by_lot = {(x.item_id, x.lot_code): (x.expected, x.counted) for x in posted.lines}
    assert by_lot[(item.id, "A")] == (5, 2)
    assert by_lot[(item.id, "B")] == (3, 3)
    assert by_lot[(plain.id, None)] == (4, 4)
    assert by_lot[(item.id, None)] == (8, None)  # the item's line at open: never posted
    assert [x.lot_code for x in recorded.lines if x.item_id == item.id] == [None, "A", "B"]
    assert posted.movement_id is not None
    movement = await GetMovementHandler(deps)(admin, posted.movement_id)
    assert sorted((str(x.lot_code), x.delta) for x in movement.lines) == [
        ("A", -3),
        ("B", 0),
        ("None", 0),
    ]
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (0, 0), "B": (3, 3)}
    assert (await level(deps, admin, item.id, here.id)).on_hand == 3


async def test_count_session_lot_rules(deps: Deps, admin: Principal) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    plain = await builders.item(deps, admin)
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20)})
    session = await workflow_builders.open_count(deps, admin, here.id, (item.id,))

    with pytest.raises(ValidationFailed, match="name the lot"):
        await record_lots(deps, admin, session.id, {(item.id, None): 1})
    with pytest.raises(ValidationFailed, match="does not track lots"):
        await record_lots(deps, admin, session.id, {(plain.id, "A"): 1})
    with pytest.raises(ValidationFailed, match="is new: give its expires_on"):
        await record_lots(deps, admin, session.id, {(item.id, "NEW"): 1})
    with pytest.raises(ValidationFailed, match="once"):
        await record_lots(deps, admin, session.id, {(item.id, "A"): 1, (item.id, "a"): 2})
    new_lot = ItemCount(item.id, 2, LotRef(code="NEW", expires_on=JAN_30))
    command = RecordCounts(session_id=session.id, lines=(new_lot,))
    recorded = await RecordCountsHandler(deps)(admin, command)  # found on the shelf: expected 0
    assert [(x.lot_code, x.expected, x.counted) for x in recorded.lines] == [
        (None, 5, None),
        ("NEW", 0, 2),
    ]
    posted = await workflow_builders.post_count(deps, admin, session.id)
    assert posted.movement_id is not None
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (5, 5), "NEW": (2, 2)}
    assert (await level(deps, admin, item.id, here.id)).on_hand == 7


async def test_a_count_session_never_takes_a_lot_below_nothing(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_20), "B": (5, JAN_30)})
    session = await workflow_builders.open_count(deps, admin, here.id)
    await record_lots(deps, admin, session.id, {(item.id, "A"): 1})  # snapshot 5: delta -4
    await ship(deps, admin, item.id, here.id, 3, "A")  # A holds 2: 2 - 4 < 0

    with pytest.raises(ReservedStockConflict):
        await workflow_builders.post_count(deps, admin, session.id)
    assert by_code(await lot_levels(deps, admin, item.id)) == {"A": (2, 2), "B": (5, 5)}


async def test_lines_in_lots_of_an_item_that_stopped_tracking_are_refused(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    receipt = await receive(deps, admin, item.id, here.id, {"A": (2, JAN_30)})
    await ship(deps, admin, item.id, here.id, 2, "A")
    await UpdateItemHandler(deps)(
        admin, UpdateItem(item_id=item.id, changes=ItemChanges(tracking="none"))
    )

    with pytest.raises(LotsNotSupported, match="no longer tracks lots"):
        await reverse(deps, admin, receipt.id)
