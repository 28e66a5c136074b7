"""Transfers, count sessions and reversals of one org are invisible to and untouchable by
another org (invariant 7)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from application.principal import Principal
from application.queries.counts import GetCountHandler, ListCountsHandler
from application.queries.transfers import GetTransferHandler, ListTransfersHandler
from application.use_cases.base import Deps
from application.use_cases.cancel_count import CancelCount, CancelCountHandler
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.open_count import OpenCount, OpenCountHandler
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from application.use_cases.reverse_movement import ReverseMovement, ReverseMovementHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from application.workflow_ports import CountFilter, TransferFilter
from domain.counts import ItemCount
from domain.errors import NotFound
from domain.transfers import ItemQuantity
from tests.unit.conftest import Given, new_org_id, principal


@pytest.fixture
def intruder() -> Principal:
    """The owner of another org: every permission, but not in our org."""
    return principal(new_org_id(), "owner")


async def test_another_org_can_neither_see_nor_touch_our_transfers_counts_or_ledger(
    deps: Deps, given: Given, admin: Principal, intruder: Principal
) -> None:
    item, here = await given.stocked(10)
    there = await given.location()
    ship = ShipTransfer(
        from_location_id=here.id, to_location_id=there.id, lines=(ItemQuantity(item.id, 2),)
    )
    shipped = (await ShipTransferHandler(deps)(admin, ship)).value
    session = (await OpenCountHandler(deps)(admin, OpenCount(location_id=here.id))).value
    receipt = await given.receive(item, here, 3)
    before = given.snapshot()
    counts = (ItemCount(item.id, 1),)
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: GetTransferHandler(deps)(intruder, shipped.transfer.id),
        lambda: GetCountHandler(deps)(intruder, session.id),
        lambda: ReceiveTransferHandler(deps)(
            intruder, ReceiveTransfer(transfer_id=shipped.transfer.id)
        ),
        lambda: CancelTransferHandler(deps)(
            intruder, CancelTransfer(transfer_id=shipped.transfer.id)
        ),
        lambda: RecordCountsHandler(deps)(
            intruder, RecordCounts(session_id=session.id, lines=counts)
        ),
        lambda: PostCountHandler(deps)(intruder, PostCount(session_id=session.id)),
        lambda: CancelCountHandler(deps)(intruder, CancelCount(session_id=session.id)),
        lambda: ReverseMovementHandler(deps)(intruder, ReverseMovement(movement_id=receipt.id)),
        lambda: ShipTransferHandler(deps)(intruder, ship),
        lambda: OpenCountHandler(deps)(intruder, OpenCount(location_id=here.id)),
    ]

    for attempt in attempts:
        with pytest.raises(NotFound):
            await attempt()

    assert given.snapshot() == before
    transfers = await ListTransfersHandler(deps)(intruder, TransferFilter(), None, None)
    sessions = await ListCountsHandler(deps)(intruder, CountFilter(), None, None)
    assert (transfers.items, sessions.items) == ([], [])
