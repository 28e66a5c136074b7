"""Stock level: how much of an item is at a location, and how much of it is held."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from domain import stock
from entrypoints.http.schemas.common import ListPage, Timestamp


class StockLevel(BaseModel):
    """``available = on_hand - reserved``; ``reserved`` never counts expired reservations;
    ``incoming`` is in transit towards this location (transfers shipped, not yet received)."""

    item_id: UUID
    location_id: UUID
    on_hand: int = Field(examples=[12])
    reserved: int = Field(examples=[5])
    available: int = Field(examples=[7])
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
            incoming=level.incoming,
            version=level.version,
            updated_at=level.updated_at,
        )


class StockLevelPage(ListPage[StockLevel]):
    """A page of stock levels in (item_id, location_id) order."""
