"""MovementRequest: validation on construction, and the level changes it turns into."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import ValidationFailed
from domain.movements import (
    MAX_LINES,
    AdjustmentReason,
    CountLine,
    MovementRequest,
    MovementType,
    QuantityLine,
    RequestLine,
    TransferLine,
    adds_stock,
)
from domain.stock import Adjust, Count, LevelKey, Receive, Ship

ITEM, HERE, THERE = uuid4(), uuid4(), uuid4()
QTY = QuantityLine(ITEM, HERE, 3)
MOVE = TransferLine(ITEM, HERE, THERE, 3)
COUNTED = CountLine(ITEM, HERE, 3)


def test_an_adjustment_requires_a_reason() -> None:
    with pytest.raises(ValidationFailed) as refused:
        MovementRequest(type=MovementType.ADJUSTMENT, lines=(QTY,))

    assert refused.value.extra["field"] == "reason"


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (MovementType.RECEIPT, QTY),
        (MovementType.SHIPMENT, QTY),
        (MovementType.TRANSFER, MOVE),
        (MovementType.COUNT, COUNTED),
    ],
)
def test_only_adjustments_take_a_reason(kind: MovementType, line: RequestLine) -> None:
    MovementRequest(type=kind, lines=(line,))
    with pytest.raises(ValidationFailed):
        MovementRequest(type=kind, lines=(line,), reason=AdjustmentReason.OTHER)


@pytest.mark.parametrize(
    ("kind", "wrong"),
    [
        (MovementType.RECEIPT, MOVE),
        (MovementType.SHIPMENT, COUNTED),
        (MovementType.TRANSFER, QTY),
        (MovementType.COUNT, QTY),
    ],
)
def test_lines_must_have_the_shape_of_the_movement_type(
    kind: MovementType, wrong: RequestLine
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        MovementRequest(type=kind, lines=(wrong,))
    assert refused.value.extra["field"] == "lines"


@pytest.mark.parametrize("kind", [MovementType.RECEIPT, MovementType.SHIPMENT])
@pytest.mark.parametrize("quantity", [0, -1, True])
def test_receipts_and_shipments_need_a_positive_quantity(kind: MovementType, quantity: int) -> None:
    with pytest.raises(ValidationFailed):
        MovementRequest(type=kind, lines=(QuantityLine(ITEM, HERE, quantity),))


def test_an_adjustment_quantity_is_signed_but_not_zero() -> None:
    for quantity in (-4, 4):
        MovementRequest(
            type=MovementType.ADJUSTMENT,
            reason=AdjustmentReason.DAMAGED,
            lines=(QuantityLine(ITEM, HERE, quantity),),
        )
    with pytest.raises(ValidationFailed):
        MovementRequest(
            type=MovementType.ADJUSTMENT,
            reason=AdjustmentReason.FOUND,
            lines=(QuantityLine(ITEM, HERE, 0),),
        )


def test_a_transfer_needs_two_different_locations_and_a_positive_quantity() -> None:
    with pytest.raises(ValidationFailed):
        MovementRequest(type=MovementType.TRANSFER, lines=(TransferLine(ITEM, HERE, HERE, 1),))
    with pytest.raises(ValidationFailed):
        MovementRequest(type=MovementType.TRANSFER, lines=(TransferLine(ITEM, HERE, THERE, 0),))


def test_a_count_may_be_zero_but_not_negative_nor_its_guard() -> None:
    MovementRequest(type=MovementType.COUNT, lines=(CountLine(ITEM, HERE, 0, 0),))
    for line in (CountLine(ITEM, HERE, -1), CountLine(ITEM, HERE, 1, -1)):
        with pytest.raises(ValidationFailed):
            MovementRequest(type=MovementType.COUNT, lines=(line,))


def test_a_count_may_list_each_item_and_location_once() -> None:
    other_place = CountLine(ITEM, THERE, 5)
    MovementRequest(type=MovementType.COUNT, lines=(COUNTED, other_place))

    with pytest.raises(ValidationFailed):
        MovementRequest(type=MovementType.COUNT, lines=(COUNTED, CountLine(ITEM, HERE, 9)))


def test_a_movement_has_between_one_and_max_lines() -> None:
    assert len(MovementRequest(type=MovementType.RECEIPT, lines=(QTY,) * MAX_LINES).lines) == 500
    for lines in ((), (QTY,) * (MAX_LINES + 1)):
        with pytest.raises(ValidationFailed):
            MovementRequest(type=MovementType.RECEIPT, lines=lines)


def test_reference_and_note_are_bounded_and_blank_is_allowed() -> None:
    MovementRequest(type=MovementType.RECEIPT, lines=(QTY,), reference="r" * 200, note=" ")
    with pytest.raises(ValidationFailed):
        MovementRequest(type=MovementType.RECEIPT, lines=(QTY,), reference="r" * 201)
    with pytest.raises(ValidationFailed):
        MovementRequest(type=MovementType.RECEIPT, lines=(QTY,), note="n" * 2001)


def test_steps_turn_each_type_into_its_level_changes() -> None:
    def steps(kind: MovementType, *lines: RequestLine, reason: AdjustmentReason | None = None):
        return MovementRequest(type=kind, lines=lines, reason=reason).steps()

    here, there = LevelKey(ITEM, HERE), LevelKey(ITEM, THERE)
    assert steps(MovementType.RECEIPT, QTY) == [(here, Receive(3))]
    assert steps(MovementType.SHIPMENT, QTY) == [(here, Ship(3))]
    assert steps(
        MovementType.ADJUSTMENT, QuantityLine(ITEM, HERE, -2), reason=AdjustmentReason.LOST
    ) == [(here, Adjust(-2))]
    assert steps(MovementType.COUNT, CountLine(ITEM, HERE, 8, 6)) == [(here, Count(8, 6))]
    assert steps(MovementType.TRANSFER, MOVE) == [(here, Ship(3)), (there, Receive(3))]


def test_receipts_and_positive_adjustments_add_stock_and_takes_do_not() -> None:
    assert adds_stock(Receive(1)) and adds_stock(Adjust(1))
    assert not adds_stock(Ship(1))
    assert not adds_stock(Adjust(-1))


@pytest.mark.parametrize(("sent", "kept"), [(" PO-1\n", "PO-1"), ("  ", None), ("", None)])
def test_reference_and_note_are_kept_trimmed_and_blank_ones_dropped(
    sent: str, kept: str | None
) -> None:
    request = MovementRequest(type=MovementType.RECEIPT, lines=(QTY,), reference=sent, note=sent)

    assert (request.reference, request.note) == (kept, kept)
