"""Fulfilling reservations ships the held stock as a shipment linked to the reservation."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.principal import Principal
from application.queries.stock import GetMovementHandler
from application.use_cases.base import Deps
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InvalidTransition, NotFound, ValidationFailed
from domain.movements import MovementLine, MovementType
from domain.reservations import LineQuantity, ReservationStatus
from tests.unit.conftest import Given


async def test_a_partial_fulfilment_ships_that_part_and_links_the_shipment(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)

    fulfilment = (
        await FulfilReservationHandler(deps)(
            member,
            SettleReservation(
                reservation_id=reservation.id, lines=(LineQuantity(item.id, location.id, 4),)
            ),
        )
    ).value

    assert fulfilment.reservation.status is ReservationStatus.ACTIVE
    assert (fulfilment.reservation.lines[0].fulfilled, fulfilment.reservation.lines[0].open) == (
        4,
        2,
    )
    shipment = await GetMovementHandler(deps)(member, fulfilment.movement_id)
    assert (shipment.type, shipment.reservation_id, shipment.actor) == (
        MovementType.SHIPMENT,
        reservation.id,
        member.user_id,
    )
    assert shipment.lines == (MovementLine(item.id, location.id, -4, 6),)
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved, level.available) == (6, 2, 4)


async def test_a_full_fulfilment_ends_the_reservation_and_ships_every_line(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    there = await given.location()
    await given.receive(item, there, 5)
    reservation = await given.reservation(item, here, 3)
    other = await given.reservation(item, there, 5)

    fulfilment = (
        await FulfilReservationHandler(deps)(
            member, SettleReservation(reservation_id=reservation.id)
        )
    ).value

    assert fulfilment.reservation.status is ReservationStatus.FULFILLED
    shipment = await GetMovementHandler(deps)(member, fulfilment.movement_id)
    assert shipment.lines == (MovementLine(item.id, here.id, -3, 7),)
    untouched = await given.level(item, there)
    assert untouched is not None
    assert (untouched.on_hand, untouched.reserved) == (5, 5)
    assert given.stored().reservations[other.id] == other


async def test_the_shipment_carries_the_reservation_reference(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 2, reference="SO-42")

    fulfilment = (
        await FulfilReservationHandler(deps)(
            member, SettleReservation(reservation_id=reservation.id)
        )
    ).value

    assert (await GetMovementHandler(deps)(member, fulfilment.movement_id)).reference == "SO-42"


async def test_a_fulfilled_reservation_cannot_be_fulfilled_again(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)
    handler = FulfilReservationHandler(deps)
    await handler(member, SettleReservation(reservation_id=reservation.id))
    before = given.snapshot()

    with pytest.raises(InvalidTransition):
        await handler(member, SettleReservation(reservation_id=reservation.id))

    assert given.snapshot() == before


async def test_fulfilling_more_than_is_open_ships_nothing(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)
    before = given.snapshot()

    with pytest.raises(InvalidTransition):
        await FulfilReservationHandler(deps)(
            member,
            SettleReservation(
                reservation_id=reservation.id, lines=(LineQuantity(item.id, location.id, 7),)
            ),
        )

    assert given.snapshot() == before


async def test_fulfilling_an_empty_list_of_lines_records_no_empty_shipment(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 6)
    before = given.snapshot()

    with pytest.raises(ValidationFailed):
        await FulfilReservationHandler(deps)(
            member, SettleReservation(reservation_id=reservation.id, lines=())
        )

    assert given.snapshot() == before
    assert all(m.lines for m in given.stored().movements.values())


async def test_fulfilling_an_unknown_reservation_is_not_found(
    deps: Deps, member: Principal
) -> None:
    with pytest.raises(NotFound):
        await FulfilReservationHandler(deps)(member, SettleReservation(reservation_id=uuid4()))
