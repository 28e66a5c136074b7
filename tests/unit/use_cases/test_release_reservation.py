"""Releasing reservations: held stock goes back to available, in part or in full."""

from __future__ import annotations

import pytest

from application.principal import Principal
from application.queries.reservations import GetReservationHandler
from application.use_cases.base import Deps
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InvalidTransition
from domain.movements import MovementType
from domain.reservations import LineQuantity, ReservationStatus
from tests.unit.conftest import Given


async def test_a_partial_release_returns_that_part_to_available(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)

    released = (
        await ReleaseReservationHandler(deps)(
            member,
            SettleReservation(
                reservation_id=reservation.id, lines=(LineQuantity(item.id, location.id, 2),)
            ),
        )
    ).value

    assert released.status is ReservationStatus.ACTIVE
    assert (released.lines[0].released, released.lines[0].open, released.version) == (2, 4, 2)
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved, level.available) == (10, 4, 6)
    assert await GetReservationHandler(deps)(member, reservation.id) == released


async def test_a_full_release_ends_the_reservation_and_frees_everything(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)

    released = (
        await ReleaseReservationHandler(deps)(
            member, SettleReservation(reservation_id=reservation.id)
        )
    ).value

    assert released.status is ReservationStatus.RELEASED
    assert released.lines[0].released == 6
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved) == (10, 0)
    # releasing ships nothing: the ledger still holds only the receipt
    assert [m.type for m in given.stored().movements.values()] == [MovementType.RECEIPT]


async def test_a_released_reservation_cannot_be_released_again(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)
    handler = ReleaseReservationHandler(deps)
    await handler(member, SettleReservation(reservation_id=reservation.id))
    before = given.snapshot()

    with pytest.raises(InvalidTransition):
        await handler(member, SettleReservation(reservation_id=reservation.id))

    assert given.snapshot() == before


async def test_releasing_more_than_is_open_changes_nothing(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)
    before = given.snapshot()

    with pytest.raises(InvalidTransition):
        await ReleaseReservationHandler(deps)(
            member,
            SettleReservation(
                reservation_id=reservation.id, lines=(LineQuantity(item.id, location.id, 7),)
            ),
        )

    assert given.snapshot() == before
