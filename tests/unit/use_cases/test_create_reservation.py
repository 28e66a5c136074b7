"""Creating reservations: holds come only from available stock, all lines or none."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.principal import Principal
from application.queries.reservations import GetReservationHandler
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from domain.errors import Conflict, InsufficientStock, NotFound
from domain.reservations import LineQuantity, ReservationLine, ReservationStatus
from tests.unit.conftest import Given


async def test_a_reservation_holds_stock_and_lowers_available(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.stocked(10)

    outcome = await CreateReservationHandler(deps)(
        member,
        CreateReservation(
            lines=(LineQuantity(item.id, location.id, 7),), reference="SO-1", ttl_seconds=90
        ),
    )

    reservation = outcome.value
    assert reservation.status is ReservationStatus.ACTIVE
    assert reservation.lines == (ReservationLine(item.id, location.id, 7),)
    assert (reservation.reference, reservation.created_by) == ("SO-1", member.user_id)
    assert reservation.expires_at == clock.now() + timedelta(seconds=90)
    assert await GetReservationHandler(deps)(member, reservation.id) == reservation
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved, level.available) == (10, 7, 3)


async def test_a_reservation_beyond_available_is_insufficient_stock(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 7)

    with pytest.raises(InsufficientStock) as refused:
        await CreateReservationHandler(deps)(
            member, CreateReservation(lines=(LineQuantity(item.id, location.id, 4),))
        )

    [line] = refused.value.extra["lines"]
    assert (line["requested"], line["available"]) == (4, 3)


async def test_when_one_line_cannot_be_held_no_line_is_held_and_nothing_is_stored(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, plenty = await given.stocked(10)
    scarce = await given.location()
    await given.receive(item, scarce, 1)
    before = given.snapshot()

    with pytest.raises(InsufficientStock):
        await CreateReservationHandler(deps)(
            member,
            CreateReservation(
                lines=(
                    LineQuantity(item.id, plenty.id, 5),
                    LineQuantity(item.id, scarce.id, 2),
                )
            ),
        )

    assert given.snapshot() == before
    assert given.stored().reservations == {}


@pytest.mark.parametrize("archived", ["item", "location"])
async def test_an_archived_item_or_location_refuses_new_reservations(
    deps: Deps, member: Principal, given: Given, archived: str
) -> None:
    item, location = await given.stocked(10)
    await given.archive(item if archived == "item" else location)
    before = given.snapshot()

    with pytest.raises(Conflict):
        await CreateReservationHandler(deps)(
            member, CreateReservation(lines=(LineQuantity(item.id, location.id, 1),))
        )

    assert given.snapshot() == before


async def test_reserving_an_unknown_item_is_not_found(
    deps: Deps, member: Principal, given: Given
) -> None:
    location = await given.location()

    with pytest.raises(NotFound):
        await CreateReservationHandler(deps)(
            member, CreateReservation(lines=(LineQuantity(uuid4(), location.id, 1),))
        )
