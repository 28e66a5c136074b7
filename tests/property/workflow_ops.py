"""The state machine's hands for transfers in transit, count sessions and reversals, and the
outcomes the model expects of them."""

from __future__ import annotations

from uuid import UUID

from application.principal import Principal
from application.queries.transfers import GetTransferHandler
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.cancel_count import CancelCount, CancelCountHandler
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.open_count import OpenCount, OpenCountHandler
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from application.use_cases.reverse_movement import ReverseMovement, ReverseMovementHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.counts import CountSession, ItemCount
from domain.errors import (
    AlreadyReversed,
    InsufficientStock,
    InvalidCountState,
    InvalidTransferState,
    NotReversible,
    ReservedStockConflict,
    StockroomError,
    ValidationFailed,
)
from domain.movements import Movement
from domain.transfers import ItemQuantity, Transfer
from tests.property.model import Key, Model, ModelCount, ModelTransfer, Warehouse

Expected = type[StockroomError] | None
NOT_REVERSIBLE = {"transfer_out", "transfer_in", "reversal"}


class WorkflowOperations:
    """Use-case calls for one org's transfers, count sessions and reversals, by index."""

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

    async def open_count(self, location: int, items: list[int] | None) -> CountSession:
        listed = None if items is None else tuple(self.items[i] for i in items)
        command = OpenCount(location_id=self.locations[location], item_ids=listed)
        return (await OpenCountHandler(self.deps)(self.principal, command)).value

    async def record(self, session: str, item: int, counted: int) -> CountSession:
        lines = (ItemCount(self.items[item], counted),)
        command = RecordCounts(session_id=UUID(session), lines=lines)
        return await RecordCountsHandler(self.deps)(self.principal, command)

    async def post(self, session: str) -> CountSession:
        command = PostCount(session_id=UUID(session))
        return (await PostCountHandler(self.deps)(self.principal, command)).value

    async def cancel_count(self, session: str) -> CountSession:
        command = CancelCount(session_id=UUID(session))
        return (await CancelCountHandler(self.deps)(self.principal, command)).value

    async def reverse(self, movement: str) -> Movement:
        command = ReverseMovement(movement_id=UUID(movement))
        return (await ReverseMovementHandler(self.deps)(self.principal, command)).value


# --- expected outcomes, computed from the model alone --------------------------------------


def expect_receive(transfer: ModelTransfer, n: int | None) -> Expected:
    if transfer.status not in ("in_transit", "partially_received"):
        return InvalidTransferState
    return InvalidTransferState if n is not None and n > transfer.in_transit else None


def expect_cancel(transfer: ModelTransfer) -> Expected:
    open_ = transfer.status in ("in_transit", "partially_received")
    return None if open_ else InvalidTransferState


def expect_record(count: ModelCount, item: int) -> Expected:
    if count.status != "open":
        return InvalidCountState
    if count.listed and item not in count.expected:
        return ValidationFailed
    return None


def count_deltas(count: ModelCount) -> dict[Key, int]:
    """Per counted line: counted minus what the snapshot expected."""
    return {
        (item, count.location): n - count.expected.get(item, 0) for item, n in count.counted.items()
    }


def expect_post(model: Model, count: ModelCount) -> Expected:
    if count.status != "open" or not count.counted:
        return InvalidCountState
    for key, delta in count_deltas(count).items():
        if model.on_hand.get(key, 0) + delta < model.reserved(key):
            return ReservedStockConflict
    return None


def expect_reverse(model: Model, warehouse: Warehouse, movement: str) -> Expected:
    record = warehouse.movements[movement]
    if record.kind in NOT_REVERSIBLE:
        return NotReversible
    if record.reversed:
        return AlreadyReversed
    short = below = False
    for key, delta in record.deltas:
        if delta <= 0:
            continue  # what went out comes back: never refused
        after = model.on_hand.get(key, 0) - delta
        short = short or after < 0
        below = below or after < model.reserved(key)
    if short:
        return InsufficientStock
    return ReservedStockConflict if below else None
