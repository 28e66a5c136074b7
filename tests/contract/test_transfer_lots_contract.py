"""One-step transfers of lot-tracked items (ADR 0033) on both backends: out of a lot at the
source and into the same lot at the target; no lot named: first-expiry-first-out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import InsufficientStock, LotExpired, ValidationFailed
from domain.movements import LotRef, Movement, MovementRequest, MovementType, TransferLine
from tests.contract import builders
from tests.contract.lot_builders import level, lot_levels, receive

JAN_20, JAN_30 = date(2026, 1, 20), date(2026, 1, 30)


async def transfer(deps: Deps, who: Principal, line: TransferLine) -> Movement:
    request = MovementRequest(type=MovementType.TRANSFER, lines=(line,))
    return (await PostMovementHandler(deps)(who, request)).value


async def positions(deps: Deps, who: Principal, item_id: UUID) -> dict[tuple[UUID, str], int]:
    page = await lot_levels(deps, who, item_id)
    return {(r.location_id, r.position.lot.code): r.position.on_hand for r in page.items}


async def test_a_transfer_moves_a_named_lot_into_the_same_lot_there(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})

    moved = await transfer(
        deps, admin, TransferLine(item.id, here.id, there.id, 2, LotRef(code="a"))
    )

    assert await positions(deps, admin, item.id) == {
        (here.id, "A"): 3,
        (here.id, "B"): 3,
        (there.id, "A"): 2,
    }
    assert [(ln.location_id, ln.delta, ln.lot_code) for ln in moved.lines] == [
        (here.id, -2, "A"),
        (there.id, 2, "A"),
    ]
    assert (await level(deps, admin, item.id, there.id)).on_hand == 2


async def test_a_transfer_of_no_lot_takes_first_expiry_first_out_one_pair_per_lot(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})

    moved = await transfer(deps, admin, TransferLine(item.id, here.id, there.id, 4))

    assert [(ln.location_id, ln.delta, ln.lot_code) for ln in moved.lines] == [
        (here.id, -3, "B"),
        (there.id, 3, "B"),
        (here.id, -1, "A"),
        (there.id, 1, "A"),
    ]
    assert await positions(deps, admin, item.id) == {
        (here.id, "A"): 4,
        (here.id, "B"): 0,
        (there.id, "A"): 1,
        (there.id, "B"): 3,
    }
    with pytest.raises(InsufficientStock):
        await transfer(deps, admin, TransferLine(item.id, here.id, there.id, 5))


async def test_an_expired_lot_is_never_transferred(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin, tracking="lot")
    plain = await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (5, JAN_30), "B": (3, JAN_20)})
    clock.set(datetime(2026, 1, 21, tzinfo=UTC))  # B expired yesterday

    with pytest.raises(LotExpired):
        await transfer(deps, admin, TransferLine(item.id, here.id, there.id, 1, LotRef(code="B")))
    with pytest.raises(InsufficientStock):
        await transfer(deps, admin, TransferLine(item.id, here.id, there.id, 6))
    moved = await transfer(deps, admin, TransferLine(item.id, here.id, there.id, 5))
    with pytest.raises(ValidationFailed):
        await transfer(deps, admin, TransferLine(plain.id, here.id, there.id, 1, LotRef(code="A")))

    assert [ln.lot_code for ln in moved.lines] == ["A", "A"]
    assert (await level(deps, admin, item.id, here.id)).on_hand == 3
