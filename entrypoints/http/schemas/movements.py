"""Movement bodies: the request is a union discriminated by ``type``; the ledger document."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi.openapi.models import Example
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from application.use_cases.reverse_movement import ReverseMovement
from domain import movements, rules
from domain.errors import ValidationFailed
from domain.movements import MAX_LINES, AdjustmentReason, MovementType
from entrypoints.http.schemas.common import (
    Code,
    Count,
    ListPage,
    Note,
    Quantity,
    Reference,
    Request,
    Timestamp,
)


def _non_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be zero")
    return value


SignedQuantity = Annotated[
    StrictInt,
    Field(
        ge=-rules.MAX_QUANTITY,
        le=rules.MAX_QUANTITY,
        description="Signed change of on_hand; never zero.",
        examples=[-2],
        json_schema_extra={"not": {"const": 0}},
    ),
    AfterValidator(_non_zero),
]


class LotFields(Request):
    lot_code: Code | None = Field(
        None,
        description="Lot-tracked items: the lot by code (a receipt creates a new one; give its "
        "`expires_on`). A shipment of no lot takes first-expiry-first-out. Untracked: none.",
        examples=["L-2026-11"],
    )
    lot_id: UUID | None = Field(None, description="The lot by id, instead of `lot_code`.")
    expires_on: date | None = Field(
        None, description="The expiry date of a lot the line creates (UTC date)."
    )

    def lot(self) -> movements.LotRef | None:
        """The lot the line names, if any."""
        if self.lot_code is None and self.lot_id is None:
            if self.expires_on is not None:
                raise ValidationFailed("expires_on needs a lot_code", field="expires_on")
            return None
        return movements.LotRef(lot_id=self.lot_id, code=self.lot_code, expires_on=self.expires_on)


class StockLine(LotFields):
    """Quantity of an item at a location (receipts and shipments)."""

    item_id: UUID
    location_id: UUID
    quantity: Quantity


class TransferLine(Request):
    """Quantity of an item moved from one location to another."""

    item_id: UUID
    from_location_id: UUID
    to_location_id: UUID
    quantity: Quantity
    lot_code: Code | None = Field(
        None,
        description="Lot-tracked items: the lot moved (it stays the same lot at the target); "
        "none: first-expiry-first-out at the source, one ledger pair per lot. Untracked: none.",
        examples=["L-2026-11"],
    )
    lot_id: UUID | None = Field(None, description="The lot by id, instead of `lot_code`.")

    def lot(self) -> movements.LotRef | None:
        """The lot the line names, if any."""
        if self.lot_code is None and self.lot_id is None:
            return None
        return movements.LotRef(lot_id=self.lot_id, code=self.lot_code)


class AdjustmentLine(LotFields):
    """A signed correction of an item's on_hand at a location."""

    item_id: UUID
    location_id: UUID
    quantity: SignedQuantity


class CountLine(LotFields):
    """A counted on_hand; with ``expected_on_hand`` only if on_hand still is that value. For
    a lot-tracked item, the lot counted: its on_hand becomes ``counted`` (and
    ``expected_on_hand`` guards the lot's)."""

    item_id: UUID
    location_id: UUID
    counted: Count
    expected_on_hand: Count | None = None


class _Document(Request):
    reference: Reference | None = Field(None, description="External document id.")
    note: Note | None = None


class ReceiptOrShipment(_Document):
    """Stock arrives at (receipt) or leaves (shipment) locations; only what is available ships."""

    type: Literal["receipt", "shipment"]
    lines: list[StockLine] = Field(min_length=1, max_length=MAX_LINES)

    def to_request(self) -> movements.MovementRequest:
        """The domain request (validated on construction)."""
        lines = tuple(
            movements.QuantityLine(x.item_id, x.location_id, x.quantity, x.lot())
            for x in self.lines
        )
        return _request(MovementType(self.type), self, lines)


class Transfer(_Document):
    """Stock moves between locations in one document (out of the source, into the target)."""

    type: Literal["transfer"]
    lines: list[TransferLine] = Field(min_length=1, max_length=MAX_LINES)

    def to_request(self) -> movements.MovementRequest:
        """The domain request (validated on construction)."""
        lines = tuple(
            movements.TransferLine(
                x.item_id, x.from_location_id, x.to_location_id, x.quantity, x.lot()
            )
            for x in self.lines
        )
        return _request(MovementType.TRANSFER, self, lines)


class Adjustment(_Document):
    """A signed correction with a reason (admin); never leaves on_hand below reserved."""

    type: Literal["adjustment"]
    reason: AdjustmentReason
    lines: list[AdjustmentLine] = Field(min_length=1, max_length=MAX_LINES)

    def to_request(self) -> movements.MovementRequest:
        """The domain request (validated on construction)."""
        lines = tuple(
            movements.QuantityLine(x.item_id, x.location_id, x.quantity, x.lot())
            for x in self.lines
        )
        return _request(MovementType.ADJUSTMENT, self, lines, self.reason)


