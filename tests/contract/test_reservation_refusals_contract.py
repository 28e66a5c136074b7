"""A one-line reservation's refusals on both backends, in the order of the general path: the
item, then the location, then archived entries, then a lot named on an untracked item, then
the stock (ADR 0035 takes such a reservation in one step, and must not change what is said or
let anything through)."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from application.principal import Principal
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from domain.errors import Conflict, InsufficientStock, NotFound, ValidationFailed
from domain.reservations import LineQuantity
from domain.stock import LevelKey
from tests.contract import builders


async def _reserve(deps: Deps, who: Principal, line: LineQuantity) -> None:
    await CreateReservationHandler(deps)(who, CreateReservation(lines=(line,)))


async def _reserved(deps: Deps, org: str, item_id: UUID, location_id: UUID) -> int | None:
    async with deps.uow(org) as uow:
        level = await uow.stock.get(LevelKey(item_id, location_id), deps.clock.now())
        return None if level is None else level.reserved


async def test_an_unknown_item_is_named_before_an_unknown_location(
    deps: Deps, admin: Principal
) -> None:
    with pytest.raises(NotFound) as raised:
        await _reserve(deps, admin, LineQuantity(uuid4(), uuid4(), 1))
    assert raised.value.extra["resource"] == "item"

    item = await builders.item(deps, admin)
    with pytest.raises(NotFound) as raised:
        await _reserve(deps, admin, LineQuantity(item.id, uuid4(), 1))
    assert raised.value.extra["resource"] == "location"


@pytest.mark.parametrize("archived", ["item", "location"])
async def test_an_archived_entry_is_refused_before_the_stock_and_nothing_is_held(
    deps: Deps, admin: Principal, org: str, archived: str
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 5)
    if archived == "item":
        await ArchiveItemHandler(deps)(admin, ArchiveItem(item_id=item.id))
    else:
        await ArchiveLocationHandler(deps)(admin, ArchiveLocation(location_id=here.id))

    for quantity in (1, 6):  # within what is available, and beyond it: archived either way
        with pytest.raises(Conflict) as raised:
            await _reserve(deps, admin, LineQuantity(item.id, here.id, quantity))
        assert not isinstance(raised.value, InsufficientStock)
    assert await _reserved(deps, org, item.id, here.id) == 0


async def test_a_lot_named_on_an_untracked_item_is_422_and_nothing_is_held(
    deps: Deps, admin: Principal, org: str
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 5)

    with pytest.raises(ValidationFailed):
        await _reserve(deps, admin, LineQuantity(item.id, here.id, 1, lot_code="L1"))
    assert await _reserved(deps, org, item.id, here.id) == 0


async def test_a_level_never_stocked_or_short_is_insufficient_stock(
    deps: Deps, admin: Principal, org: str
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    with pytest.raises(InsufficientStock):
        await _reserve(deps, admin, LineQuantity(item.id, here.id, 1))

    await builders.receive(deps, admin, item.id, here.id, 5)
    with pytest.raises(InsufficientStock) as raised:
        await _reserve(deps, admin, LineQuantity(item.id, here.id, 6))
    assert raised.value.extra["lines"][0]["available"] == 5
    assert await _reserved(deps, org, item.id, here.id) == 0
