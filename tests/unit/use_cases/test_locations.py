"""Creating, updating and archiving locations (the same rules as items, per location code)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.principal import Principal
from application.queries.catalog import GetLocationHandler
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.update_location import UpdateLocation, UpdateLocationHandler
from domain.catalog import LocationKind
from domain.errors import Conflict, NotFound, VersionMismatch
from tests.unit.conftest import START, Given


async def test_a_created_location_defaults_to_a_warehouse_at_version_one(
    deps: Deps, admin: Principal
) -> None:
    outcome = await CreateLocationHandler(deps)(admin, CreateLocation(code="WH-1", name=" Main "))

    location = outcome.value
    assert (location.code, location.name, location.kind) == ("WH-1", "Main", LocationKind.WAREHOUSE)
    assert (location.version, location.archived, location.created_at) == (1, False, START)
    assert await GetLocationHandler(deps)(admin, location.id) == location


async def test_a_location_code_already_used_in_another_case_is_a_conflict(
    deps: Deps, admin: Principal, given: Given
) -> None:
    await given.location(code="WH-1")
    before = given.snapshot()

    with pytest.raises(Conflict):
        await CreateLocationHandler(deps)(admin, CreateLocation(code="wh-1", name="Again"))

    assert given.snapshot() == before


async def test_an_update_renames_a_location_and_bumps_its_version(
    deps: Deps, admin: Principal, given: Given, clock: ManualClock
) -> None:
    location = await given.location()
    clock.advance(1)

    updated = await UpdateLocationHandler(deps)(
        admin,
        UpdateLocation(
            location_id=location.id,
            name="Back",
            kind=LocationKind.BIN,
            expected_versions=frozenset({1}),
        ),
    )

    assert (updated.name, updated.kind, updated.version) == ("Back", LocationKind.BIN, 2)
    assert updated.updated_at == clock.now()
    assert await GetLocationHandler(deps)(admin, location.id) == updated


async def test_a_location_update_against_a_stale_version_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    location = await given.location()
    before = given.snapshot()

    with pytest.raises(VersionMismatch):
        await UpdateLocationHandler(deps)(
            admin,
            UpdateLocation(location_id=location.id, name="Back", expected_versions=frozenset({2})),
        )

    assert given.snapshot() == before


async def test_archiving_a_location_is_idempotent_and_version_checked(
    deps: Deps, admin: Principal, given: Given
) -> None:
    location = await given.location()
    handler = ArchiveLocationHandler(deps)
    with pytest.raises(VersionMismatch):
        await handler(
            admin, ArchiveLocation(location_id=location.id, expected_versions=frozenset({0}))
        )

    first = await handler(
        admin, ArchiveLocation(location_id=location.id, expected_versions=frozenset({1}))
    )
    again = await handler(admin, ArchiveLocation(location_id=location.id))

    assert (first.archived, first.version) == (True, 2)
    assert again == first
    assert await GetLocationHandler(deps)(admin, location.id) == first


async def test_changing_an_unknown_location_is_not_found(deps: Deps, admin: Principal) -> None:
    with pytest.raises(NotFound):
        await UpdateLocationHandler(deps)(admin, UpdateLocation(location_id=uuid4(), name="x"))
    with pytest.raises(NotFound):
        await ArchiveLocationHandler(deps)(admin, ArchiveLocation(location_id=uuid4()))
