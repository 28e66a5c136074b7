"""``apply_in_lots`` for counts and reversals (ADR 0032): a lot's count never goes below what
the lot holds reserved, and the level moves by the lot's delta."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from domain.errors import CountMismatch, ReservedStockConflict
from domain.lots import InLot, Lot, LotPosition, apply_in_lots
from domain.stock import Count, LevelKey, Recount, Return, StockLevel

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = LevelKey(uuid4(), uuid4())


def setup() -> tuple[StockLevel, dict[UUID, LotPosition], Lot, Lot]:
    a = Lot.create(id=uuid4(), item_id=KEY.item_id, code="A", expires_on=date(2026, 2, 1), now=NOW)
    b = Lot.create(id=uuid4(), item_id=KEY.item_id, code="B", expires_on=None, now=NOW)
    level = replace(StockLevel.empty(KEY, NOW), on_hand=8, reserved=3, version=1)
    return level, {a.id: LotPosition(a, 5, 3), b.id: LotPosition(b, 3)}, a, b


def test_a_count_sets_the_lot_and_moves_the_level_by_the_delta() -> None:
    level, positions, a, _ = setup()

    after, lots, moves = apply_in_lots(level, positions, InLot(Count(4, 5), a), NOW)

    assert (after.on_hand, after.reserved, lots[a.id].on_hand) == (7, 3, 4)
    assert [(m.lot.code, m.delta, m.on_hand_after) for m in moves] == [("A", -1, 4)]


def test_a_count_never_takes_a_lot_below_its_reserved() -> None:
    level, positions, a, b = setup()

    with pytest.raises(ReservedStockConflict) as refused:
        apply_in_lots(level, positions, InLot(Count(2), a), NOW)
    assert refused.value.extra["positions"][0]["lot_id"] == str(a.id)
    with pytest.raises(ReservedStockConflict):
        apply_in_lots(level, positions, InLot(Recount(-3), a), NOW)
    with pytest.raises(CountMismatch):
        apply_in_lots(level, positions, InLot(Count(2, expected_on_hand=2), b), NOW)


def test_a_recount_and_a_return_move_the_lot_and_the_level() -> None:
    level, positions, a, b = setup()

    after, lots, _ = apply_in_lots(level, positions, InLot(Recount(-2), b), NOW)
    back, again, _ = apply_in_lots(after, lots, InLot(Return(4), a), NOW)

    assert (after.on_hand, lots[b.id].on_hand) == (6, 1)
    assert (back.on_hand, again[a.id].on_hand) == (10, 9)
