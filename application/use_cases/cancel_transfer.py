"""Cancel a transfer: what is still in transit goes back to its source."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.transit import TransferMoved, TransitChange, end_transit
from application.use_cases.base import UseCase
from domain.events import EventType
from domain.transfers import Transfer


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTransfer:
    """Which transfer; with ``expected_versions`` (If-Match) only if it is still at one
    version."""

    transfer_id: UUID
    expected_versions: frozenset[int] | None = None


class CancelTransferHandler(UseCase):
    """Cancel a transfer (any member): everything still in transit returns to the source as
    a `transfer_in` movement there (what was received stays received)."""

    async def __call__(
        self, principal: Principal, command: CancelTransfer, idempotency_key: str | None = None
    ) -> Outcome[TransferMoved]:
        org_id = principal.require(Permission.MOVE_STOCK)
        now = self.deps.clock.now()
        how = TransitChange(
            change=lambda transfer: transfer.cancel(now),
            steps=Transfer.cancelling_steps,
            announce=EventType.TRANSFER_CANCELLED,
        )
        async with self.deps.uow(org_id) as uow:

            async def work() -> TransferMoved:
                return await end_transit(
                    uow,
                    command.transfer_id,
                    command.expected_versions,
                    how,
                    actor=principal.user_id,
                    now=now,
                    new_id=self.deps.ids.new_id,
                )

            return await run_once(
                uow,
                key=idempotency_key,
                operation="cancel_transfer",
                command=command,
                result_type=TransferMoved,
                now=now,
                work=work,
            )
