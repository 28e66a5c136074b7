"""Reading reservations as of now: effective status filters, reference filter, stable pages."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from application.ports import ReservationFilter
from application.principal import Principal
from application.queries.reservations import ListReservationsHandler
from application.use_cases.base import Deps
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import ValidationFailed
from domain.reservations import ReservationStatus
from tests.unit.conftest import Given


async def listed(deps: Deps, who: Principal, filters: ReservationFilter) -> list[object]:
    return [r.id for r in (await ListReservationsHandler(deps)(who, filters, 200, None)).items]


async def test_every_status_filter_uses_the_effective_status(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(20)
    active = await given.reservation(item, location, 1, reference="SO-1")
    clock.advance(1)
    released = await given.reservation(item, location, 1)
    clock.advance(1)
    fulfilled = await given.reservation(item, location, 1, reference="SO-1")
    clock.advance(1)
    expiring = await given.reservation(item, location, 1, ttl_seconds=5)
    settle = SettleReservation
    await ReleaseReservationHandler(deps)(member, settle(reservation_id=released.id))
    await FulfilReservationHandler(deps)(member, settle(reservation_id=fulfilled.id))
    clock.advance(5)  # no expiry job: the last one is expired only by time

    by_status = {
        s: await listed(deps, member, ReservationFilter(status=s)) for s in ReservationStatus
    }

    assert by_status == {
        ReservationStatus.ACTIVE: [active.id],
        ReservationStatus.RELEASED: [released.id],
        ReservationStatus.FULFILLED: [fulfilled.id],
        ReservationStatus.EXPIRED: [expiring.id],
    }
    page = await ListReservationsHandler(deps)(
        member, ReservationFilter(status=ReservationStatus.EXPIRED), None, None
    )
    assert page.items[0].status is ReservationStatus.EXPIRED
    assert await listed(deps, member, ReservationFilter(reference="SO-1")) == [
        active.id,
        fulfilled.id,
    ]
    assert await listed(deps, member, ReservationFilter()) == [
        active.id,
        released.id,
        fulfilled.id,
        expiring.id,
    ]


async def test_reservations_page_oldest_first_without_repeats(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(20)
    made = [(await given.reservation(item, location, 1)).id for _ in range(5)]
    seen: list[object] = []
    cursor = None

    while True:
        page = await ListReservationsHandler(deps)(member, ReservationFilter(), 2, cursor)
        seen += [r.id for r in page.items]
        if not (cursor := page.next_cursor):
            break

    assert sorted(seen, key=str) == sorted(made, key=str)
    assert len(seen) == 5


async def test_a_tampered_reservation_cursor_is_refused(deps: Deps, member: Principal) -> None:
    with pytest.raises(ValidationFailed):
        await ListReservationsHandler(deps)(member, ReservationFilter(), 10, "WyJvbmx5LW9uZSJd")
