"""Receive all or part of what a transfer has in transit, at its destination."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.transit import TransferMoved, TransitChange, end_transit
from application.use_cases.base import UseCase
from domain.events import EventType
from domain.transfers import ItemQuantity, Transfer


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiveTransfer:
    """Which transfer and how much of each item (None: everything in transit); with
    ``expected_versions`` (If-Match) only if the transfer is still at that version."""

    transfer_id: UUID
    lines: tuple[ItemQuantity, ...] | None = None
    expected_versions: frozenset[int] | None = None


class ReceiveTransferHandler(UseCase):
    """Receive a transfer (any member), partly or wholly: a `transfer_in` movement at the
    destination; the transfer is `received` once nothing is left in transit."""

    async def __call__(
        self, principal: Principal, command: ReceiveTransfer, idempotency_key: str | None = None
    ) -> Outcome[TransferMoved]:
        org_id = principal.require(Permission.MOVE_STOCK)
        now = self.deps.clock.now()
        how = TransitChange(
            change=lambda transfer: transfer.receive(command.lines, now),
            steps=Transfer.receiving_steps,
            announce=EventType.TRANSFER_RECEIVED,
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
                operation="receive_transfer",
                command=command,
                result_type=TransferMoved,
                now=now,
                work=work,
            )
