"""Record counted quantities in an open count session (as often as needed; the last wins)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.idempotency import run_once
from application.lot_steps import counted_in_lots
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.workflow_events import count_session_event
from domain.counts import CountSession, ItemCount
from domain.errors import NotFound
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCounts:
    """Which session, what was counted per item; with ``expected_versions`` (If-Match) only
    if the session is still at that version."""

    session_id: UUID
    lines: tuple[ItemCount, ...]
    expected_versions: frozenset[int] | None = None


class RecordCountsHandler(UseCase):
    """Record counts (any member): each replaces the item's earlier count in the session. A
    count of every item at a location also takes items it did not expect there."""

    async def __call__(self, principal: Principal, command: RecordCounts) -> CountSession:
        org_id = principal.require(Permission.COUNT_STOCK)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> CountSession:
                before = await uow.counts.get(command.session_id, for_update=True)
                if before is None:
                    raise NotFound(f"count {command.session_id} not found", resource="count")
                before.check_version(command.expected_versions)
                before.ensure_open()
                known = {line.item_id for line in before.lines}
                counted = sorted({c.item_id for c in command.lines})
                found = await uow.items.get_many(counted)
                for item_id in counted:
                    if item_id not in found and item_id not in known:
                        raise NotFound(
                            f"item {item_id} not found", resource="item", id=str(item_id)
                        )
                lines_in = command.lines
                snapshot: dict[UUID, int] = {}
                tracked = {i for i, item in found.items() if item.tracked}
                if any(c.lot is not None or c.item_id in tracked for c in lines_in):
                    # Lots named, or needed (ADR 0032): resolved, and each lot new to the
                    # session snapshotted at its first count.
                    new_id = self.deps.ids.new_id
                    lines_in = await counted_in_lots(uow, lines_in, found, now, new_id)
                    have = {line.position for line in before.lines}
                    fresh = [
                        (c.item_id, c.lot_id)
                        for c in lines_in
                        if c.lot_id is not None and c.position not in have
                    ]
                    if fresh:
                        snapshot = await uow.lots.on_hand_at(before.location_id, fresh)
                after = before.record(lines_in, principal.user_id, now, snapshot)
                await uow.counts.save(after)
                recorded = {c.position for c in lines_in}
                lines = [line for line in after.lines if line.position in recorded]
                kind = EventType.COUNT_SESSION_COUNTED
                uow.events.add([count_session_event(self.deps.ids.new_id, kind, after, now, lines)])
                return after

            # A PUT takes no Idempotency-Key: sent again, it leaves the same counts.
            outcome = await run_once(
                uow,
                key=None,
                operation="record_counts",
                command=command,
                result_type=CountSession,
                now=now,
                work=work,
            )
            return outcome.value
