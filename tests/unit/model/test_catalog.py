"""Items and locations: creation rules, partial updates, archiving and version checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.catalog import Item, ItemChanges, Location, LocationKind
from domain.errors import Conflict, ValidationFailed, VersionMismatch

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def an_item(**fields: object) -> Item:
    defaults: dict[str, object] = {"id": uuid4(), "sku": "W-1", "name": "Widget", "now": NOW}
    return Item.create(**{**defaults, **fields})  # type: ignore[arg-type]


def a_location(**fields: object) -> Location:
    defaults: dict[str, object] = {
        "id": uuid4(),
        "code": "WH1",
        "name": "Main",
        "kind": LocationKind.WAREHOUSE,
        "now": NOW,
    }
    return Location.create(**{**defaults, **fields})  # type: ignore[arg-type]


def test_a_new_item_is_active_at_version_one_with_trimmed_text_and_default_unit() -> None:
    item = an_item(name="  Widget  ", description="   ")

    assert (item.archived, item.version, item.unit) == (False, 1, "each")
    assert item.name == "Widget"
    assert item.description is None
    assert item.created_at == item.updated_at == NOW


@pytest.mark.parametrize(
    "fields",
    [
        {"sku": "bad sku"},
        {"sku": ""},
        {"name": " "},
        {"name": "n" * 201},
        {"unit": ""},
        {"unit": "u" * 33},
        {"description": "d" * 2001},
        {"reorder_point": -1},
        {"reorder_point": True},
    ],
)
def test_an_item_breaking_a_rule_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        an_item(**fields)


def test_an_item_accepts_text_at_its_bounds_and_a_zero_reorder_point() -> None:
    item = an_item(name="n" * 200, unit="u" * 32, description="d" * 2000, reorder_point=0)

    assert (len(item.name), len(item.unit), item.reorder_point) == (200, 32, 0)


def test_an_update_changes_only_given_fields_and_bumps_the_version() -> None:
    item = an_item(description="old", reorder_point=5)

    updated = item.update(ItemChanges(name="Gadget"), LATER)

    assert (updated.name, updated.description, updated.reorder_point) == ("Gadget", "old", 5)
    assert (updated.version, updated.updated_at, updated.created_at) == (2, LATER, NOW)


def test_an_update_can_clear_nullable_fields_explicitly() -> None:
    item = an_item(description="old", reorder_point=5)

    updated = item.update(
        ItemChanges(description=None, set_description=True, set_reorder_point=True), LATER
    )

    assert (updated.description, updated.reorder_point) == (None, None)


def test_an_update_validates_what_it_changes() -> None:
    with pytest.raises(ValidationFailed):
        an_item().update(ItemChanges(reorder_point=-3, set_reorder_point=True), LATER)


def test_archiving_bumps_the_version_and_makes_the_entity_refuse_new_stock() -> None:
    item = an_item()
    item.ensure_active()

    archived = item.archive(LATER)

    assert (archived.archived, archived.version, archived.updated_at) == (True, 2, LATER)
    with pytest.raises(Conflict):
        archived.ensure_active()


def test_a_stale_version_is_refused_with_the_current_one() -> None:
    item = an_item().update(ItemChanges(name="v2"), LATER)

    item.check_version(None)
    item.check_version({2})
    item.check_version({1, 2})  # If-Match lists tags: any current one will do
    for stale in ({1}, {1, 3}, set()):
        with pytest.raises(VersionMismatch) as refused:
            item.check_version(stale)
        assert refused.value.extra["current_version"] == 2


def test_a_new_location_is_active_at_version_one() -> None:
    location = a_location(name=" Back room ", kind="bin")

    assert (location.archived, location.version, location.name) == (False, 1, "Back room")
    assert location.kind is LocationKind.BIN


def test_a_location_code_follows_the_sku_rule() -> None:
    with pytest.raises(ValidationFailed):
        a_location(code="no spaces")


def test_a_location_update_renames_and_rekinds_and_bumps_the_version() -> None:
    location = a_location()

    renamed = location.update(name="Front", kind=None, now=LATER)
    rekinded = renamed.update(name=None, kind=LocationKind.STORE, now=LATER)

    assert (renamed.name, renamed.kind, renamed.version) == ("Front", LocationKind.WAREHOUSE, 2)
    assert (rekinded.name, rekinded.kind, rekinded.version) == ("Front", LocationKind.STORE, 3)


def test_an_archived_location_refuses_new_stock() -> None:
    with pytest.raises(Conflict):
        a_location().archive(LATER).ensure_active()


def test_an_unknown_location_kind_is_a_validation_error() -> None:
    # A kind arriving as text (CLI, library callers) must fail as a domain error, not ValueError.
    with pytest.raises(ValidationFailed) as refused:
        a_location(kind="shed")
    assert refused.value.extra["field"] == "kind"
