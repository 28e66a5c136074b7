"""The outbox and the feed on both backends: what each change writes, in what order, once."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from application.errors import CursorExpired
from application.ports import ExpiredReservations, FeedQuery, UnitOfWorkFactory
from application.principal import Principal
from application.queries.events import ReadEvents
from application.use_cases.base import Deps
from application.use_cases.expire_reservations import ExpireReservations, ExpireReservationsHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.settle_reservation import SettleReservation
from application.use_cases.update_item import UpdateItem, UpdateItemHandler
from domain.catalog import ItemChanges
from domain.errors import InsufficientStock
from domain.events import Event
from domain.events import EventType as T
from domain.movements import MovementRequest, MovementType, QuantityLine
from tests.contract import builders
from tests.contract.feed import read_all, reader


def types(events: list[Event]) -> list[str]:
    return [e.type.value for e in events]


async def test_each_change_writes_its_events_in_the_order_it_made_them(
    deps: Deps, admin: Principal
) -> None:
    item = await builders.item(deps, admin, reorder_point=5)
    here = await builders.location(deps, admin)
    receipt = await builders.receive(deps, admin, item.id, here.id, 8)
    await builders.reserve(deps, admin, item.id, here.id, 4)  # available 8 -> 4: below 5

    events, _ = await read_all(deps, admin)

    assert types(events) == [
        "item.created",
        "location.created",
        "movement.posted",
        "stock_level.changed",
        "stock_level.restocked",
        "reservation.created",
        "stock_level.changed",
        "stock_level.low",
    ]
    posted, level = events[2], events[3]
    assert posted.subject_id == str(receipt.id) and posted.subject_type == "movement"
    assert posted.data["lines"] == [
        {"item_id": str(item.id), "location_id": str(here.id), "delta": 8, "on_hand_after": 8}
    ]
    assert level.subject_id == f"{item.id}:{here.id}"
    assert level.data["cause"] == {"movement_id": str(receipt.id)}
    assert (level.data["on_hand"], level.data["available"], level.data["version"]) == (8, 8, 1)
    assert events[6].data["available"] == 4 and events[7].data == events[6].data


async def test_a_refused_change_writes_no_event(deps: Deps, admin: Principal) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    _, cursor = await read_all(deps, admin)
    ship = MovementRequest(type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, here.id, 1),))
    with pytest.raises(InsufficientStock):
        await PostMovementHandler(deps)(admin, ship)
    assert (await read_all(deps, admin, cursor))[0] == []


async def test_the_feed_continues_from_a_cursor_and_filters_by_type(
    deps: Deps, admin: Principal
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    first, cursor = await read_all(deps, admin)
    await UpdateItemHandler(deps)(
        admin, UpdateItem(item_id=item.id, changes=ItemChanges(name="Renamed"))
    )
    await builders.receive(deps, admin, item.id, here.id, 1)
    rest, _ = await read_all(deps, admin, cursor)
    assert types(first) == ["item.created", "location.created"]
    assert types(rest)[:2] == ["item.updated", "movement.posted"]
    assert rest[0].data["name"] == "Renamed" and rest[0].data["version"] == 2

    movements = frozenset({T.MOVEMENT_POSTED})
    only = await reader(deps)(admin, ReadEvents(types=movements))
    assert types(only.items) == ["movement.posted"]
    again = await reader(deps)(admin, ReadEvents(after=only.next_cursor, types=movements))
    assert again.items == [] and again.next_cursor is not None  # caught up: keep the cursor


async def test_stock_reaching_zero_is_out_and_coming_back_is_restocked(
    deps: Deps, admin: Principal
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 2)
    _, cursor = await read_all(deps, admin)
    held = await builders.reserve(deps, admin, item.id, here.id, 2)
    await FulfilReservationHandler(deps)(admin, SettleReservation(reservation_id=held.id))
    await builders.receive(deps, admin, item.id, here.id, 3)
    events, _ = await read_all(deps, admin, cursor)
    assert types(events) == [
        "reservation.created",
        "stock_level.changed",
        "stock_level.out",
        "reservation.fulfilled",
        "movement.posted",
        "stock_level.changed",  # fulfilling held stock leaves available as it was: no signal
        "movement.posted",
        "stock_level.changed",
        "stock_level.restocked",
    ]
    assert events[5].data["cause"] == {"movement_id": events[4].subject_id}


async def test_an_expired_reservation_is_announced_once_by_whoever_releases_it_first(
    deps: Deps, admin: Principal, clock: ManualClock, expired_reservations: ExpiredReservations
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 5)
    held = await builders.reserve(deps, admin, item.id, here.id, 5, ttl_seconds=10)
    _, cursor = await read_all(deps, admin)
    clock.advance(10)
    await builders.reserve(deps, admin, item.id, here.id, 5)  # releases the expired hold
    await ExpireReservationsHandler(deps, expired_reservations)(ExpireReservations())

    events, _ = await read_all(deps, admin, cursor)
    expired = [e for e in events if e.type is T.RESERVATION_EXPIRED]
    assert [e.subject_id for e in expired] == [str(held.id)]
    assert expired[0].data["status"] == "expired"
    assert expired[0].data["lines"][0]["released"] == 5


async def test_a_cursor_older_than_the_retention_is_refused(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    await builders.item(deps, admin)
    _, cursor = await read_all(deps, admin)
    clock.advance(8 * 86400)
    with pytest.raises(CursorExpired):
        await reader(deps)(admin, ReadEvents(after=cursor))


async def test_events_of_one_org_never_reach_another(
    uow_factory: UnitOfWorkFactory, deps: Deps, admin: Principal
) -> None:
    await builders.item(deps, admin)
    async with uow_factory("another-org", read_only=True) as uow:
        assert await uow.events.list(FeedQuery()) == []
