"""Reservation bodies: create, release/fulfil, extend; the reservation and a fulfilment."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from application.use_cases.create_reservation import CreateReservation
from application.use_cases.fulfil_reservation import Fulfilment as DomainFulfilment
from application.use_cases.settle_reservation import SettleReservation
from domain import reservations
from domain.errors import ValidationFailed
from domain.reservations import MAX_LINES, MAX_TTL_SECONDS, ReservationStatus
from entrypoints.http.schemas.common import (
    Code,
    ListPage,
    Quantity,
    Reference,
    Request,
    Timestamp,
)

_ITEM = "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10"
_LOCATION = "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b"


class HoldLine(Request):
    """A quantity of an item at a location."""

    item_id: UUID
    location_id: UUID
    quantity: Quantity

    def to_domain(self) -> reservations.LineQuantity:
        """The domain line."""
        return reservations.LineQuantity(self.item_id, self.location_id, self.quantity)


class NewHoldLine(HoldLine):
    """A quantity of an item at a location to hold; of a lot-tracked item, in the lot named
    (`lot_code` or `lot_id`), or first-expiry-first-out over its unexpired lots."""

    lot_code: Code | None = Field(
        None,
        description="Lot-tracked items: the one lot to hold (expired: 409 `lot_expired`). "
        "Without a lot, the unexpired lots are held first-expiry-first-out.",
        examples=["L-2026-11"],
    )
    lot_id: UUID | None = Field(None, description="The lot by id, instead of `lot_code`.")

    def to_domain(self) -> reservations.LineQuantity:
        """The domain line."""
        if self.lot_code is not None and self.lot_id is not None:
            raise ValidationFailed("name a lot by lot_id or by lot_code, not both", field="lines")
        return reservations.LineQuantity(
            self.item_id, self.location_id, self.quantity, self.lot_id, self.lot_code
        )


class ReservationCreate(Request):
    """Stock to hold, all lines or none; without ``ttl_seconds`` it is held until settled."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "SO-2001",
                    "ttl_seconds": 900,
                    "lines": [{"item_id": _ITEM, "location_id": _LOCATION, "quantity": 5}],
                }
            ]
        }
    )

    reference: Reference | None = None
    ttl_seconds: StrictInt | None = Field(None, ge=1, le=MAX_TTL_SECONDS)
    lines: list[NewHoldLine] = Field(min_length=1, max_length=MAX_LINES)

    def to_command(self) -> CreateReservation:
        """The use case command for this body."""
        return CreateReservation(
            lines=tuple(line.to_domain() for line in self.lines),
            reference=self.reference,
            ttl_seconds=self.ttl_seconds,
        )


class ReservationSettle(Request):
    """Which parts to release or fulfil; without ``lines``, everything still open."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"lines": [{"item_id": _ITEM, "location_id": _LOCATION, "quantity": 2}]}]
        }
    )

    lines: list[HoldLine] | None = Field(None, min_length=1, max_length=MAX_LINES)

    def to_command(self, reservation_id: UUID) -> SettleReservation:
        """The use case command for this body."""
        parts = None if self.lines is None else tuple(line.to_domain() for line in self.lines)
        return SettleReservation(reservation_id=reservation_id, lines=parts)


class ReservationExtend(Request):
    """Hold until now + ``ttl_seconds``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ttl_seconds": 3600}]})

    ttl_seconds: StrictInt = Field(ge=1, le=MAX_TTL_SECONDS)


class ReservationLineLot(BaseModel):
    """The part of a line one lot holds; ``quantity = open + fulfilled + released``."""

    lot_id: UUID
    lot_code: str = Field(examples=["L-2026-11"])
    expires_on: date | None
    quantity: int = Field(examples=[5])
    fulfilled: int = Field(examples=[0])
    released: int = Field(examples=[0])


class ReservationLine(BaseModel):
    """``quantity = open + fulfilled + released``; lines of lot-tracked items carry the lots
    that hold them (untracked: absent)."""

    item_id: UUID
    location_id: UUID
    quantity: int = Field(examples=[5])
    fulfilled: int = Field(examples=[0])
    released: int = Field(examples=[0])
    lots: list[ReservationLineLot] | None = Field(
        None,
        description="Lot-tracked items: the lots holding the line, in pick order "
        "(first-expiry-first-out); absent otherwise.",
        exclude_if=lambda value: value is None,
    )


class Reservation(BaseModel):
    """Stock held for an order; ``active`` until fulfilled, released or expired."""

    id: UUID
    reference: str | None
    status: ReservationStatus
    expires_at: Timestamp | None = Field(description="Null: held until released or fulfilled.")
    created_by: str = Field(description="User id from the token that created it.")
    created_at: Timestamp
    lines: list[ReservationLine]

    @classmethod
    def of(cls, reservation: reservations.Reservation) -> Reservation:
        """The response body for a domain reservation."""
        return cls(
            id=reservation.id,
            reference=reservation.reference,
            status=reservation.status,
            expires_at=reservation.expires_at,
            created_by=reservation.created_by,
            created_at=reservation.created_at,
            lines=[
                ReservationLine(
                    item_id=line.item_id,
                    location_id=line.location_id,
                    quantity=line.quantity,
                    fulfilled=line.fulfilled,
                    released=line.released,
                    lots=[
                        ReservationLineLot(
                            lot_id=part.lot.id,
                            lot_code=part.lot.code,
                            expires_on=part.lot.expires_on,
                            quantity=part.quantity,
                            fulfilled=part.fulfilled,
                            released=part.released,
                        )
                        for part in line.lots
                    ]
                    if line.lots
                    else None,
                )
                for line in reservation.lines
            ],
        )


class Fulfilment(Reservation):
    """The reservation after fulfilment, and the shipment movement that took the stock."""

    movement_id: UUID

    @classmethod
    def of_fulfilment(cls, fulfilment: DomainFulfilment) -> Fulfilment:
        """The response body for a fulfilment."""
        reservation = Reservation.of(fulfilment.reservation)
        return cls(**dict(reservation), movement_id=fulfilment.movement_id)


class ReservationPage(ListPage[Reservation]):
    """A page of reservations, oldest first."""
