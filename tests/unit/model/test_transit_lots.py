"""Transfer lines in lots (ADR 0034): what a receipt takes from which lot, and the steps that
put stock back into the same lots."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.errors import InvalidTransferState, ValidationFailed
from domain.lots import InLot, Lot
from domain.movements import LotRef
from domain.stock import Arrive, Expect, LevelKey, Return
from domain.transfers import ItemQuantity, Transfer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, PLAIN = uuid4(), uuid4()
SOURCE, DESTINATION = uuid4(), uuid4()


def lot(code: str, expires_on: date | None) -> Lot:
    return Lot.create(id=uuid4(), item_id=A, code=code, expires_on=expires_on, now=NOW)


LATE, EARLY, NEVER = lot("LATE", date(2026, 5, 1)), lot("EARLY", date(2026, 3, 1)), lot("N", None)


def in_lots() -> Transfer:
    """6 of A out of LATE (2), NEVER (1) and EARLY (3), and 2 of an untracked item."""
    transfer = Transfer.ship(
        id=uuid4(),
        from_location_id=SOURCE,
        to_location_id=DESTINATION,
        lines=(ItemQuantity(A, 6), ItemQuantity(PLAIN, 2)),
        reference=None,
        note=None,
        created_by="u",
        now=NOW,
    )
    return transfer.with_shipped_lots({A: [(LATE, 1), (NEVER, 1), (EARLY, 3), (LATE, 1)]})


def received(transfer: Transfer) -> dict[str, int]:
    return {t.lot.code: t.received for t in transfer.lines[0].lots}


def test_the_lots_shipped_are_recorded_once_each_and_add_up_to_the_line() -> None:
    transfer = in_lots()

    assert [(t.lot.code, t.shipped) for t in transfer.lines[0].lots] == [
        ("LATE", 2),
        ("N", 1),
        ("EARLY", 3),
    ]
    assert transfer.lines[1].lots == ()
    with pytest.raises(AssertionError):
        transfer.with_shipped_lots({A: [(LATE, 1)]})


def test_a_part_naming_no_lot_takes_the_earliest_expiry_first_even_expired() -> None:
    after = in_lots().receive((ItemQuantity(A, 4),), NOW)

    assert received(after) == {"EARLY": 3, "LATE": 1, "N": 0}  # no date last
    assert after.lines[0].received == 4


def test_named_parts_go_first_then_the_rest_by_expiry() -> None:
    parts = (ItemQuantity(A, 3), ItemQuantity(A, 2, LotRef(code="early")))

    after = in_lots().receive(parts, NOW)

    assert received(after) == {"EARLY": 3, "LATE": 2, "N": 0}


def test_receiving_all_takes_every_lot() -> None:
    after = in_lots().receive(None, NOW)

    assert received(after) == {"EARLY": 3, "LATE": 2, "N": 1}
    assert [t.in_transit for t in after.lines[0].lots] == [0, 0, 0]


@pytest.mark.parametrize(
    "parts",
    [
        (ItemQuantity(A, 3, LotRef(code="LATE")),),  # LATE has 2 in transit
        (ItemQuantity(A, 1, LotRef(code="OTHER")),),  # not on this line
        (ItemQuantity(A, 1, LotRef(lot_id=uuid4())),),
        (ItemQuantity(A, 2, LotRef(code="N")), ItemQuantity(A, 5)),  # 7 > 6
    ],
)
def test_a_receipt_beyond_a_lots_transit_is_refused(parts: tuple[ItemQuantity, ...]) -> None:
    with pytest.raises(InvalidTransferState):
        in_lots().receive(parts, NOW)


def test_a_lot_on_an_untracked_line_is_422() -> None:
    parts = (ItemQuantity(A, 1), ItemQuantity(PLAIN, 1, LotRef(code="LATE")))

    with pytest.raises(ValidationFailed) as refused:
        in_lots().receive(parts, NOW)

    assert refused.value.extra["field"] == "lines[1].lot_code"


def test_receiving_arrives_into_the_same_lots_and_cancelling_returns_into_them() -> None:
    before = in_lots()
    part = before.receive((ItemQuantity(A, 4), ItemQuantity(PLAIN, 1)), NOW)
    cancelled = part.cancel(NOW)
    here, there = LevelKey(A, SOURCE), LevelKey(A, DESTINATION)

    assert part.receiving_steps(before) == [  # in the line's lot order
        (there, InLot(Arrive(1), LATE)),
        (there, InLot(Arrive(3), EARLY)),
        (LevelKey(PLAIN, DESTINATION), Arrive(1)),
    ]
    assert cancelled.cancelling_steps(part) == [
        (here, InLot(Return(1), LATE)),
        (here, InLot(Return(1), NEVER)),
        (there, Expect(-2)),
        (LevelKey(PLAIN, SOURCE), Return(1)),
        (LevelKey(PLAIN, DESTINATION), Expect(-1)),
    ]
    assert [(t.lot.code, t.cancelled) for t in cancelled.lines[0].lots] == [
        ("LATE", 1),
        ("N", 1),
        ("EARLY", 0),
    ]


def test_a_redated_lot_reads_with_its_new_date() -> None:
    later = Lot(id=EARLY.id, item_id=A, code="EARLY", expires_on=date(2026, 9, 1), created_at=NOW)

    after = in_lots().with_lot(later).receive((ItemQuantity(A, 2),), NOW)

    assert received(after) == {"LATE": 2, "N": 0, "EARLY": 0}
