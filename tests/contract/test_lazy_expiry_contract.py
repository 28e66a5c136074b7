"""A write that needs a level's stock releases the expired holds on it, and marks their
reservations expired on both backends: a header never says active when its lines say otherwise."""

from __future__ import annotations

from adapters.clock import ManualClock
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from domain.movements import MovementRequest, MovementType, QuantityLine
from domain.reservations import LineQuantity, ReservationStatus
from domain.stock import LevelKey
from tests.contract import builders


async def test_a_shipment_marks_the_expired_reservation_and_releases_all_its_lines(
    deps: Deps, admin: Principal, org: str, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    for place in (here, there):
        await builders.receive(deps, admin, item.id, place.id, 5)
    lines = (LineQuantity(item.id, here.id, 2), LineQuantity(item.id, there.id, 3))
    command = CreateReservation(lines=lines, ttl_seconds=60)
    hold = (await CreateReservationHandler(deps)(admin, command)).value
    clock.advance(61)

    ship = MovementRequest(type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, here.id, 5),))
    await PostMovementHandler(deps)(admin, ship)

    async with deps.uow(org) as uow:
        stored = await uow.reservations.get(hold.id)
        levels = [
            await uow.stock.get(LevelKey(item.id, place.id), clock.now()) for place in (here, there)
        ]
    assert stored is not None
    assert stored.status is ReservationStatus.EXPIRED
    assert [(line.open, line.released) for line in stored.lines] == [(0, 2), (0, 3)]
    assert stored.version == hold.version + 1
    assert [(lv.on_hand, lv.reserved) for lv in levels if lv] == [(0, 0), (5, 0)]


async def test_a_one_line_reservation_releases_the_expired_holds_at_its_level_first(
    deps: Deps, admin: Principal, org: str, clock: ManualClock
) -> None:
    # Enough is available without the release, so only the rule itself makes it happen: the
    # one-step path of a one-line reservation (ADR 0035) must not skip it.
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 5)
    expiring = await builders.reserve(deps, admin, item.id, here.id, 2, ttl_seconds=60)
    clock.advance(61)

    taken = await builders.reserve(deps, admin, item.id, here.id, 1)

    async with deps.uow(org) as uow:
        stored = await uow.reservations.get(expiring.id)
        level = await uow.stock.get(LevelKey(item.id, here.id), clock.now())
    assert stored is not None and taken.status is ReservationStatus.ACTIVE
    assert stored.status is ReservationStatus.EXPIRED
    assert [(line.open, line.released) for line in stored.lines] == [(0, 2)]
    assert level is not None and (level.on_hand, level.reserved) == (5, 1)
    # The level's version counts the release and the reserve: 1 receipt, 1 hold, 2 now.
    assert level.version == 4


async def test_a_one_line_reservation_may_take_what_expired_holds_gave_back(
    deps: Deps, admin: Principal, org: str, clock: ManualClock
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 5)
    await builders.reserve(deps, admin, item.id, here.id, 4, ttl_seconds=60)
    clock.advance(61)

    taken = await builders.reserve(deps, admin, item.id, here.id, 5)

    async with deps.uow(org) as uow:
        level = await uow.stock.get(LevelKey(item.id, here.id), clock.now())
    assert taken.lines[0].open == 5
    assert level is not None and (level.on_hand, level.reserved, level.available) == (5, 5, 0)
