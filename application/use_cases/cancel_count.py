"""Cancel a count session: nothing it counted is applied."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.workflow_events import count_session_event
from domain.counts import CountSession
from domain.errors import NotFound
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelCount:
    """Which session; with ``expected_versions`` (If-Match) only if it is still at one
    version."""

    session_id: UUID
    expected_versions: frozenset[int] | None = None


class CancelCountHandler(UseCase):
    """Cancel an open count (admin); its counts are kept for the record, never applied."""

    async def __call__(
        self, principal: Principal, command: CancelCount, idempotency_key: str | None = None
    ) -> Outcome[CountSession]:
        org_id = principal.require(Permission.ADJUST_STOCK)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> CountSession:
                before = await uow.counts.get(command.session_id, for_update=True)
                if before is None:
                    raise NotFound(f"count {command.session_id} not found", resource="count")
                before.check_version(command.expected_versions)
                cancelled = before.cancel(now)
                await uow.counts.save(cancelled)
                kind = EventType.COUNT_SESSION_CANCELLED
                uow.events.add([count_session_event(self.deps.ids.new_id, kind, cancelled, now)])
                return cancelled

            return await run_once(
                uow,
                key=idempotency_key,
                operation="cancel_count",
                command=command,
                result_type=CountSession,
                now=now,
                work=work,
            )
