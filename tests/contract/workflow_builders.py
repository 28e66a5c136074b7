"""Transfers, count sessions and reversals through the use cases, for the contract suite."""

from __future__ import annotations

from uuid import UUID

from application.principal import Principal
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.open_count import OpenCount, OpenCountHandler
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from application.use_cases.reverse_movement import ReverseMovement, ReverseMovementHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.counts import CountSession, ItemCount
from domain.movements import Movement
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


async def open_count(
    deps: Deps, who: Principal, location: UUID, items: tuple[UUID, ...] | None = None
) -> CountSession:
    command = OpenCount(location_id=location, item_ids=items)
    return (await OpenCountHandler(deps)(who, command)).value


async def record(
    deps: Deps, who: Principal, session: UUID, counts: dict[UUID, int]
) -> CountSession:
    lines = tuple(ItemCount(item, n) for item, n in counts.items())
    return await RecordCountsHandler(deps)(who, RecordCounts(session_id=session, lines=lines))


async def post_count(deps: Deps, who: Principal, session: UUID) -> CountSession:
    return (await PostCountHandler(deps)(who, PostCount(session_id=session))).value


async def reverse(deps: Deps, who: Principal, movement: UUID) -> Movement:
    command = ReverseMovement(movement_id=movement)
    return (await ReverseMovementHandler(deps)(who, command)).value
