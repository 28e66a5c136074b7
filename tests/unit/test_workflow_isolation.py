"""Transfers of one org are invisible to and untouchable by another org (invariant 7)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from application.principal import Principal
from application.queries.transfers import GetTransferHandler, ListTransfersHandler
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from application.workflow_ports import TransferFilter
from domain.errors import NotFound
from domain.transfers import ItemQuantity
from tests.unit.conftest import Given, new_org_id, principal


@pytest.fixture
def intruder() -> Principal:
    """The owner of another org: every permission, but not in our org."""
    return principal(new_org_id(), "owner")


async def test_another_org_can_neither_see_nor_touch_our_transfers(
    deps: Deps, given: Given, admin: Principal, intruder: Principal
) -> None:
    item, here = await given.stocked(10)
    there = await given.location()
    ship = ShipTransfer(
        from_location_id=here.id, to_location_id=there.id, lines=(ItemQuantity(item.id, 2),)
    )
    shipped = (await ShipTransferHandler(deps)(admin, ship)).value
    before = given.snapshot()
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: GetTransferHandler(deps)(intruder, shipped.transfer.id),
        lambda: ReceiveTransferHandler(deps)(
            intruder, ReceiveTransfer(transfer_id=shipped.transfer.id)
        ),
        lambda: CancelTransferHandler(deps)(
            intruder, CancelTransfer(transfer_id=shipped.transfer.id)
        ),
        lambda: ShipTransferHandler(deps)(intruder, ship),
    ]

    for attempt in attempts:
        with pytest.raises(NotFound):
            await attempt()

    assert given.snapshot() == before
    transfers = await ListTransfersHandler(deps)(intruder, TransferFilter(), None, None)
    assert transfers.items == []
