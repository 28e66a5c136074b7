"""Archive an item: it stays readable with its history but takes no new stock."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application import catalog
from application.events import item_event
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Item
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveItem:
    """Archive the item, only if still at one of ``expected_versions`` (If-Match; None:
    any). Idempotent."""

    item_id: UUID
    expected_versions: frozenset[int] | None = None


class ArchiveItemHandler(UseCase):
    """Archive an item (admin, owner)."""

    async def __call__(self, principal: Principal, command: ArchiveItem) -> Item:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            item, archived = await catalog.archive(
                uow.items, command.item_id, "item", command.expected_versions, now
            )
            if archived:
                event = item_event(self.deps.ids.new_id, EventType.ITEM_ARCHIVED, item, now)
                uow.events.add([event])
            await uow.commit()
            return item
