"""Reservations of lot-tracked items (ADR 0031), through the use cases on both adapters: held
first-expiry-first-out or in the lot named, recorded per lot, and released, fulfilled and
expired (lazily and by the job) from those same lots."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from application.lot_ports import LotFilter
from application.ports import ExpiredReservations
from application.principal import Principal
from application.queries.lots import ListLotsHandler
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.expire_reservations import (
    ExpireReservations,
    ExpireReservationsHandler,
)
from application.use_cases.fulfil_reservation import Fulfilment, FulfilReservationHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InsufficientStock, LotExpired, NotFound, ValidationFailed
from domain.reservations import LineQuantity, Reservation, ReservationStatus
from tests.contract import builders
from tests.contract.lot_builders import level, lot_levels, receive, ship

JAN_10, JAN_20, JAN_30 = date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 30)
JAN_5 = datetime(2026, 1, 5, tzinfo=UTC)
JAN_11 = datetime(2026, 1, 11, tzinfo=UTC)


async def _lots(deps: Deps, who: Principal, item_id: UUID) -> dict[str, tuple[int, int]]:
    """code -> (on_hand, reserved) of each lot position."""
    page = await lot_levels(deps, who, item_id)
    return {r.position.lot.code: (r.position.on_hand, r.position.reserved) for r in page.items}


async def _reserve(
    deps: Deps, who: Principal, *lines: LineQuantity, ttl_seconds: int | None = None
) -> Reservation:
    command = CreateReservation(lines=tuple(lines), ttl_seconds=ttl_seconds)
    return (await CreateReservationHandler(deps)(who, command)).value


async def _stored(deps: Deps, who: Principal, reservation_id: UUID) -> Reservation:
    assert who.org_id is not None
    async with deps.uow(who.org_id) as uow:
        found = await uow.reservations.get(reservation_id)
    assert found is not None
    return found


def _held(reservation: Reservation) -> list[list[tuple[str, int, int, int]]]:
    """Per line, (lot code, quantity, fulfilled, released) of each lot holding it."""
    return [
        [(p.lot.code, p.quantity, p.fulfilled, p.released) for p in line.lots]
        for line in reservation.lines
    ]


async def _setup(deps: Deps, admin: Principal, clock: ManualClock) -> tuple[UUID, UUID]:
    clock.set(JAN_5)
    item = await builders.item(deps, admin, tracking="lot")
    here = await builders.location(deps, admin)
    await receive(
        deps, admin, item.id, here.id, {"OLD": (4, JAN_10), "MID": (3, JAN_20), "NEW": (5, JAN_30)}
    )
    return item.id, here.id


async def test_a_reservation_is_held_first_expiry_first_out_and_recorded_per_lot(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await _setup(deps, admin, clock)
    plain = await builders.item(deps, admin)
    await builders.receive(deps, admin, plain.id, here, 5)
    clock.set(JAN_11)  # OLD has expired

    created = await _reserve(
        deps, admin, LineQuantity(item, here, 5), LineQuantity(plain.id, here, 2)
    )

    assert _held(created) == [[("MID", 3, 0, 0), ("NEW", 2, 0, 0)], []]
    assert _held(await _stored(deps, admin, created.id)) == _held(created)
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 3), "NEW": (5, 2)}
    found = await level(deps, admin, item, here)
    assert (found.on_hand, found.reserved, found.available) == (12, 5, 3)
    assert (await level(deps, admin, plain.id, here)).reserved == 2
    with pytest.raises(InsufficientStock):  # 3 left in unexpired lots
        await _reserve(deps, admin, LineQuantity(item, here, 4))
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 3), "NEW": (5, 2)}


async def test_a_line_naming_a_lot_holds_only_that_lot(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await _setup(deps, admin, clock)
    clock.set(JAN_11)
    by_code = await _reserve(deps, admin, LineQuantity(item, here, 2, lot_code="NEW"))
    new_id = by_code.lines[0].lots[0].lot.id
    by_id = await _reserve(deps, admin, LineQuantity(item, here, 1, lot_id=new_id))

    assert _held(by_code) == [[("NEW", 2, 0, 0)]]
    assert _held(by_id) == [[("NEW", 1, 0, 0)]]
    with pytest.raises(LotExpired):
        await _reserve(deps, admin, LineQuantity(item, here, 1, lot_code="OLD"))
    with pytest.raises(InsufficientStock):
        await _reserve(deps, admin, LineQuantity(item, here, 3, lot_code="NEW"))
    with pytest.raises(NotFound):
        await _reserve(deps, admin, LineQuantity(item, here, 1, lot_code="NONE"))
    plain = await builders.item(deps, admin)
    await builders.receive(deps, admin, plain.id, here, 5)
    with pytest.raises(ValidationFailed):
        await _reserve(deps, admin, LineQuantity(plain.id, here, 1, lot_code="NEW"))
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 0), "NEW": (5, 3)}
    assert (await level(deps, admin, item, here)).reserved == 3


async def test_release_gives_each_lot_back_what_it_held_partial_in_pick_order(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await _setup(deps, admin, clock)
    created = await _reserve(deps, admin, LineQuantity(item, here, 6))  # OLD 4, MID 2
    release = ReleaseReservationHandler(deps)

    part = SettleReservation(reservation_id=created.id, lines=(LineQuantity(item, here, 5),))
    partly = (await release(admin, part)).value
    assert _held(partly) == [[("OLD", 4, 0, 4), ("MID", 2, 0, 1)]]
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 1), "NEW": (5, 0)}

    rest = (await release(admin, SettleReservation(reservation_id=created.id))).value
    assert rest.status is ReservationStatus.RELEASED
    assert _held(await _stored(deps, admin, created.id)) == [[("OLD", 4, 0, 4), ("MID", 2, 0, 2)]]
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 0), "NEW": (5, 0)}
    assert (await level(deps, admin, item, here)).reserved == 0


async def test_fulfil_ships_from_the_recorded_lots_partial_then_the_rest(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await _setup(deps, admin, clock)
    created = await _reserve(deps, admin, LineQuantity(item, here, 6))  # OLD 4, MID 2
    fulfil = FulfilReservationHandler(deps)

    part = SettleReservation(reservation_id=created.id, lines=(LineQuantity(item, here, 5),))
    first: Fulfilment = (await fulfil(admin, part)).value
    assert _held(first.reservation) == [[("OLD", 4, 4, 0), ("MID", 2, 1, 0)]]
    assert await _lots(deps, admin, item) == {"OLD": (0, 0), "MID": (2, 1), "NEW": (5, 0)}
    assert admin.org_id is not None
    async with deps.uow(admin.org_id) as uow:
        movement = await uow.movements.get(first.movement_id)
    assert movement is not None
    assert [(m.lot_code, m.delta, m.on_hand_after) for m in movement.lines] == [
        ("OLD", -4, 8),
        ("MID", -1, 7),
    ]

    rest = (await fulfil(admin, SettleReservation(reservation_id=created.id))).value
    assert rest.reservation.status is ReservationStatus.FULFILLED
    assert await _lots(deps, admin, item) == {"OLD": (0, 0), "MID": (1, 0), "NEW": (5, 0)}
    found = await level(deps, admin, item, here)
    assert (found.on_hand, found.reserved) == (6, 0)


async def test_fulfilling_from_a_lot_expired_since_is_lot_expired_and_changes_nothing(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await _setup(deps, admin, clock)
    created = await _reserve(deps, admin, LineQuantity(item, here, 5))  # OLD 4, MID 1
    clock.set(JAN_11)

    with pytest.raises(LotExpired):
        await FulfilReservationHandler(deps)(admin, SettleReservation(reservation_id=created.id))

    stored = await _stored(deps, admin, created.id)
    assert stored.status is ReservationStatus.ACTIVE
    assert _held(stored) == [[("OLD", 4, 0, 0), ("MID", 1, 0, 0)]]
    assert await _lots(deps, admin, item) == {"OLD": (4, 4), "MID": (3, 1), "NEW": (5, 0)}
    released = await ReleaseReservationHandler(deps)(
        admin, SettleReservation(reservation_id=created.id)
    )
    assert released.value.status is ReservationStatus.RELEASED
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 0), "NEW": (5, 0)}
    found = await level(deps, admin, item, here)
    assert (found.reserved, found.expired_unreserved) == (0, 4)


async def test_a_write_meeting_an_expired_hold_gives_its_lots_back(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await _setup(deps, admin, clock)
    plain = await builders.item(deps, admin)
    await builders.receive(deps, admin, plain.id, here, 5)
    created = await _reserve(
        deps, admin, LineQuantity(item, here, 9), LineQuantity(plain.id, here, 2), ttl_seconds=60
    )
    assert await _lots(deps, admin, item) == {"OLD": (4, 4), "MID": (3, 3), "NEW": (5, 2)}
    clock.advance(60)

    await ship(deps, admin, item, here, 10)  # needs the expired hold's stock

    stored = await _stored(deps, admin, created.id)
    assert stored.status is ReservationStatus.EXPIRED
    assert _held(stored) == [[("OLD", 4, 0, 4), ("MID", 3, 0, 3), ("NEW", 2, 0, 2)], []]
    assert await _lots(deps, admin, item) == {"OLD": (0, 0), "MID": (0, 0), "NEW": (2, 0)}
    assert (await level(deps, admin, item, here)).reserved == 0
    assert (await level(deps, admin, plain.id, here)).reserved == 0


async def test_the_expiry_job_gives_the_lots_back(
    deps: Deps, admin: Principal, clock: ManualClock, expired_reservations: ExpiredReservations
) -> None:
    item, here = await _setup(deps, admin, clock)
    created = await _reserve(deps, admin, LineQuantity(item, here, 5), ttl_seconds=60)
    kept = await _reserve(deps, admin, LineQuantity(item, here, 1, lot_code="NEW"))
    clock.advance(60)

    assert await ExpireReservationsHandler(deps, expired_reservations)(ExpireReservations()) >= 1

    stored = await _stored(deps, admin, created.id)
    assert stored.status is ReservationStatus.EXPIRED
    assert _held(stored) == [[("OLD", 4, 0, 4), ("MID", 1, 0, 1)]]
    assert _held(await _stored(deps, admin, kept.id)) == [[("NEW", 1, 0, 0)]]
    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 0), "NEW": (5, 1)}
    assert (await level(deps, admin, item, here)).reserved == 1


async def test_reads_discount_a_hold_past_its_expiry_in_each_lot_before_it_is_released(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    # Nothing has released the hold yet (no write met it, no job ran): every read must still
    # see it as holding nothing, per lot as per level, and an expired lot it held is not
    # counted as available for holding nothing.
    item, here = await _setup(deps, admin, clock)
    await _reserve(deps, admin, LineQuantity(item, here, 6), ttl_seconds=60)
    kept = await _reserve(deps, admin, LineQuantity(item, here, 1, lot_code="NEW"))
    assert await _lots(deps, admin, item) == {"OLD": (4, 4), "MID": (3, 2), "NEW": (5, 1)}
    clock.set(JAN_11)  # the first hold (OLD 4, MID 2) is past its expiry; OLD itself expired

    assert await _lots(deps, admin, item) == {"OLD": (4, 0), "MID": (3, 0), "NEW": (5, 1)}
    listed = await ListLotsHandler(deps)(admin, LotFilter(item_id=item), None, None)
    stocks = {s.lot.code: (s.on_hand, s.reserved, s.available) for s in listed.items}
    assert stocks == {"OLD": (4, 0, 0), "MID": (3, 0, 3), "NEW": (5, 1, 4)}
    found = await level(deps, admin, item, here)
    assert (found.on_hand, found.reserved, found.expired, found.expired_unreserved) == (12, 1, 4, 4)
    assert found.available == 7
    assert _held(await _stored(deps, admin, kept.id)) == [[("NEW", 1, 0, 0)]]
