"""Transfer bodies: ship, receive; the transfer and what an action posted."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.transit import TransferMoved
from application.use_cases.receive_transfer import ReceiveTransfer
from application.use_cases.ship_transfer import ShipTransfer
from domain import transfers
from domain.transfers import MAX_LINES, TransferStatus
from entrypoints.http.schemas.common import ListPage, Note, Quantity, Reference, Request, Timestamp

_ITEM = "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10"
_FROM = "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b"
_TO = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


class ItemQuantity(Request):
    """A quantity of an item."""

    item_id: UUID
    quantity: Quantity

    def to_domain(self) -> transfers.ItemQuantity:
        """The domain line."""
        return transfers.ItemQuantity(self.item_id, self.quantity)


class TransferCreate(Request):
    """What to ship from where to where; each item once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from_location_id": _FROM,
                    "to_location_id": _TO,
                    "reference": "TO-3001",
                    "lines": [{"item_id": _ITEM, "quantity": 10}],
                }
            ]
        }
    )

    from_location_id: UUID
    to_location_id: UUID
    reference: Reference | None = Field(None, description="External document id.")
    note: Note | None = None
    lines: list[ItemQuantity] = Field(min_length=1, max_length=MAX_LINES)

    def to_command(self) -> ShipTransfer:
        """The use case command for this body."""
        return ShipTransfer(
            from_location_id=self.from_location_id,
            to_location_id=self.to_location_id,
            lines=tuple(line.to_domain() for line in self.lines),
            reference=self.reference,
            note=self.note,
        )


class TransferReceive(Request):
    """How much of each item arrived; without ``lines``, everything in transit."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lines": [{"item_id": _ITEM, "quantity": 4}]}]}
    )

    lines: list[ItemQuantity] | None = Field(None, min_length=1, max_length=MAX_LINES)

    def to_command(
        self, transfer_id: UUID, expected_versions: frozenset[int] | None
    ) -> ReceiveTransfer:
        """The use case command for this body."""
        parts = None if self.lines is None else tuple(line.to_domain() for line in self.lines)
        return ReceiveTransfer(
            transfer_id=transfer_id, lines=parts, expected_versions=expected_versions
        )


class TransferLine(BaseModel):
    """``shipped = received + cancelled + in_transit``."""

    item_id: UUID
    shipped: int = Field(examples=[10])
    received: int = Field(examples=[4])
    cancelled: int = Field(examples=[0])
    in_transit: int = Field(examples=[6])


class Transfer(BaseModel):
    """Stock on its way between two locations: `in_transit`, `partially_received`, then
    `received` or `cancelled`."""

    id: UUID
    from_location_id: UUID
    to_location_id: UUID
    reference: str | None
    note: str | None
    status: TransferStatus
    created_by: str = Field(description="User id from the token that shipped it.")
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    lines: list[TransferLine]
    movement_id: UUID | None = Field(
        None,
        description="The movement the request posted (`transfer_out` when shipped, "
        "`transfer_in` when received or cancelled); null when read with GET.",
    )

    @classmethod
    def of(cls, transfer: transfers.Transfer, movement_id: UUID | None = None) -> Transfer:
        """The response body for a domain transfer."""
        return cls(
            id=transfer.id,
            from_location_id=transfer.from_location_id,
            to_location_id=transfer.to_location_id,
            reference=transfer.reference,
            note=transfer.note,
            status=transfer.status,
            created_by=transfer.created_by,
            version=transfer.version,
            created_at=transfer.created_at,
            updated_at=transfer.updated_at,
            lines=[
                TransferLine(
                    item_id=line.item_id,
                    shipped=line.shipped,
                    received=line.received,
                    cancelled=line.cancelled,
                    in_transit=line.in_transit,
                )
                for line in transfer.lines
            ],
            movement_id=movement_id,
        )

    @classmethod
    def of_moved(cls, moved: TransferMoved) -> Transfer:
        """The response body of a ship, receive or cancel."""
        return cls.of(moved.transfer, moved.movement_id)


class TransferPage(ListPage[Transfer]):
    """A page of transfers, oldest first."""
