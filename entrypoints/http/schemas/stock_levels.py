"""Stock level: how much of an item is at a location, and how much of it is held."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from domain import stock
from entrypoints.http.schemas.common import ListPage, Timestamp


class StockLevel(BaseModel):
    """``available = on_hand - reserved`` (for lot-tracked items, the sum over unexpired lots);
    ``reserved`` never counts expired reservations; ``incoming`` is in transit towards this
    location (transfers shipped, not yet received); ``expired`` is on_hand in expired lots."""

    item_id: UUID
    location_id: UUID
    on_hand: int = Field(examples=[12])
    reserved: int = Field(examples=[5])
    available: int = Field(examples=[7])
    expired: int = Field(examples=[0], description="On hand in expired lots (0: untracked).")
    incoming: int = Field(examples=[3])
    version: int
    updated_at: Timestamp

    @classmethod
    def of(cls, level: stock.StockLevel) -> StockLevel:
        """The response body for a domain stock level."""
        return cls(
            item_id=level.item_id,
            location_id=level.location_id,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
            expired=level.expired,
            incoming=level.incoming,
            version=level.version,
            updated_at=level.updated_at,
        )


class StockLevelPage(ListPage[StockLevel]):
    """A page of stock levels in (item_id, location_id) order."""


class LotLevel(BaseModel):
    """One lot of a lot-tracked item at a location (``?by=lot``); ``available`` is 0 once the
    lot has expired (``expires_on`` before today, UTC)."""

    item_id: UUID
    location_id: UUID
    lot_id: UUID
    lot_code: str = Field(examples=["L-2026-11"])
    expires_on: date | None = Field(examples=["2026-11-30"])
    on_hand: int = Field(examples=[40])
    reserved: int = Field(examples=[0])
    available: int = Field(examples=[40])
    expired: bool


class LotLevelPage(ListPage[LotLevel]):
    """A page of lot positions in (item_id, location_id, lot_id) order."""
