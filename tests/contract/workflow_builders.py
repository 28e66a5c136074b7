"""Transfers in transit through the use cases, for the contract suite."""

from __future__ import annotations

from uuid import UUID

from application.principal import Principal
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.transfers import ItemQuantity


async def ship(
    deps: Deps,
    who: Principal,
    source: UUID,
    destination: UUID,
    lines: dict[UUID, int],
    reference: str | None = None,
) -> TransferMoved:
    command = ShipTransfer(
        from_location_id=source,
        to_location_id=destination,
        lines=tuple(ItemQuantity(item, n) for item, n in lines.items()),
        reference=reference,
    )
    return (await ShipTransferHandler(deps)(who, command)).value


async def receive(
    deps: Deps, who: Principal, transfer_id: UUID, lines: dict[UUID, int] | None = None
) -> TransferMoved:
    parts = None if lines is None else tuple(ItemQuantity(i, n) for i, n in lines.items())
    command = ReceiveTransfer(transfer_id=transfer_id, lines=parts)
    return (await ReceiveTransferHandler(deps)(who, command)).value


async def cancel(deps: Deps, who: Principal, transfer_id: UUID) -> TransferMoved:
    command = CancelTransfer(transfer_id=transfer_id)
    return (await CancelTransferHandler(deps)(who, command)).value
