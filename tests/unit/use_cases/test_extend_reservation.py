"""Extending reservations: an active hold lasts until now + ttl; an expired one cannot be revived."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.principal import Principal
from application.queries.reservations import GetReservationHandler
from application.use_cases.base import Deps
from application.use_cases.extend_reservation import ExtendReservation, ExtendReservationHandler
from domain.errors import InvalidTransition, NotFound, ValidationFailed
from domain.reservations import ReservationStatus
from tests.unit.conftest import Given


async def test_extending_moves_the_expiry_to_now_plus_ttl(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 4, ttl_seconds=60)
    clock.advance(50)

    extended = (
        await ExtendReservationHandler(deps)(
            member, ExtendReservation(reservation_id=reservation.id, ttl_seconds=300)
        )
    ).value

    assert extended.expires_at == clock.now() + timedelta(seconds=300)
    assert extended.version == 2
    clock.advance(60)  # past the original expiry, within the new one
    seen = await GetReservationHandler(deps)(member, reservation.id)
    assert seen.status is ReservationStatus.ACTIVE
    assert (await given.level(item, location)).reserved == 4  # type: ignore[union-attr]


async def test_an_expired_reservation_cannot_be_extended(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 4, ttl_seconds=60)
    clock.advance(60)
    before = given.snapshot()

    with pytest.raises(InvalidTransition):
        await ExtendReservationHandler(deps)(
            member, ExtendReservation(reservation_id=reservation.id, ttl_seconds=300)
        )

    assert given.snapshot() == before


async def test_an_extension_needs_a_valid_ttl(deps: Deps, member: Principal, given: Given) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 4)

    with pytest.raises(ValidationFailed):
        await ExtendReservationHandler(deps)(
            member, ExtendReservation(reservation_id=reservation.id, ttl_seconds=0)
        )


async def test_extending_an_unknown_reservation_is_not_found(deps: Deps, member: Principal) -> None:
    with pytest.raises(NotFound):
        await ExtendReservationHandler(deps)(
            member, ExtendReservation(reservation_id=uuid4(), ttl_seconds=60)
        )
