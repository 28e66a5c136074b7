"""Give held stock back to available."""

from __future__ import annotations

from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.use_cases.settle_reservation import SettleReservation, settle
from domain.reservations import Reservation


class ReleaseReservationHandler(UseCase):
    """Release all or part of an active reservation (any member)."""

    async def __call__(
        self, principal: Principal, command: SettleReservation, idempotency_key: str | None = None
    ) -> Outcome[Reservation]:
        org_id = principal.require(Permission.RESERVE)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> Reservation:
                settled = await settle(uow, command, self.deps.clock, fulfil=False)
                return settled.reservation

            return await run_once(
                uow,
                key=idempotency_key,
                operation="release_reservation",
                command=command,
                result_type=Reservation,
                now=now,
                work=work,
            )
