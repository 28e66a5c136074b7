"""Transfer rules: shipped = received + cancelled + in transit, and how a transfer ends."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.errors import InvalidTransferState, ValidationFailed, VersionMismatch
from domain.stock import Arrive, Expect, LevelKey, Return, Ship
from domain.transfers import ItemQuantity, Transfer, TransferStatus, TransitLine

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B = uuid4(), uuid4()
SOURCE, DESTINATION = uuid4(), uuid4()


def shipped(*lines: tuple[UUID, int]) -> Transfer:
    return Transfer.ship(
        id=uuid4(),
        from_location_id=SOURCE,
        to_location_id=DESTINATION,
        lines=tuple(ItemQuantity(item, quantity) for item, quantity in lines),
        reference=" TO-1 ",
        note=None,
        created_by="u",
        now=NOW,
    )


def test_a_new_transfer_has_everything_in_transit() -> None:
    transfer = shipped((A, 5), (B, 2))

    assert (transfer.status, transfer.version, transfer.reference) == (
        TransferStatus.IN_TRANSIT,
        1,
        "TO-1",
    )
    assert [line.in_transit for line in transfer.lines] == [5, 2]


def test_shipping_takes_from_the_source_and_expects_at_the_destination() -> None:
    assert shipped((A, 5)).shipping_steps() == [
        (LevelKey(A, SOURCE), Ship(5)),
        (LevelKey(A, DESTINATION), Expect(5)),
    ]


@pytest.mark.parametrize(
    ("lines", "field"),
    [((), "lines"), (((A, 1), (A, 2)), "lines"), (((A, 0),), "quantity")],
)
def test_a_transfer_needs_distinct_items_with_positive_quantities(
    lines: tuple[tuple[UUID, int], ...], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        shipped(*lines)
    assert refused.value.extra["field"] == field


def test_a_transfer_needs_two_different_locations() -> None:
    with pytest.raises(ValidationFailed):
        Transfer.ship(
            id=uuid4(),
            from_location_id=SOURCE,
            to_location_id=SOURCE,
            lines=(ItemQuantity(A, 1),),
            reference=None,
            note=None,
            created_by="u",
            now=NOW,
        )


def test_a_partial_receipt_leaves_the_rest_in_transit() -> None:
    before = shipped((A, 5), (B, 2))

    after = before.receive((ItemQuantity(A, 3),), NOW)

    assert after.status is TransferStatus.PARTIALLY_RECEIVED
    assert after.lines == (TransitLine(A, 5, received=3), TransitLine(B, 2))
    assert after.receiving_steps(before) == [(LevelKey(A, DESTINATION), Arrive(3))]
    assert after.version == 2


def test_receiving_everything_in_transit_ends_the_transfer_received() -> None:
    partly = shipped((A, 5), (B, 2)).receive((ItemQuantity(A, 3),), NOW)

    done = partly.receive(None, NOW)

    assert done.status is TransferStatus.RECEIVED
    assert done.receiving_steps(partly) == [
        (LevelKey(A, DESTINATION), Arrive(2)),
        (LevelKey(B, DESTINATION), Arrive(2)),
    ]


def test_receiving_more_than_is_in_transit_is_refused() -> None:
    transfer = shipped((A, 5)).receive((ItemQuantity(A, 4),), NOW)

    with pytest.raises(InvalidTransferState) as refused:
        transfer.receive((ItemQuantity(A, 2),), NOW)
    assert refused.value.extra == {"item_id": str(A), "in_transit": 1}


def test_receiving_an_item_the_transfer_does_not_carry_is_refused() -> None:
    with pytest.raises(InvalidTransferState):
        shipped((A, 5)).receive((ItemQuantity(B, 1),), NOW)


def test_cancelling_returns_what_is_in_transit_and_keeps_what_was_received() -> None:
    partly = shipped((A, 5), (B, 2)).receive((ItemQuantity(A, 3),), NOW)

    cancelled = partly.cancel(NOW)

    assert cancelled.status is TransferStatus.CANCELLED
    assert cancelled.lines == (
        TransitLine(A, 5, received=3, cancelled=2),
        TransitLine(B, 2, cancelled=2),
    )
    assert cancelled.cancelling_steps(partly) == [
        (LevelKey(A, SOURCE), Return(2)),
        (LevelKey(A, DESTINATION), Expect(-2)),
        (LevelKey(B, SOURCE), Return(2)),
        (LevelKey(B, DESTINATION), Expect(-2)),
    ]


@pytest.mark.parametrize("end", ["receive", "cancel"])
def test_an_ended_transfer_takes_no_further_change(end: str) -> None:
    transfer = shipped((A, 5))
    ended = transfer.receive(None, NOW) if end == "receive" else transfer.cancel(NOW)

    with pytest.raises(InvalidTransferState):
        ended.cancel(NOW)
    with pytest.raises(InvalidTransferState):
        ended.receive(None, NOW)


def test_a_stale_version_is_refused() -> None:
    with pytest.raises(VersionMismatch):
        shipped((A, 1)).check_version(frozenset({2}))
