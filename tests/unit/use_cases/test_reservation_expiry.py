"""Expired reservations hold nothing, whether or not the expiry job has marked them yet."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from adapters.memory.expired_reservations import InMemoryExpiredReservations
from adapters.memory.state import InMemoryDatabase
from application.principal import Principal
from application.queries.reservations import GetReservationHandler
from application.use_cases.base import Deps
from application.use_cases.expire_reservations import ExpireReservations, ExpireReservationsHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InvalidTransition
from domain.movements import (
    AdjustmentReason,
    CountLine,
    MovementRequest,
    MovementType,
    QuantityLine,
)
from domain.reservations import ReservationStatus
from tests.unit.conftest import Given, new_org_id, principal


def expiry_job(deps: Deps, db: InMemoryDatabase) -> ExpireReservationsHandler:
    return ExpireReservationsHandler(deps, InMemoryExpiredReservations(db))


async def test_reads_report_reserved_without_an_expired_hold_before_the_expiry_job_runs(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 7, ttl_seconds=60)

    clock.advance(59)
    assert (await given.level(item, location)).reserved == 7  # type: ignore[union-attr]
    clock.advance(1)
    level = await given.level(item, location)

    assert level is not None
    assert (level.on_hand, level.reserved, level.available) == (10, 0, 10)
    seen = await GetReservationHandler(deps)(member, reservation.id)
    assert seen.status is ReservationStatus.EXPIRED
    assert (seen.lines[0].released, seen.lines[0].open) == (7, 0)


async def test_an_expired_hold_never_blocks_a_new_reservation(
    given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 7, ttl_seconds=60)
    clock.advance(61)

    await given.reservation(item, location, 10)

    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved, level.available) == (10, 10, 0)


def shipment(item: UUID, location: UUID) -> MovementRequest:
    return MovementRequest(type=MovementType.SHIPMENT, lines=(QuantityLine(item, location, 10),))


def count(item: UUID, location: UUID) -> MovementRequest:
    return MovementRequest(type=MovementType.COUNT, lines=(CountLine(item, location, 1),))


def write_off(item: UUID, location: UUID) -> MovementRequest:
    return MovementRequest(
        type=MovementType.ADJUSTMENT,
        reason=AdjustmentReason.DAMAGED,
        lines=(QuantityLine(item, location, -6),),
    )


@pytest.mark.parametrize(("make", "on_hand"), [(shipment, 0), (count, 1), (write_off, 4)])
async def test_an_expired_hold_never_blocks_a_shipment_count_or_adjustment(
    deps: Deps,
    admin: Principal,
    given: Given,
    clock: ManualClock,
    make: Callable[[UUID, UUID], MovementRequest],
    on_hand: int,
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 7, ttl_seconds=60)
    clock.advance(61)

    await PostMovementHandler(deps)(admin, make(item.id, location.id))

    level = given.stored().levels[(item.id, location.id)]
    assert (level.on_hand, level.reserved) == (on_hand, 0)


async def test_an_expired_reservation_cannot_be_fulfilled(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 7, ttl_seconds=60)
    clock.advance(60)

    with pytest.raises(InvalidTransition):
        await FulfilReservationHandler(deps)(
            member, SettleReservation(reservation_id=reservation.id)
        )

    assert (await given.level(item, location)).on_hand == 10  # type: ignore[union-attr]


async def test_the_expiry_job_marks_expired_reservations_expired_and_frees_their_stock(
    deps: Deps, db: InMemoryDatabase, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    expiring = await given.reservation(item, location, 3, ttl_seconds=60)
    later = await given.reservation(item, location, 2, ttl_seconds=600)
    forever = await given.reservation(item, location, 1)
    clock.advance(61)

    assert await expiry_job(deps, db)(ExpireReservations()) == 1

    stored = given.stored()
    assert stored.reservations[expiring.id].status is ReservationStatus.EXPIRED
    assert stored.reservations[expiring.id].lines[0].released == 3
    assert stored.reservations[later.id] == later
    assert stored.reservations[forever.id] == forever
    assert stored.levels[(item.id, location.id)].reserved == 3  # stored, not just as read
    assert await expiry_job(deps, db)(ExpireReservations()) == 0


async def test_the_expiry_job_covers_every_org_up_to_its_limit(
    deps: Deps, db: InMemoryDatabase, given: Given, clock: ManualClock
) -> None:
    other = Given(deps, db, principal(new_org_id(), "admin"))
    for world in (given, other):
        item, location = await world.stocked(5)
        await world.reservation(item, location, 5, ttl_seconds=1)
    clock.advance(2)

    assert await expiry_job(deps, db)(ExpireReservations(limit=1)) == 1
    assert await expiry_job(deps, db)(ExpireReservations(limit=10)) == 1
    for world in (given, other):
        [reservation] = world.stored().reservations.values()
        assert reservation.status is ReservationStatus.EXPIRED


async def test_the_expiry_job_after_a_write_already_expired_the_hold_finds_nothing_to_do(
    deps: Deps, db: InMemoryDatabase, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 7, ttl_seconds=60)
    clock.advance(61)
    await given.reservation(item, location, 4)  # releases the expired hold and marks it

    assert await expiry_job(deps, db)(ExpireReservations()) == 0

    level = given.stored().levels[(item.id, location.id)]
    assert (level.on_hand, level.reserved) == (10, 4)
