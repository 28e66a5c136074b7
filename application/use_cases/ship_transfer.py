"""Ship a transfer: stock leaves the source at once and is in transit to the destination."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.events import Cause, level_events, movement_posted
from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.stock_changes import apply_steps, ensure_catalog, ledger_lines, plain
from application.transit import TransferMoved
from application.transit_lots import shipped_lots, shipping_in_lots
from application.use_cases.base import UseCase
from application.workflow_events import transfer_event
from domain.events import EventType
from domain.movements import Movement, MovementType
from domain.transfers import ItemQuantity, Transfer


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipTransfer:
    """From where, to where, and how much of each item (each item once)."""

    from_location_id: UUID
    to_location_id: UUID
    lines: tuple[ItemQuantity, ...]
    reference: str | None = None
    note: str | None = None


class ShipTransferHandler(UseCase):
    """Ship stock to another location (any member): only from what is available at the
    source; until received it is in transit, reported as the destination's ``incoming``. A
    lot-tracked item ships out of the lot its line names (``lot_code`` or ``lot_id``), else
    first-expiry-first-out over the source's unexpired lots (ADR 0034)."""

    async def __call__(
        self, principal: Principal, command: ShipTransfer, idempotency_key: str | None = None
    ) -> Outcome[TransferMoved]:
        org_id = principal.require(Permission.MOVE_STOCK)
        now = self.deps.clock.now()
        transfer = Transfer.ship(
            id=self.deps.ids.new_id(),
            from_location_id=command.from_location_id,
            to_location_id=command.to_location_id,
            lines=command.lines,
            reference=command.reference,
            note=command.note,
            created_by=principal.user_id,
            now=now,
        )
        steps = transfer.shipping_steps()

        async with self.deps.uow(org_id) as uow:

            async def work() -> TransferMoved:
                new_id = self.deps.ids.new_id
                catalog = await ensure_catalog(uow, steps)
                in_lots = await shipping_in_lots(uow, steps, command.lines, catalog.items)
                reorder_points = catalog.reorder_points
                shipping = transfer
                await uow.transfers.add(shipping)  # written first: the levels are locked last
                changes = await apply_steps(uow, in_lots, now, new_id)
                picked = shipped_lots(in_lots, changes)
                if picked:  # the lots the shipment took, decided under the levels' locks
                    shipping = transfer.with_shipped_lots(picked)
                    await uow.transfers.add_lots(shipping)
                movement = Movement(
                    id=new_id(),
                    type=MovementType.TRANSFER_OUT,
                    reason=None,
                    reference=transfer.reference,
                    note=transfer.note,
                    actor=principal.user_id,
                    created_at=now,
                    lines=ledger_lines(in_lots, changes),
                    transfer_id=transfer.id,
                )
                await uow.movements.add(movement)
                applied = [(plain(step), c) for (_, step), c in zip(in_lots, changes, strict=True)]
                cause = Cause(movement_id=movement.id)
                uow.events.add(
                    [
                        transfer_event(new_id, EventType.TRANSFER_CREATED, shipping, now),
                        movement_posted(new_id, movement),
                        *level_events(new_id, applied, cause, reorder_points, now),
                    ]
                )
                return TransferMoved(shipping, movement.id)

            return await run_once(
                uow,
                key=idempotency_key,
                operation="ship_transfer",
                command=command,
                result_type=TransferMoved,
                now=now,
                work=work,
            )
