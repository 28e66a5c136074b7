"""Create an item in the caller's catalog."""

from __future__ import annotations

from dataclasses import dataclass

from application.events import item_event
from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Item
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateItem:
    """A new item; the SKU must be unused in the org (case-insensitively)."""

    sku: str
    name: str
    unit: str = "each"
    description: str | None = None
    reorder_point: int | None = None
    tracking: str = "none"  # none, lot or serial (domain/lots.py)


class CreateItemHandler(UseCase):
    """Create an item (admin, owner)."""

    async def __call__(
        self, principal: Principal, command: CreateItem, idempotency_key: str | None = None
    ) -> Outcome[Item]:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()

        async with self.deps.uow(org_id) as uow:

            async def work() -> Item:
                item = Item.create(
                    id=self.deps.ids.new_id(),
                    sku=command.sku,
                    name=command.name,
                    unit=command.unit,
                    description=command.description,
                    reorder_point=command.reorder_point,
                    tracking=command.tracking,
                    now=now,
                )
                await uow.items.add(item)
                event = item_event(self.deps.ids.new_id, EventType.ITEM_CREATED, item, now)
                uow.events.add([event])
                return item

            return await run_once(
                uow,
                key=idempotency_key,
                operation="create_item",
                command=command,
                result_type=Item,
                now=now,
                work=work,
            )
