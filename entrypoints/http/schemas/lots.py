"""Lot bodies: create, change the expiry date, the lot with its stock as clients see it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.lot_ports import LotStock
from application.use_cases.manage_lots import CreateLot, UpdateLot
from entrypoints.http.schemas.common import Code, ListPage, Request, Timestamp


class LotCreate(Request):
    """A new lot of a lot-tracked item; ``code`` is unique per item, case-insensitively."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "item_id": "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10",
                    "code": "L-2026-11",
                    "expires_on": "2026-11-30",
                }
            ]
        }
    )

    item_id: UUID
    code: Code
    expires_on: date | None = Field(None, description="UTC date; null: never expires.")

    def to_command(self) -> CreateLot:
        return CreateLot(item_id=self.item_id, code=self.code, expires_on=self.expires_on)


class LotUpdate(Request):
    """A lot's new expiry date (null: it never expires)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"expires_on": "2026-12-15"}]})

    expires_on: date | None

    def to_command(self, lot_id: UUID) -> UpdateLot:
        return UpdateLot(lot_id=lot_id, expires_on=self.expires_on)


class Lot(BaseModel):
    """A lot and its stock across the organization's locations; ``available`` is 0 once the
    lot has expired (``expires_on`` before today, UTC)."""

    id: UUID
    item_id: UUID
    code: str = Field(examples=["L-2026-11"])
    expires_on: date | None = Field(examples=["2026-11-30"])
    created_at: Timestamp
    on_hand: int = Field(examples=[40])
    reserved: int = Field(examples=[0])
    available: int = Field(examples=[40])

    @classmethod
    def of(cls, stock: LotStock) -> Lot:
        lot = stock.lot
        return cls(
            id=lot.id,
            item_id=lot.item_id,
            code=lot.code,
            expires_on=lot.expires_on,
            created_at=lot.created_at,
            on_hand=stock.on_hand,
            reserved=stock.reserved,
            available=stock.available,
        )


class LotPage(ListPage[Lot]):
    """A page of lots in id order."""
