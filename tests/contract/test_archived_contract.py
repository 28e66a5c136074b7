"""An archived item or location takes no new stock, on both backends: no receipt, positive
adjustment, transfer in, reservation, or count that raises on_hand; a count that lowers it
(writing off what is left) is still taken, through the API and through the import alike."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.importing import ImportMode, ImportStock, ImportStockHandler, StockImporter
from application.principal import Principal
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import Conflict
from domain.movements import CountLine, MovementRequest, MovementType
from tests.contract import builders


async def stocked_then_archived(deps: Deps, who: Principal, archived: str) -> tuple[str, str]:
    item = await builders.item(deps, who, "ARC-1")
    place = await builders.location(deps, who, "ARC-BIN")
    await builders.receive(deps, who, item.id, place.id, 5)
    if archived == "item":
        await ArchiveItemHandler(deps)(who, ArchiveItem(item_id=item.id))
    else:
        await ArchiveLocationHandler(deps)(who, ArchiveLocation(location_id=place.id))
    return str(item.id), str(place.id)


def count(item: str, place: str, counted: int) -> MovementRequest:
    return MovementRequest(
        type=MovementType.COUNT, lines=(CountLine(UUID(item), UUID(place), counted),)
    )


@pytest.mark.parametrize("archived", ["item", "location"])
async def test_a_count_may_lower_stock_on_an_archived_entry_but_never_raise_it(
    deps: Deps, admin: Principal, archived: str
) -> None:
    item, place = await stocked_then_archived(deps, admin, archived)

    with pytest.raises(Conflict) as refused:
        await PostMovementHandler(deps)(admin, count(item, place, 6))
    lowered = await PostMovementHandler(deps)(admin, count(item, place, 2))

    assert refused.value.code == "conflict"
    assert "archived" in refused.value.detail
    assert [line.delta for line in lowered.value.lines] == [-3]


@pytest.mark.parametrize("archived", ["item", "location"])
async def test_an_import_count_may_lower_stock_on_an_archived_entry_but_never_raise_it(
    deps: Deps, admin: Principal, importer: StockImporter, archived: str
) -> None:
    await stocked_then_archived(deps, admin, archived)
    handler = ImportStockHandler(importer, deps.clock, deps.ids)

    def lines(counted: int) -> list[str]:
        return ["sku,location_code,quantity\n", f"arc-1,arc-bin,{counted}\n"]

    raised = await handler(admin, ImportStock(lines=lines(6), mode=ImportMode.COUNT))
    lowered = await handler(admin, ImportStock(lines=lines(2), mode=ImportMode.COUNT))

    assert raised.summary is None
    assert [(p.line, "archived" in p.message) for p in raised.problems] == [(2, True)]
    assert lowered.problems == [] and lowered.summary is not None
