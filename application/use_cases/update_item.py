"""Change an item's name, description, unit, reorder point or tracking."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application import catalog
from application.events import item_event
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Item, ItemChanges
from domain.errors import TrackingLocked
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateItem:
    """A partial update, applied only if the item is still at one of ``expected_versions`` (If-Match; None: any)."""

    item_id: UUID
    changes: ItemChanges
    expected_versions: frozenset[int] | None = None


class UpdateItemHandler(UseCase):
    """Update an item (admin, owner)."""

    async def __call__(self, principal: Principal, command: UpdateItem) -> Item:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            item = await catalog.lock_for_change(
                uow.items, command.item_id, "item", command.expected_versions
            )
            updated = item.update(command.changes, now)
            # Lots change what a position is: only an item holding nothing may switch. The
            # item's row lock (taken above) waits for writes that read it FOR KEY SHARE.
            if updated.tracking is not item.tracking and await uow.stock.holds_any(item.id):
                raise TrackingLocked(
                    f"item {item.id} holds stock (on hand, reserved or in transit); "
                    "tracking changes only while it holds none",
                    tracking=item.tracking.value,
                )
            await uow.items.save(updated)
            event = item_event(self.deps.ids.new_id, EventType.ITEM_UPDATED, updated, now)
            uow.events.add([event])
            await uow.commit()
            return updated
