"""Record a movement in the ledger and apply it to stock levels, all or nothing."""

from __future__ import annotations

from application.events import Cause, level_events, movement_posted
from application.idempotency import Outcome, run_once
from application.lot_steps import ensure_serials, lock_serials, transfer_lots, with_lots
from application.principal import Permission, Principal
from application.stock_changes import (
    apply_steps,
    ensure_catalog,
    ensure_no_new_stock,
    ledger_lines,
    plain,
)
from application.use_cases.base import UseCase
from domain.movements import Movement, MovementRequest, MovementType

_PERMISSION = {
    MovementType.RECEIPT: Permission.MOVE_STOCK,
    MovementType.SHIPMENT: Permission.MOVE_STOCK,
    MovementType.TRANSFER: Permission.MOVE_STOCK,
    MovementType.ADJUSTMENT: Permission.ADJUST_STOCK,
    MovementType.COUNT: Permission.ADJUST_STOCK,
}


# Lines of these types may be in lots: counts name the lot counted (ADR 0032), one-step
# transfers move a lot between locations (ADR 0033).
_LOT_AWARE = frozenset(
    {
        MovementType.RECEIPT,
        MovementType.SHIPMENT,
        MovementType.ADJUSTMENT,
        MovementType.COUNT,
        MovementType.TRANSFER,
    }
)


class PostMovementHandler(UseCase):
    """Post a receipt, shipment or transfer (any member) or an adjustment or count (admin)."""

    async def __call__(
        self, principal: Principal, command: MovementRequest, idempotency_key: str | None = None
    ) -> Outcome[Movement]:
        org_id = principal.require(_PERMISSION[command.type])
        now = self.deps.clock.now()
        plain_steps = command.steps()

        async with self.deps.uow(org_id) as uow:

            async def work() -> Movement:
                new_id = self.deps.ids.new_id
                catalog = await ensure_catalog(uow, plain_steps)
                request_steps, refs = plain_steps, command.lot_refs()
                if command.type is MovementType.TRANSFER:  # a lot for each tracked line
                    request_steps, refs = await transfer_lots(
                        uow, plain_steps, refs, catalog.items, now
                    )
                steps = await with_lots(
                    uow,
                    request_steps,
                    refs,
                    catalog.items,
                    now,
                    new_id,
                    lot_aware=command.type in _LOT_AWARE,
                )
                serials = await lock_serials(uow, steps, catalog.items)
                changes = await apply_steps(uow, steps, now, new_id)
                ensure_serials(serials, changes)
                ensure_no_new_stock(steps, changes, catalog.archived)
                reorder_points = catalog.reorder_points
                movement = Movement(
                    id=self.deps.ids.new_id(),
                    type=command.type,
                    reason=command.reason,
                    reference=command.reference,
                    note=command.note,
                    actor=principal.user_id,
                    created_at=now,
                    lines=ledger_lines(steps, changes),
                )
                await uow.movements.add(movement)
                uow.events.add([movement_posted(new_id, movement)])
                applied = [(plain(step), c) for (_, step), c in zip(steps, changes, strict=True)]
                cause = Cause(movement_id=movement.id)
                uow.events.add(level_events(new_id, applied, cause, reorder_points, now))
                return movement

            return await run_once(
                uow,
                key=idempotency_key,
                operation="post_movement",
                command=command,
                result_type=Movement,
                now=now,
                work=work,
            )
