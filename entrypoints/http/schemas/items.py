"""Item bodies: create, partial update, the item as clients see it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.use_cases.create_item import CreateItem
from domain import catalog
from domain.lots import Tracking
from entrypoints.http.schemas.common import (
    Code,
    Description,
    ListPage,
    Name,
    ReorderPoint,
    Request,
    Timestamp,
    Unit,
)


class ItemCreate(Request):
    """A new item; ``sku`` is unique per organization, case-insensitively."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"sku": "WIDGET-1", "name": "Blue widget", "unit": "each", "reorder_point": 10}
            ]
        }
    )

    sku: Code
    name: Name
    unit: Unit = "each"
    description: Description | None = None
    reorder_point: ReorderPoint | None = None
    tracking: Tracking = Field(
        Tracking.NONE,
        description="`lot`: stock is kept per lot (with expiry dates, picked first-expiry-"
        "first-out); `serial`: a lot of at most one unit across the organization.",
    )

    def to_command(self) -> CreateItem:
        """The use case command for this body."""
        return CreateItem(
            sku=self.sku,
            name=self.name,
            unit=self.unit,
            description=self.description,
            reorder_point=self.reorder_point,
            tracking=self.tracking.value,
        )


class ItemUpdate(Request):
    """Any of the fields; an explicit null clears ``description`` or ``reorder_point``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Blue widget, large", "reorder_point": None}]}
    )

    name: Name | None = None
    unit: Unit | None = None
    description: Description | None = None
    reorder_point: ReorderPoint | None = None
    tracking: Tracking | None = Field(
        None, description="Changes only while the item holds no stock anywhere (else 409)."
    )

    def to_changes(self) -> catalog.ItemChanges:
        """Domain changes; only the fields present in the body are touched."""
        sent = self.model_fields_set
        return catalog.ItemChanges(
            name=self.name,
            unit=self.unit,
            description=self.description,
            set_description="description" in sent,
            reorder_point=self.reorder_point,
            set_reorder_point="reorder_point" in sent,
            tracking=None if self.tracking is None else self.tracking.value,
        )


class Item(BaseModel):
    """A stocked thing; archived items stay readable but take no new stock."""

    id: UUID
    sku: str = Field(examples=["WIDGET-1"])
    name: str = Field(examples=["Blue widget"])
    description: str | None
    unit: str = Field(examples=["each"])
    reorder_point: int | None
    tracking: Tracking = Field(description="`none`, `lot` or `serial`.")
    archived: bool
    version: int = Field(description="Bumped on every change; sent as the ETag.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, item: catalog.Item) -> Item:
        """The response body for a domain item."""
        return cls(
            id=item.id,
            sku=item.sku,
            name=item.name,
            description=item.description,
            unit=item.unit,
            reorder_point=item.reorder_point,
            tracking=item.tracking,
            archived=item.archived,
            version=item.version,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


class ItemPage(ListPage[Item]):
    """A page of items in SKU order."""
