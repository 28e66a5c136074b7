"""Transfer bodies: ship, receive; the transfer and what an action posted."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.transit import TransferMoved
from application.use_cases.receive_transfer import ReceiveTransfer
from application.use_cases.ship_transfer import ShipTransfer
from domain import transfers
from domain.errors import ValidationFailed
from domain.movements import LotRef
from domain.transfers import MAX_LINES, TransferStatus
from entrypoints.http.schemas.common import (
    Code,
    ListPage,
    Note,
    Quantity,
    Reference,
    Request,
    Timestamp,
)

_ITEM = "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10"
_FROM = "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b"
_TO = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
_LOT_ITEM = "3c2d1e0f-9a8b-4c6d-8e4f-5a3b9c2d1e0f"  # a lot-tracked item


class ItemQuantity(Request):
    """A quantity of an item; of a lot-tracked item, optionally of one lot (`lot_code` or
    `lot_id`)."""

    item_id: UUID
    quantity: Quantity
    lot_code: Code | None = Field(
        None,
        description="Lot-tracked items: the lot (by code, ignoring case). Shipping: the lot "
        "to ship out of (expired: 409 `lot_expired`); none: first-expiry-first-out over the "
        "source's unexpired lots. Receiving: the lot in transit to take; none: the lots in "
        "transit, earliest expiry first. Untracked items: none (422).",
        examples=["L-2026-11"],
    )
    lot_id: UUID | None = Field(None, description="The lot by id, instead of `lot_code`.")

    def to_domain(self) -> transfers.ItemQuantity:
        """The domain line."""
        if self.lot_code is None and self.lot_id is None:
            return transfers.ItemQuantity(self.item_id, self.quantity)
        if self.lot_code is not None and self.lot_id is not None:
            raise ValidationFailed("name a lot by lot_id or by lot_code, not both", field="lines")
        lot = LotRef(lot_id=self.lot_id, code=self.lot_code)
        return transfers.ItemQuantity(self.item_id, self.quantity, lot)


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
                },
                {
                    "from_location_id": _FROM,
                    "to_location_id": _TO,
                    "reference": "TO-3002",
                    "lines": [{"item_id": _LOT_ITEM, "quantity": 6, "lot_code": "L-2026-11"}],
                },
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
        json_schema_extra={
            "examples": [
                {"lines": [{"item_id": _ITEM, "quantity": 4}]},
                {"lines": [{"item_id": _LOT_ITEM, "quantity": 2, "lot_code": "L-2026-11"}]},
            ]
        }
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


class TransferLineLot(BaseModel):
    """The part of a line shipped out of one lot: ``shipped = received + cancelled +
    in_transit``; received into the same lot at the destination, cancelled back into it at
    the source."""

    lot_id: UUID
    lot_code: str = Field(examples=["L-2026-11"])
    expires_on: date | None
    shipped: int = Field(examples=[6])
    received: int = Field(examples=[4])
    cancelled: int = Field(examples=[0])
    in_transit: int = Field(examples=[2])


class TransferLine(BaseModel):
    """``shipped = received + cancelled + in_transit``; lines of lot-tracked items carry the
    lots they were shipped out of (untracked: absent)."""

    item_id: UUID
    shipped: int = Field(examples=[10])
    received: int = Field(examples=[4])
    cancelled: int = Field(examples=[0])
    in_transit: int = Field(examples=[6])
    lots: list[TransferLineLot] | None = Field(
        None,
        description="Lot-tracked items: the lots shipped, in pick order "
        "(first-expiry-first-out, or the one named); absent otherwise.",
        exclude_if=lambda value: value is None,
    )


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
                    lots=[
                        TransferLineLot(
                            lot_id=part.lot.id,
                            lot_code=part.lot.code,
                            expires_on=part.lot.expires_on,
                            shipped=part.shipped,
                            received=part.received,
                            cancelled=part.cancelled,
                            in_transit=part.in_transit,
                        )
                        for part in line.lots
                    ]
                    if line.lots
                    else None,
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
