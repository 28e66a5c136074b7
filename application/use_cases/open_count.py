"""Open a count session: a snapshot of what the books say at one location."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.workflow_events import count_session_event
from domain.counts import MAX_LINES, CountSession
from domain.errors import NotFound
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCount:
    """The location, and the items to count (None: every item there); ``blind`` hides the
    expected figures from the members who count."""

    location_id: UUID
    item_ids: tuple[UUID, ...] | None = None
    blind: bool = False
    reference: str | None = None


class OpenCountHandler(UseCase):
    """Open a count (admin): each line expects the on_hand the books show now; posting
    later applies counted minus that, so movements in between stay applied."""

    async def __call__(
        self, principal: Principal, command: OpenCount, idempotency_key: str | None = None
    ) -> Outcome[CountSession]:
        org_id = principal.require(Permission.ADJUST_STOCK)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> CountSession:
                if await uow.locations.get(command.location_id) is None:
                    raise NotFound(
                        f"location {command.location_id} not found",
                        resource="location",
                        id=str(command.location_id),
                    )
                if command.item_ids is not None:
                    found = await uow.items.get_many(command.item_ids)
                    for item_id in command.item_ids:
                        if item_id not in found:
                            raise NotFound(
                                f"item {item_id} not found", resource="item", id=str(item_id)
                            )
                snapshot = await uow.stock.on_hand_at(
                    command.location_id, command.item_ids, MAX_LINES + 1
                )
                session = CountSession.open(
                    id=self.deps.ids.new_id(),
                    location_id=command.location_id,
                    snapshot=snapshot,
                    item_ids=command.item_ids,
                    blind=command.blind,
                    reference=command.reference,
                    created_by=principal.user_id,
                    now=now,
                )
                await uow.counts.add(session)
                new_id = self.deps.ids.new_id
                created = count_session_event(new_id, EventType.COUNT_SESSION_CREATED, session, now)
                uow.events.add([created])
                return session

            return await run_once(
                uow,
                key=idempotency_key,
                operation="open_count",
                command=command,
                result_type=CountSession,
                now=now,
                work=work,
            )
