"""The state machine's hands for transfers in transit, and the
outcomes the model expects of them."""

from __future__ import annotations

from uuid import UUID

from application.principal import Principal
from application.queries.transfers import GetTransferHandler
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.errors import (
    InvalidTransferState,
    StockroomError,
)
from domain.transfers import ItemQuantity, Transfer
from tests.property.model import ModelTransfer

Expected = type[StockroomError] | None


class WorkflowOperations:
    """Use-case calls for one org's transfers, by index."""

    def __init__(
        self, deps: Deps, principal: Principal, items: list[UUID], locations: list[UUID]
    ) -> None:
        self.deps, self.principal = deps, principal
        self.items, self.locations = items, locations

    async def ship(self, item: int, source: int, destination: int, n: int) -> TransferMoved:
        command = ShipTransfer(
            from_location_id=self.locations[source],
            to_location_id=self.locations[destination],
            lines=(ItemQuantity(self.items[item], n),),
        )
        return (await ShipTransferHandler(self.deps)(self.principal, command)).value

    async def receive(self, transfer: str, item: int, n: int | None) -> TransferMoved:
        parts = None if n is None else (ItemQuantity(self.items[item], n),)
        command = ReceiveTransfer(transfer_id=UUID(transfer), lines=parts)
        return (await ReceiveTransferHandler(self.deps)(self.principal, command)).value

    async def cancel(self, transfer: str) -> TransferMoved:
        command = CancelTransfer(transfer_id=UUID(transfer))
        return (await CancelTransferHandler(self.deps)(self.principal, command)).value

    async def transfer(self, transfer: str) -> Transfer:
        return await GetTransferHandler(self.deps)(self.principal, UUID(transfer))


# --- expected outcomes, computed from the model alone --------------------------------------


def expect_receive(transfer: ModelTransfer, n: int | None) -> Expected:
    if transfer.status not in ("in_transit", "partially_received"):
        return InvalidTransferState
    return InvalidTransferState if n is not None and n > transfer.in_transit else None


def expect_cancel(transfer: ModelTransfer) -> Expected:
    open_ = transfer.status in ("in_transit", "partially_received")
    return None if open_ else InvalidTransferState
