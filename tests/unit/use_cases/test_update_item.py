"""Updating items: partial changes, If-Match versions, and nothing changed on refusal."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.principal import Principal
from application.queries.catalog import GetItemHandler
from application.use_cases.base import Deps
from application.use_cases.update_item import UpdateItem, UpdateItemHandler
from domain.catalog import ItemChanges
from domain.errors import NotFound, ValidationFailed, VersionMismatch
from tests.unit.conftest import Given


async def test_an_update_changes_the_given_fields_and_bumps_the_version(
    deps: Deps, admin: Principal, given: Given, clock: ManualClock
) -> None:
    item = await given.item(description="old", reorder_point=3)
    clock.advance(60)

    updated = await UpdateItemHandler(deps)(
        admin,
        UpdateItem(
            item_id=item.id, changes=ItemChanges(name="Gadget"), expected_versions=frozenset({1})
        ),
    )

    assert (updated.name, updated.description, updated.reorder_point) == ("Gadget", "old", 3)
    assert (updated.version, updated.updated_at) == (2, clock.now())
    assert updated.created_at == item.created_at
    assert await GetItemHandler(deps)(admin, item.id) == updated


async def test_an_update_against_a_stale_version_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item = await given.item()
    handler = UpdateItemHandler(deps)
    await handler(admin, UpdateItem(item_id=item.id, changes=ItemChanges(name="v2")))
    before = given.snapshot()

    with pytest.raises(VersionMismatch) as refused:
        await handler(
            admin,
            UpdateItem(
                item_id=item.id, changes=ItemChanges(name="v3"), expected_versions=frozenset({1})
            ),
        )

    assert refused.value.extra["current_version"] == 2
    assert given.snapshot() == before


async def test_an_invalid_update_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item = await given.item()
    before = given.snapshot()

    with pytest.raises(ValidationFailed):
        await UpdateItemHandler(deps)(
            admin, UpdateItem(item_id=item.id, changes=ItemChanges(name="   "))
        )

    assert given.snapshot() == before


async def test_updating_an_unknown_item_is_not_found(deps: Deps, admin: Principal) -> None:
    with pytest.raises(NotFound):
        await UpdateItemHandler(deps)(admin, UpdateItem(item_id=uuid4(), changes=ItemChanges()))
