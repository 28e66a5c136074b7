"""/v1/stock-levels through the app: on_hand, reserved, available and the filters."""

from __future__ import annotations

from tests.integration.factories import Org, movement, org_fixture, other_org_fixture  # noqa: F401


async def test_a_level_reports_on_hand_reserved_and_available(org: Org) -> None:
    item, location = await org.stocked(10)
    await org.reserve(item, location, 4)

    level = await org.level(item, location)

    assert {k: level[k] for k in ("on_hand", "reserved", "available")} == {
        "on_hand": 10,
        "reserved": 4,
        "available": 6,
    }
    assert (level["item_id"], level["location_id"]) == (item["id"], location["id"])
    assert level["updated_at"].endswith("Z")
    assert isinstance(level["version"], int)


async def test_levels_filter_by_item_and_location(org: Org) -> None:
    item, here = await org.stocked(3)
    there = await org.location()
    await org.receive(item, there, 2)
    other_item = await org.item()
    await org.receive(other_item, here, 1)

    by_item = await org.client.get(
        "/v1/stock-levels", params={"item_id": item["id"]}, headers=org.member
    )
    by_location = await org.client.get(
        "/v1/stock-levels", params={"location_id": here["id"]}, headers=org.member
    )

    assert sorted(x["on_hand"] for x in by_item.json()["items"]) == [2, 3]
    assert sorted(x["on_hand"] for x in by_location.json()["items"]) == [1, 3]


async def test_below_reorder_point_lists_only_levels_short_of_it(org: Org) -> None:
    low = await org.item(reorder_point=5)
    fine = await org.item(reorder_point=5)
    location = await org.location()
    await org.receive(low, location, 2)
    await org.receive(fine, location, 9)

    response = await org.client.get(
        "/v1/stock-levels", params={"below_reorder_point": "true"}, headers=org.admin
    )

    assert response.status_code == 200
    assert [x["item_id"] for x in response.json()["items"]] == [low["id"]]


async def test_levels_of_another_org_are_invisible(org: Org, other_org: Org) -> None:
    await org.stocked(5)

    response = await org.client.get("/v1/stock-levels", headers=other_org.admin)

    assert response.json() == {"items": [], "next_cursor": None}


async def test_bad_filters_are_422(org: Org) -> None:
    for params in ({"item_id": "nope"}, {"below_reorder_point": "maybe"}, {"limit": 0}):
        response = await org.client.get("/v1/stock-levels", params=params, headers=org.admin)
        assert response.status_code == 422, params


async def test_stock_levels_need_a_token(org: Org) -> None:
    response = await org.client.get("/v1/stock-levels")

    assert response.status_code == 401


async def test_a_shipment_moves_the_level(org: Org) -> None:
    item, location = await org.stocked(5)

    response = await org.client.post(
        "/v1/movements", json=movement("shipment", item, location, 2), headers=org.member
    )

    assert response.status_code == 201
    assert (await org.level(item, location))["on_hand"] == 3
