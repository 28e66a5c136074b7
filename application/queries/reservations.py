"""Read reservations as of now (an expired hold reads as expired)."""

from __future__ import annotations

from uuid import UUID

from application.pagination import Keyset, Page, PageRequest, page_of, time_part, uuid_part
from application.ports import ReservationFilter
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.errors import NotFound
from domain.reservations import Reservation


def reservation_sort_key(reservation: Reservation) -> tuple[str, ...]:
    """Reservations list oldest first, ties broken by id."""
    return (reservation.created_at.isoformat(), str(reservation.id))


RESERVATIONS: Keyset[Reservation] = Keyset(
    "reservations", reservation_sort_key, (time_part, uuid_part)
)


class GetReservationHandler(UseCase):
    """One reservation of the caller's org."""

    async def __call__(self, principal: Principal, reservation_id: UUID) -> Reservation:
        async with self.deps.uow(principal.require(Permission.READ)) as uow:
            reservation = await uow.reservations.get(reservation_id)
        if reservation is None:
            raise NotFound(f"reservation {reservation_id} not found", resource="reservation")
        return reservation.as_of(self.deps.clock.now())


class ListReservationsHandler(UseCase):
    """A page of reservations, filtered by effective status and reference."""

    async def __call__(
        self,
        principal: Principal,
        filters: ReservationFilter,
        limit: int | None,
        cursor: str | None,
    ) -> Page[Reservation]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, RESERVATIONS)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            rows = await uow.reservations.list(filters, request, now)
        page = page_of(rows, request, RESERVATIONS)
        return Page([r.as_of(now) for r in page.items], page.next_cursor)
