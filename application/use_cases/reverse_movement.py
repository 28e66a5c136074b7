"""Reverse a movement: a new movement with every line negated, linked both ways."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from application.events import Cause, level_events, movement_posted, movement_reversed
from application.idempotency import Outcome, run_once
from application.lot_steps import ensure_serials, lock_serials, refuse_tracked, reversal_in_lots
from application.principal import Permission, Principal
from application.stock_changes import apply_steps, ensure_catalog, ledger_lines, plain
from application.use_cases.base import UseCase
from domain import rules
from domain.errors import NotFound
from domain.lots import Lot
from domain.movements import Movement, MovementType


@dataclass(frozen=True, slots=True, kw_only=True)
class ReverseMovement:
    """Which movement, and why (``note``)."""

    movement_id: UUID
    note: str | None = None


class ReverseMovementHandler(UseCase):
    """Reverse a movement (admin), at most once: a `reversal` movement negating every line,
    `reverses` the original, which reads with `reversed_by`. Refused (409) when stock that
    came in has left since (`insufficient_stock`) or is held (`reserved_stock_conflict`),
    and for transfers in transit (`not_reversible`: receive or cancel them) and reversals."""

    async def __call__(
        self, principal: Principal, command: ReverseMovement, idempotency_key: str | None = None
    ) -> Outcome[Movement]:
        org_id = principal.require(Permission.ADJUST_STOCK)
        now = self.deps.clock.now()
        note = rules.optional_text(command.note, "note", rules.MAX_NOTE)
        async with self.deps.uow(org_id) as uow:

            async def work() -> Movement:
                new_id = self.deps.ids.new_id
                # Locked first: a concurrent reversal of the same movement waits, then sees ours.
                original = await uow.movements.get(command.movement_id, for_update=True)
                if original is None:
                    raise NotFound(f"movement {command.movement_id} not found", resource="movement")
                plain_steps = original.reversal_steps()
                catalog = await ensure_catalog(uow, plain_steps)
                lot_ids = sorted({ln.lot_id for ln in original.lines if ln.lot_id is not None})
                if lot_ids:  # each line of a lot is undone in that lot (ADR 0032)
                    lots: dict[UUID, Lot] = {}
                    for lot_id in lot_ids:
                        lot = await uow.lots.get(lot_id)
                        if lot is None:
                            raise NotFound(f"lot {lot_id} not found", resource="lot")
                        lots[lot_id] = lot
                    steps = reversal_in_lots(original, plain_steps, catalog.items, lots)
                else:
                    refuse_tracked(
                        catalog.items, [key.item_id for key, _ in plain_steps], "reversals"
                    )
                    steps = list(plain_steps)
                reorder_points = catalog.reorder_points
                serials = await lock_serials(uow, steps, catalog.items) if lot_ids else {}
                changes = await apply_steps(uow, steps, now, new_id)
                ensure_serials(serials, changes)
                reversal = Movement(
                    id=new_id(),
                    type=MovementType.REVERSAL,
                    reason=None,
                    reference=original.reference,
                    note=note,
                    actor=principal.user_id,
                    created_at=now,
                    lines=ledger_lines(steps, changes),
                    reverses=original.id,
                )
                await uow.movements.add(reversal)
                applied = [(plain(step), c) for (_, step), c in zip(steps, changes, strict=True)]
                reversed_original = replace(original, reversed_by=reversal.id)
                uow.events.add(
                    [
                        movement_posted(new_id, reversal),
                        movement_reversed(new_id, reversed_original, now),
                        *level_events(
                            new_id, applied, Cause(movement_id=reversal.id), reorder_points, now
                        ),
                    ]
                )
                return reversal

            return await run_once(
                uow,
                key=idempotency_key,
                operation="reverse_movement",
                command=command,
                result_type=Movement,
                now=now,
                work=work,
            )
