"""Movements and reservations: stored documents, filters and keyset pages."""

from __future__ import annotations

from typing import Any

from adapters.clock import ManualClock
from application.ports import MovementFilter, ReservationFilter, UnitOfWorkFactory
from application.principal import Principal
from application.queries.reservations import (
    GetReservationHandler,
    ListReservationsHandler,
    reservation_sort_key,
)
from application.queries.stock import ListMovementsHandler
from application.use_cases.base import Deps
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.movements import (
    AdjustmentReason,
    MovementRequest,
    MovementType,
    QuantityLine,
    TransferLine,
)
from domain.reservations import LineQuantity, ReservationStatus
from tests.contract import builders


async def all_pages(query: Any, *args: Any) -> list[Any]:
    seen, cursor = [], None
    while True:
        page = await query(*args, 2, cursor)
        seen += page.items
        if (cursor := page.next_cursor) is None:
            return seen


async def test_movements_read_back_and_filter_on_every_field(
    uow_factory: UnitOfWorkFactory, org: str, deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, other_item = await builders.item(deps, admin), await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    receipt = await builders.receive(deps, admin, item.id, here.id, 9, reference="PO-1")
    clock.advance(1)
    second = await builders.receive(deps, admin, other_item.id, there.id, 4)
    clock.advance(1)
    post = PostMovementHandler(deps)
    transfer = (
        await post(
            admin,
            MovementRequest(
                type=MovementType.TRANSFER,
                lines=(TransferLine(item.id, here.id, there.id, 2),),
                reference="T-1",
            ),
        )
    ).value
    clock.advance(1)
    adjustment = (
        await post(
            admin,
            MovementRequest(
                type=MovementType.ADJUSTMENT,
                reason=AdjustmentReason.DAMAGED,
                note="dropped",
                lines=(QuantityLine(other_item.id, there.id, -1),),
            ),
        )
    ).value
    everything = [receipt, second, transfer, adjustment]
    async with uow_factory(org) as uow:
        for movement in everything:
            assert await uow.movements.get(movement.id) == movement
    assert transfer.lines[0].delta == -2 and transfer.lines[1].on_hand_after == 2

    listing = ListMovementsHandler(deps)
    cases = [
        (MovementFilter(), everything),
        (MovementFilter(item_id=item.id), [receipt, transfer]),
        (MovementFilter(location_id=there.id), [second, transfer, adjustment]),
        (MovementFilter(type=MovementType.RECEIPT), [receipt, second]),
        (MovementFilter(reference="T-1"), [transfer]),
        (MovementFilter(since=transfer.created_at), [transfer, adjustment]),
        (MovementFilter(until=transfer.created_at), [receipt, second]),
        (MovementFilter(item_id=other_item.id, type=MovementType.ADJUSTMENT), [adjustment]),
    ]
    for filters, expected in cases:
        assert await all_pages(listing, admin, filters) == expected, filters


async def test_movements_list_in_the_order_their_transactions_wrote_them_whatever_the_time(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    made = []
    for step in (0, -5, 0, 3, -1):  # the clock may disagree with the order of commits
        clock.advance(step)
        made.append(await builders.receive(deps, admin, item.id, here.id, 1))
    listed = await all_pages(ListMovementsHandler(deps), admin, MovementFilter())
    assert listed == made


async def test_reservations_save_get_and_list_by_effective_status(
    uow_factory: UnitOfWorkFactory, org: str, deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 100)
    held = await builders.reserve(deps, admin, item.id, here.id, 5, reference="SO-1")
    expiring = await builders.reserve(deps, admin, item.id, here.id, 3, ttl_seconds=30)
    released = await builders.reserve(deps, admin, item.id, here.id, 2, reference="SO-1")
    fulfilled = await builders.reserve(deps, admin, item.id, here.id, 4)
    part = (LineQuantity(item.id, here.id, 1),)
    released = (
        await ReleaseReservationHandler(deps)(admin, SettleReservation(reservation_id=released.id))
    ).value
    fulfilled = (
        await FulfilReservationHandler(deps)(admin, SettleReservation(reservation_id=fulfilled.id))
    ).value.reservation
    held = (
        await ReleaseReservationHandler(deps)(
            admin, SettleReservation(reservation_id=held.id, lines=part)
        )
    ).value
    clock.advance(30)

    async with uow_factory(org) as uow:
        assert await uow.reservations.get(held.id, for_update=True) == held
        assert await uow.reservations.get(expiring.id) == expiring
    assert (
        await GetReservationHandler(deps)(admin, expiring.id)
    ).status is ReservationStatus.EXPIRED

    listing = ListReservationsHandler(deps)
    now = clock.now()
    cases = [
        (ReservationFilter(), [held, expiring, released, fulfilled]),
        (ReservationFilter(status=ReservationStatus.ACTIVE), [held]),
        (ReservationFilter(status=ReservationStatus.EXPIRED), [expiring]),
        (ReservationFilter(status=ReservationStatus.RELEASED), [released]),
        (ReservationFilter(status=ReservationStatus.FULFILLED), [fulfilled]),
        (ReservationFilter(reference="SO-1"), [held, released]),
        (ReservationFilter(reference="SO-1", status=ReservationStatus.ACTIVE), [held]),
    ]
    for filters, expected in cases:
        expected.sort(key=reservation_sort_key)  # same created_at: by id
        assert await all_pages(listing, admin, filters) == [r.as_of(now) for r in expected], filters
