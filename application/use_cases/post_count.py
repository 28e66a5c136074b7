"""Post a count session: one `count` movement of counted minus expected per counted line."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.events import Cause, level_events, movement_posted
from application.idempotency import Outcome, run_once
from application.lot_steps import ensure_serials, lock_serials, posting_in_lots, refuse_tracked
from application.principal import Permission, Principal
from application.stock_changes import (
    apply_steps,
    ensure_catalog,
    ensure_no_new_stock,
    ledger_lines,
    plain,
)
from application.use_cases.base import UseCase
from application.workflow_events import count_session_event
from domain.counts import CountSession
from domain.errors import NotFound
from domain.events import EventType
from domain.lots import Lot
from domain.movements import Movement, MovementType


@dataclass(frozen=True, slots=True, kw_only=True)
class PostCount:
    """Which session; with ``expected_versions`` (If-Match) only if it is still at one
    version."""

    session_id: UUID
    expected_versions: frozenset[int] | None = None


class PostCountHandler(UseCase):
    """Post a count (admin): each counted position moves by counted minus expected, so it
    ends at counted plus every movement there since the snapshot. A position that would
    fall below what is reserved refuses the whole post (409 `reserved_stock_conflict` with
    the positions). Lines nobody counted are left as they are."""

    async def __call__(
        self, principal: Principal, command: PostCount, idempotency_key: str | None = None
    ) -> Outcome[CountSession]:
        org_id = principal.require(Permission.ADJUST_STOCK)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> CountSession:
                new_id = self.deps.ids.new_id
                before = await uow.counts.get(command.session_id, for_update=True)
                if before is None:
                    raise NotFound(f"count {command.session_id} not found", resource="count")
                before.check_version(command.expected_versions)
                plain_steps = before.posting_steps()
                catalog = await ensure_catalog(uow, plain_steps)
                lot_ids = before.posting_lots()
                serials: dict[UUID, int] = {}
                if any(lot_ids):  # each line of a lot moves in that lot (ADR 0032)
                    lots: dict[UUID, Lot] = {}
                    for lot_id in sorted({i for i in lot_ids if i is not None}):
                        lot = await uow.lots.get(lot_id)
                        if lot is None:
                            raise NotFound(f"lot {lot_id} not found", resource="lot")
                        lots[lot_id] = lot
                    steps = posting_in_lots(plain_steps, lot_ids, catalog.items, lots)
                    serials = await lock_serials(uow, steps, catalog.items)
                else:
                    item_ids = [key.item_id for key, _ in plain_steps]
                    refuse_tracked(catalog.items, item_ids, "count lines in no lot")
                    steps = list(plain_steps)
                reorder_points = catalog.reorder_points
                changes = await apply_steps(uow, steps, now, new_id)
                ensure_serials(serials, changes)
                ensure_no_new_stock(steps, changes, catalog.archived)
                movement = Movement(
                    id=new_id(),
                    type=MovementType.COUNT,
                    reason=None,
                    reference=before.reference,
                    note=None,
                    actor=principal.user_id,
                    created_at=now,
                    lines=ledger_lines(steps, changes),
                    count_session_id=before.id,
                )
                posted = before.post(movement.id, now)
                await uow.counts.save(posted)
                await uow.movements.add(movement)
                applied = [(plain(step), c) for (_, step), c in zip(steps, changes, strict=True)]
                cause = Cause(movement_id=movement.id)
                uow.events.add(
                    [
                        count_session_event(new_id, EventType.COUNT_SESSION_POSTED, posted, now),
                        movement_posted(new_id, movement),
                        *level_events(new_id, applied, cause, reorder_points, now),
                    ]
                )
                return posted

            return await run_once(
                uow,
                key=idempotency_key,
                operation="post_count",
                command=command,
                result_type=CountSession,
                now=now,
                work=work,
            )
