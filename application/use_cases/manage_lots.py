"""Create a lot ahead of its first receipt, or change its expiry date (admin)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from application.catalog import find
from application.idempotency import Outcome, run_once
from application.lot_ports import LotStock
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.lots import Lot


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateLot:
    """A new lot of a lot-tracked item; the code must be unused for the item (ignoring case)."""

    item_id: UUID
    code: str
    expires_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLot:
    """A lot's new expiry date (None: it never expires)."""

    lot_id: UUID
    expires_on: date | None


class CreateLotHandler(UseCase):
    """Create a lot (admin, owner); receipts may also create lots by naming them."""

    async def __call__(
        self, principal: Principal, command: CreateLot, idempotency_key: str | None = None
    ) -> Outcome[LotStock]:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> LotStock:
                item = await find(uow.items, command.item_id, "item")
                if not item.tracked:
                    raise ValidationFailed(
                        f"item {item.id} does not track lots (tracking: none)", field="item_id"
                    )
                lot = Lot.create(
                    id=self.deps.ids.new_id(),
                    item_id=item.id,
                    code=command.code,
                    expires_on=command.expires_on,
                    now=now,
                )
                stored = await uow.lots.add(lot)
                if stored.id != lot.id:
                    raise Conflict(f"item {item.id} has a lot {stored.code} already", field="code")
                return await uow.lots.stock(stored, now)

            return await run_once(
                uow,
                key=idempotency_key,
                operation="create_lot",
                command=command,
                result_type=LotStock,
                now=now,
                work=work,
            )


class UpdateLotHandler(UseCase):
    """Change a lot's expiry date (admin, owner). Stock already held in it stays held; once
    expired it may not be reserved or shipped, only written off (ADR 0026)."""

    async def __call__(self, principal: Principal, command: UpdateLot) -> LotStock:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            lot = await uow.lots.get(command.lot_id, for_update=True)
            if lot is None:
                raise NotFound(f"lot {command.lot_id} not found", resource="lot")
            changed = replace(lot, expires_on=command.expires_on)
            await uow.lots.save(changed)
            stock = await uow.lots.stock(changed, now)
            await uow.commit()
            return stock
