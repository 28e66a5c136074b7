"""Archiving items: idempotent, version-checked, and the item stays readable."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.principal import Principal
from application.queries.catalog import GetItemHandler
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.base import Deps
from domain.errors import NotFound, VersionMismatch
from tests.unit.conftest import Given


async def test_archiving_an_item_keeps_it_readable_as_archived(
    deps: Deps, admin: Principal, given: Given, clock: ManualClock
) -> None:
    item = await given.item()
    clock.advance(5)

    archived = await ArchiveItemHandler(deps)(
        admin, ArchiveItem(item_id=item.id, expected_versions=frozenset({1}))
    )

    assert (archived.archived, archived.version, archived.updated_at) == (True, 2, clock.now())
    assert await GetItemHandler(deps)(admin, item.id) == archived


async def test_archiving_an_archived_item_again_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item = await given.item()
    handler = ArchiveItemHandler(deps)
    first = await handler(admin, ArchiveItem(item_id=item.id))
    before = given.snapshot()

    again = await handler(admin, ArchiveItem(item_id=item.id))

    assert again == first
    assert again.version == 2
    assert given.snapshot() == before


async def test_archiving_against_a_stale_version_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item = await given.item()
    before = given.snapshot()

    with pytest.raises(VersionMismatch):
        await ArchiveItemHandler(deps)(
            admin, ArchiveItem(item_id=item.id, expected_versions=frozenset({7}))
        )

    assert given.snapshot() == before
    assert (await GetItemHandler(deps)(admin, item.id)).archived is False


async def test_archiving_an_unknown_item_is_not_found(deps: Deps, admin: Principal) -> None:
    with pytest.raises(NotFound):
        await ArchiveItemHandler(deps)(admin, ArchiveItem(item_id=uuid4()))