class StockCount(_Document):
    """A stocktake (admin): on_hand becomes the counted value; the ledger records the delta."""

    type: Literal["count"]
    lines: list[CountLine] = Field(min_length=1, max_length=MAX_LINES)

    def to_request(self) -> movements.MovementRequest:
        """The domain request (validated on construction)."""
        lines = tuple(
            movements.CountLine(x.item_id, x.location_id, x.counted, x.expected_on_hand, x.lot())
            for x in self.lines
        )
        return _request(MovementType.COUNT, self, lines)


def _request(
    kind: MovementType,
    body: _Document,
    lines: tuple[movements.RequestLine, ...],
    reason: AdjustmentReason | None = None,
) -> movements.MovementRequest:
    return movements.MovementRequest(
        type=kind, lines=lines, reason=reason, reference=body.reference, note=body.note
    )


MovementCreate = Annotated[
    ReceiptOrShipment | Transfer | Adjustment | StockCount, Field(discriminator="type")
]

MOVEMENT_EXAMPLES: dict[str, Example] = {
    "receipt": {
        "summary": "Receive stock",
        "value": {
            "type": "receipt",
            "reference": "PO-1001",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "quantity": 12,
                }
            ],
        },
    },
    "receipt_in_lot": {
        "summary": "Receive stock of a lot-tracked item into a new lot",
        "value": {
            "type": "receipt",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "quantity": 40,
                    "lot_code": "L-2026-11",
                    "expires_on": "2026-11-30",
                }
            ],
        },
    },
    "shipment_fefo": {
        "summary": "Ship a lot-tracked item first-expiry-first-out (no lot named)",
        "value": {
            "type": "shipment",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "quantity": 25,
                }
            ],
        },
    },
    "write_off_expired": {
        "summary": "Write off an expired lot (admin)",
        "value": {
            "type": "adjustment",
            "reason": "expired",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "quantity": -15,
                    "lot_code": "L-2026-09",
                }
            ],
        },
    },
    "transfer": {
        "summary": "Move stock between locations",
        "value": {
            "type": "transfer",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "from_location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "to_location_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                    "quantity": 3,
                }
            ],
        },
    },
    "adjustment": {
        "summary": "Write off damaged stock (admin)",
        "value": {
            "type": "adjustment",
            "reason": "damaged",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "quantity": -2,
                }
            ],
        },
    },
    "count": {
        "summary": "Record a stocktake (admin)",
        "value": {
            "type": "count",
            "lines": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "location_id": "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b",
                    "counted": 9,
                    "expected_on_hand": 10,
                }
            ],
        },
    },
}


class MovementLine(BaseModel):
    """How on_hand of one level changed and what it became; lines of lot-tracked items carry
    `lot_id` and `lot_code` (untracked: absent)."""

    item_id: UUID
    location_id: UUID
    delta: int = Field(examples=[12])
    on_hand_after: int = Field(examples=[12], description="The level's on_hand after the line.")
    # Lines of untracked items read as they always did, without lot fields (as in the events).
    lot_id: UUID | None = Field(
        None,
        description="The lot of a lot-tracked item's line; absent otherwise.",
        exclude_if=lambda value: value is None,
    )
    lot_code: str | None = Field(
        None,
        description="That lot's code.",
        examples=["L-2026-11"],
        exclude_if=lambda value: value is None,
    )


class Movement(BaseModel):
    """An immutable ledger document; a transfer line yields two ledger lines. Types beyond
    those posted here: `transfer_out` and `transfer_in` (transfers in transit) and
    `reversal`."""

    id: UUID
    type: MovementType
    reason: AdjustmentReason | None
    reference: str | None
    note: str | None
    actor: str = Field(description="User id from the token that posted it.")
    reservation_id: UUID | None = Field(
        description="The reservation a fulfilment shipment settled; null otherwise."
    )
    transfer_id: UUID | None = Field(
        description="The transfer a `transfer_out` or `transfer_in` belongs to; null otherwise."
    )
    count_session_id: UUID | None = Field(
        description="The count session a `count` was posted from; null otherwise."
    )
    reverses: UUID | None = Field(description="The movement a `reversal` negates.")
    reversed_by: UUID | None = Field(description="The reversal of this movement, once reversed.")
    created_at: Timestamp
    lines: list[MovementLine]

    @classmethod
    def of(cls, movement: movements.Movement) -> Movement:
        """The response body for a ledger document."""
        return cls(
            id=movement.id,
            type=movement.type,
            reason=movement.reason,
            reference=movement.reference,
            note=movement.note,
            actor=movement.actor,
            reservation_id=movement.reservation_id,
            transfer_id=movement.transfer_id,
            count_session_id=movement.count_session_id,
            reverses=movement.reverses,
            reversed_by=movement.reversed_by,
            created_at=movement.created_at,
            lines=[
                MovementLine(
                    item_id=line.item_id,
                    location_id=line.location_id,
                    delta=line.delta,
                    on_hand_after=line.on_hand_after,
                    lot_id=line.lot_id,
                    lot_code=line.lot_code,
                )
                for line in movement.lines
            ],
        )


class MovementPage(ListPage[Movement]):
    """A page of the ledger, oldest first."""


class MovementReverse(Request):
    """Why the movement is reversed (kept as the reversal's note)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "received twice"}]})

    note: Note | None = None

    def to_command(self, movement_id: UUID) -> ReverseMovement:
        """The use case command for this body."""
        return ReverseMovement(movement_id=movement_id, note=self.note)
