"""Reservations in lots (ADR 0031): the domain rules both adapters will call under the lock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from domain.errors import InsufficientStock, InvalidTransition, LotExpired
from domain.lot_holds import (
    LotHold,
    fulfil_in_lots,
    release_in_lots,
    reserve_in_lots,
    take_holds,
)
from domain.lots import Lot, LotPosition
from domain.stock import StockLevel

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ITEM = uuid4()


def a_lot(code: str, expires_on: date | None) -> Lot:
    return Lot.create(id=uuid4(), item_id=ITEM, code=code, expires_on=expires_on, now=NOW)


def a_level(positions: dict[UUID, LotPosition]) -> StockLevel:
    on_hand = sum(p.on_hand for p in positions.values())
    reserved = sum(p.reserved for p in positions.values())
    expired = [p for p in positions.values() if p.lot.is_expired(NOW.date())]
    return StockLevel(
        item_id=ITEM,
        location_id=uuid4(),
        on_hand=on_hand,
        reserved=reserved,
        version=1,
        updated_at=NOW,
        expired=sum(p.on_hand for p in expired),
        expired_unreserved=sum(p.on_hand - p.reserved for p in expired),
    )


OLD = a_lot("OLD", date(2026, 5, 1))  # expired
SOON = a_lot("SOON", date(2026, 6, 10))
LATE = a_lot("LATE", date(2026, 9, 1))
NEVER = a_lot("NEVER", None)


def stock(*entries: tuple[Lot, int, int]) -> dict[UUID, LotPosition]:
    return {lot.id: LotPosition(lot, on_hand, reserved) for lot, on_hand, reserved in entries}


def assert_level_is_sum(level: StockLevel, positions: dict[UUID, LotPosition]) -> None:
    assert level.on_hand == sum(p.on_hand for p in positions.values())
    assert level.reserved == sum(p.reserved for p in positions.values())


def test_fefo_reserve_takes_the_earliest_unexpired_lot_and_splits() -> None:
    positions = stock((OLD, 10, 0), (NEVER, 10, 0), (LATE, 10, 0), (SOON, 4, 1))
    level = a_level(positions)
    after_level, after, holds = reserve_in_lots(level, positions, 8, None, NOW)
    assert [(h.lot.code, h.quantity) for h in holds] == [("SOON", 3), ("LATE", 5)]
    assert after[OLD.id].reserved == 0
    assert after[SOON.id].reserved == 4
    assert after[LATE.id].reserved == 5
    assert_level_is_sum(after_level, after)


def test_fefo_reserve_is_all_or_nothing_over_unexpired_lots() -> None:
    positions = stock((OLD, 10, 0), (SOON, 3, 0))
    with pytest.raises(InsufficientStock) as refused:
        reserve_in_lots(a_level(positions), positions, 4, None, NOW)
    assert refused.value.extra["lines"][0]["available"] == 3


def test_naming_an_expired_lot_is_lot_expired() -> None:
    positions = stock((OLD, 10, 0))
    with pytest.raises(LotExpired):
        reserve_in_lots(a_level(positions), positions, 1, OLD, NOW)


def test_naming_a_lot_holds_only_that_lot() -> None:
    positions = stock((SOON, 5, 0), (LATE, 5, 0))
    level, after, holds = reserve_in_lots(a_level(positions), positions, 5, LATE, NOW)
    assert holds == [LotHold(LATE, 5)]
    assert after[SOON.id].reserved == 0
    assert_level_is_sum(level, after)
    with pytest.raises(InsufficientStock):
        reserve_in_lots(level, after, 1, LATE, NOW)


def test_release_gives_back_to_the_same_lots() -> None:
    positions = stock((SOON, 5, 3), (LATE, 5, 2))
    level, after = release_in_lots(
        a_level(positions), positions, [LotHold(SOON, 3), LotHold(LATE, 1)], NOW
    )
    assert (after[SOON.id].reserved, after[LATE.id].reserved) == (0, 1)
    assert_level_is_sum(level, after)


def test_release_of_a_lot_expired_since_leaves_it_unreserved_for_the_write_off() -> None:
    positions = stock((OLD, 5, 5))
    level, _ = release_in_lots(a_level(positions), positions, [LotHold(OLD, 5)], NOW)
    assert level.reserved == 0
    assert level.expired_unreserved == 5
    assert level.available == 0


def test_fulfil_ships_from_the_recorded_lots() -> None:
    positions = stock((SOON, 5, 3), (LATE, 5, 2))
    level, after, moves = fulfil_in_lots(
        a_level(positions), positions, [LotHold(SOON, 3), LotHold(LATE, 2)], NOW
    )
    assert [(m.lot.code, m.delta, m.on_hand_after) for m in moves] == [
        ("SOON", -3, 2),
        ("LATE", -2, 3),
    ]
    assert all(p.reserved == 0 for p in after.values())
    assert_level_is_sum(level, after)


def test_fulfil_refuses_a_lot_expired_since_it_was_reserved() -> None:
    positions = stock((OLD, 5, 5), (SOON, 5, 0))
    with pytest.raises(LotExpired):
        fulfil_in_lots(a_level(positions), positions, [LotHold(OLD, 5)], NOW)


def test_partial_settle_consumes_the_holds_in_the_recorded_order() -> None:
    holds = [LotHold(SOON, 3), LotHold(LATE, 5)]
    taken, left = take_holds(holds, 4)
    assert taken == [LotHold(SOON, 3), LotHold(LATE, 1)]
    assert left == [LotHold(LATE, 4)]
    with pytest.raises(InvalidTransition):
        take_holds(holds, 9)
