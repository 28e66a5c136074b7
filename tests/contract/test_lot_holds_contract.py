"""Holds in lots, the port both adapters will serve reservations of tracked items with
(ADR 0031): FEFO or the lot named, release to the same lots, fulfil from them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from application.lot_ports import HoldChange
from application.principal import Principal
from application.use_cases.base import Deps
from domain.errors import InsufficientStock, LotExpired
from domain.lot_holds import HoldInLots, LotHold
from domain.lots import Lot
from domain.stock import Fulfil, LevelKey, Release, Reserve
from tests.contract import builders
from tests.contract.lot_builders import level, lot_levels, receive

JAN_10, JAN_20, JAN_30 = date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 30)
JAN_5 = datetime(2026, 1, 5, tzinfo=UTC)


async def _hold(deps: Deps, who: Principal, key: LevelKey, step: HoldInLots) -> HoldChange:
    assert who.org_id is not None
    async with deps.uow(who.org_id) as uow:
        changed = await uow.lots.hold(key, step, deps.clock.now())
        await uow.commit()
    return changed


async def _lots(deps: Deps, who: Principal, item_id: UUID) -> dict[str, tuple[int, int]]:
    """code -> (on_hand, reserved) of each lot position."""
    page = await lot_levels(deps, who, item_id)
    return {r.position.lot.code: (r.position.on_hand, r.position.reserved) for r in page.items}


async def _by_code(deps: Deps, who: Principal, item_id: UUID, code: str) -> Lot:
    assert who.org_id is not None
    async with deps.uow(who.org_id) as uow:
        found = await uow.lots.by_code(item_id, code)
    assert found is not None
    return found


async def test_fefo_holds_split_over_unexpired_lots_and_the_level_is_their_sum(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    clock.set(JAN_5)
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(
        deps, admin, item.id, here.id, {"OLD": (4, JAN_10), "MID": (3, JAN_20), "NEW": (5, JAN_30)}
    )
    key = LevelKey(item.id, here.id)
    clock.set(datetime(2026, 1, 11, tzinfo=UTC))  # OLD has expired

    held = await _hold(deps, admin, key, HoldInLots(Reserve(5)))

    assert [(h.lot.code, h.quantity) for h in held.holds] == [("MID", 3), ("NEW", 2)]
    assert (held.level.on_hand, held.level.reserved, held.on_hand_delta) == (12, 5, 0)
    assert await _lots(deps, admin, item.id) == {"OLD": (4, 0), "MID": (3, 3), "NEW": (5, 2)}
    found = await level(deps, admin, item.id, here.id)
    assert (found.on_hand, found.reserved, found.available) == (12, 5, 3)
    with pytest.raises(InsufficientStock):
        await _hold(deps, admin, key, HoldInLots(Reserve(4)))
    old = await _by_code(deps, admin, item.id, "OLD")
    with pytest.raises(LotExpired):
        await _hold(deps, admin, key, HoldInLots(Reserve(1), lot=old))
    assert await _lots(deps, admin, item.id) == {"OLD": (4, 0), "MID": (3, 3), "NEW": (5, 2)}


async def test_release_and_fulfil_go_to_the_lots_that_hold(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    clock.set(JAN_5)
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (4, JAN_20), "B": (6, JAN_30)})
    key = LevelKey(item.id, here.id)
    b = await _by_code(deps, admin, item.id, "B")

    named = await _hold(deps, admin, key, HoldInLots(Reserve(2), lot=b))
    fefo = await _hold(deps, admin, key, HoldInLots(Reserve(6)))
    assert named.holds == (LotHold(b, 2),)
    assert [(h.lot.code, h.quantity) for h in fefo.holds] == [("A", 4), ("B", 2)]

    await _hold(deps, admin, key, HoldInLots(Release(2), holds=named.holds))
    shipped = await _hold(deps, admin, key, HoldInLots(Fulfil(6), holds=fefo.holds))

    assert [(m.lot.code, m.delta, m.on_hand_after) for m in shipped.moves] == [
        ("A", -4, 0),
        ("B", -2, 4),
    ]
    assert (shipped.level.on_hand, shipped.level.reserved, shipped.on_hand_delta) == (4, 0, -6)
    assert (await _lots(deps, admin, item.id))["B"] == (4, 0)


async def test_fulfilling_a_hold_in_a_lot_expired_since_is_lot_expired(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    clock.set(JAN_5)
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(deps, admin, item.id, here.id, {"A": (4, JAN_10)})
    key = LevelKey(item.id, here.id)
    held = await _hold(deps, admin, key, HoldInLots(Reserve(3)))
    clock.set(datetime(2026, 1, 11, tzinfo=UTC))

    with pytest.raises(LotExpired):
        await _hold(deps, admin, key, HoldInLots(Fulfil(3), holds=held.holds))
    released = await _hold(deps, admin, key, HoldInLots(Release(3), holds=held.holds))

    assert (released.level.reserved, released.level.expired_unreserved) == (0, 4)
    assert await _lots(deps, admin, item.id) == {"A": (4, 0)}
