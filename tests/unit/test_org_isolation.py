"""Nothing of one org is visible to, or changeable by, another org."""

from __future__ import annotations

import pytest

from adapters.memory.state import InMemoryDatabase
from application.ports import MovementFilter, ReservationFilter, StockFilter
from application.principal import Principal
from application.queries.catalog import (
    GetItemHandler,
    GetLocationHandler,
    ListItemsHandler,
    ListLocationsHandler,
)
from application.queries.reservations import GetReservationHandler, ListReservationsHandler
from application.queries.stock import (
    GetMovementHandler,
    ListMovementsHandler,
    ListStockLevelsHandler,
)
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.extend_reservation import ExtendReservation, ExtendReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from application.use_cases.update_item import UpdateItem, UpdateItemHandler
from application.use_cases.update_location import UpdateLocation, UpdateLocationHandler
from domain.catalog import ItemChanges
from domain.errors import NotFound
from domain.movements import MovementRequest, MovementType, QuantityLine
from domain.reservations import LineQuantity
from tests.unit.conftest import Given, new_org_id, principal


@pytest.fixture
def intruder() -> Principal:
    """The owner of another org: every permission, but not in our org."""
    return principal(new_org_id(), "owner")


async def test_another_org_cannot_read_our_ids(
    deps: Deps, given: Given, intruder: Principal
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 2)
    [movement_id] = given.stored().movements

    for read, resource_id in [
        (GetItemHandler(deps), item.id),
        (GetLocationHandler(deps), location.id),
        (GetMovementHandler(deps), movement_id),
        (GetReservationHandler(deps), reservation.id),
    ]:
        with pytest.raises(NotFound):
            await read(intruder, resource_id)  # type: ignore[operator]


async def test_another_org_lists_nothing_of_ours(
    deps: Deps, given: Given, intruder: Principal
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 2)

    pages = [
        await ListItemsHandler(deps)(intruder, None, None),
        await ListLocationsHandler(deps)(intruder, None, None),
        await ListStockLevelsHandler(deps)(intruder, StockFilter(item_id=item.id), None, None),
        await ListMovementsHandler(deps)(intruder, MovementFilter(item_id=item.id), None, None),
        await ListReservationsHandler(deps)(intruder, ReservationFilter(), None, None),
    ]

    assert [page.items for page in pages] == [[], [], [], [], []]


async def test_another_org_cannot_change_our_catalog_or_stock(
    deps: Deps, given: Given, intruder: Principal
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 2)
    before = given.snapshot()
    line = QuantityLine(item.id, location.id, 1)
    attempts = [
        lambda: UpdateItemHandler(deps)(
            intruder, UpdateItem(item_id=item.id, changes=ItemChanges(name="x"))
        ),
        lambda: ArchiveItemHandler(deps)(intruder, ArchiveItem(item_id=item.id)),
        lambda: UpdateLocationHandler(deps)(
            intruder, UpdateLocation(location_id=location.id, name="x")
        ),
        lambda: ArchiveLocationHandler(deps)(intruder, ArchiveLocation(location_id=location.id)),
        lambda: PostMovementHandler(deps)(
            intruder, MovementRequest(type=MovementType.RECEIPT, lines=(line,))
        ),
        lambda: PostMovementHandler(deps)(
            intruder, MovementRequest(type=MovementType.SHIPMENT, lines=(line,))
        ),
        lambda: CreateReservationHandler(deps)(
            intruder, CreateReservation(lines=(LineQuantity(item.id, location.id, 1),))
        ),
        lambda: ReleaseReservationHandler(deps)(
            intruder, SettleReservation(reservation_id=reservation.id)
        ),
        lambda: FulfilReservationHandler(deps)(
            intruder, SettleReservation(reservation_id=reservation.id)
        ),
        lambda: ExtendReservationHandler(deps)(
            intruder, ExtendReservation(reservation_id=reservation.id, ttl_seconds=60)
        ),
    ]

    for attempt in attempts:
        with pytest.raises(NotFound):
            await attempt()

    assert given.snapshot() == before


async def test_the_same_sku_may_exist_in_two_orgs(
    deps: Deps, db: InMemoryDatabase, given: Given, intruder: Principal
) -> None:
    ours = await given.item(sku="SHARED-1")

    theirs = (await CreateItemHandler(deps)(intruder, CreateItem(sku="shared-1", name="n"))).value

    assert theirs.id != ours.id
    assert intruder.org_id is not None
    assert list(db.state(intruder.org_id).items) == [theirs.id]
    assert list(given.stored().items) == [ours.id]
