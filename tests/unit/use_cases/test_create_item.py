"""Creating items: the use case stores a validated item with a case-insensitively unique SKU."""

from __future__ import annotations

import pytest

from application.principal import Principal
from application.queries.catalog import GetItemHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from domain.errors import Conflict, ValidationFailed
from tests.unit.conftest import START, Given


async def test_a_created_item_is_stored_at_version_one_with_ids_and_time_from_the_ports(
    deps: Deps, admin: Principal
) -> None:
    outcome = await CreateItemHandler(deps)(
        admin, CreateItem(sku="Bolt-M4", name="Bolt", unit="box", reorder_point=12)
    )

    item = outcome.value
    assert outcome.replayed is False
    assert (item.sku, item.name, item.unit, item.reorder_point) == ("Bolt-M4", "Bolt", "box", 12)
    assert (item.version, item.archived, item.created_at) == (1, False, START)
    assert await GetItemHandler(deps)(admin, item.id) == item


async def test_two_items_get_different_ids(given: Given) -> None:
    first, second = await given.item(), await given.item()

    assert first.id != second.id


@pytest.mark.parametrize("sku", ["bolt-m4", "BOLT-M4", "Bolt-M4"])
async def test_a_sku_already_used_in_another_case_is_a_conflict(
    deps: Deps, admin: Principal, given: Given, sku: str
) -> None:
    await given.item(sku="Bolt-M4")
    before = given.snapshot()

    with pytest.raises(Conflict) as refused:
        await CreateItemHandler(deps)(admin, CreateItem(sku=sku, name="Other"))

    assert refused.value.code == "conflict"
    assert given.snapshot() == before


async def test_an_invalid_item_is_refused_and_nothing_is_stored(
    deps: Deps, admin: Principal, given: Given
) -> None:
    with pytest.raises(ValidationFailed):
        await CreateItemHandler(deps)(admin, CreateItem(sku="no spaces", name="Bolt"))

    assert given.stored().items == {}
