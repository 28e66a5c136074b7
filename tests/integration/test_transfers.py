"""/v1/transfers through the app: ship, receive in parts, cancel, read, and the errors."""

from __future__ import annotations

from typing import Any

from tests.integration.factories import Org, org_fixture, other_org_fixture  # noqa: F401


async def shipped(org: Org, n: int = 4, stock: int = 10) -> tuple[Any, Any, Any, dict[str, Any]]:
    item, source = await org.stocked(stock)
    destination = await org.location()
    response = await org.client.post(
        "/v1/transfers",
        json={
            "from_location_id": source["id"],
            "to_location_id": destination["id"],
            "reference": "TO-1",
            "lines": [{"item_id": item["id"], "quantity": n}],
        },
        headers={**org.member, "Idempotency-Key": f"ship-{item['id']}"},
    )
    assert response.status_code == 201, response.text
    return item, source, destination, response.json()


async def test_shipping_answers_201_with_the_transfer_in_transit(org: Org) -> None:
    item, source, destination, body = await shipped(org)

    assert body["status"] == "in_transit"
    assert body["lines"] == [
        {"item_id": item["id"], "shipped": 4, "received": 0, "cancelled": 0, "in_transit": 4}
    ]
    assert (body["version"], body["reference"]) == (1, "TO-1")
    movement = await org.client.get(f"/v1/movements/{body['movement_id']}", headers=org.member)
    assert movement.json()["type"] == "transfer_out"
    assert movement.json()["transfer_id"] == body["id"]
    assert (await org.level(item, source))["on_hand"] == 6
    assert {k: (await org.level(item, destination))[k] for k in ("on_hand", "incoming")} == {
        "on_hand": 0,
        "incoming": 4,
    }


async def test_receiving_in_parts_then_the_rest_ends_received(org: Org) -> None:
    item, _, destination, body = await shipped(org)
    path = f"/v1/transfers/{body['id']}"

    part = await org.client.post(
        f"{path}/receive",
        json={"lines": [{"item_id": item["id"], "quantity": 3}]},
        headers={**org.member, "If-Match": '"1"'},
    )
    rest = await org.client.post(f"{path}/receive", headers=org.member)

    assert (part.status_code, part.headers["etag"]) == (200, '"2"')
    assert part.json()["status"] == "partially_received"
    assert (rest.status_code, rest.json()["status"]) == (200, "received")
    level = await org.level(item, destination)
    assert (level["on_hand"], level["incoming"]) == (4, 0)
    read = await org.client.get(path, headers=org.member)
    assert (read.headers["etag"], read.json()["lines"][0]["received"]) == ('"3"', 4)


async def test_a_stale_if_match_is_412_and_receives_nothing(org: Org) -> None:
    item, _, destination, body = await shipped(org)

    response = await org.client.post(
        f"/v1/transfers/{body['id']}/receive", headers={**org.member, "If-Match": '"7"'}
    )

    assert (response.status_code, response.json()["code"]) == (412, "version_mismatch")
    assert (await org.level(item, destination))["incoming"] == 4


async def test_cancelling_returns_the_rest_to_the_source(org: Org) -> None:
    item, source, _, body = await shipped(org)
    path = f"/v1/transfers/{body['id']}"
    await org.client.post(
        f"{path}/receive",
        json={"lines": [{"item_id": item["id"], "quantity": 1}]},
        headers=org.member,
    )

    response = await org.client.post(f"{path}/cancel", headers=org.member)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["lines"][0] | {"item_id": ""} == {
        "item_id": "",
        "shipped": 4,
        "received": 1,
        "cancelled": 3,
        "in_transit": 0,
    }
    assert (await org.level(item, source))["on_hand"] == 9
    again = await org.client.post(f"{path}/cancel", headers=org.member)
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transfer_state")


async def test_shipping_more_than_available_is_409_insufficient_stock(org: Org) -> None:
    item, source = await org.stocked(2)
    destination = await org.location()

    response = await org.client.post(
        "/v1/transfers",
        json={
            "from_location_id": source["id"],
            "to_location_id": destination["id"],
            "lines": [{"item_id": item["id"], "quantity": 3}],
        },
        headers=org.member,
    )

    assert (response.status_code, response.json()["code"]) == (409, "insufficient_stock")
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_replayed_ship_answers_the_same_and_ships_once(org: Org) -> None:
    item, source = await org.stocked(10)
    destination = await org.location()
    request = {
        "json": {
            "from_location_id": source["id"],
            "to_location_id": destination["id"],
            "lines": [{"item_id": item["id"], "quantity": 2}],
        },
        "headers": {**org.member, "Idempotency-Key": "ship-once"},
    }

    first = await org.client.post("/v1/transfers", **request)
    second = await org.client.post("/v1/transfers", **request)

    assert second.headers["idempotent-replayed"] == "true"
    assert (second.status_code, second.json()) == (first.status_code, first.json())
    assert (await org.level(item, source))["on_hand"] == 8


async def test_transfers_list_with_filters_and_stay_inside_their_org(
    org: Org, other_org: Org
) -> None:
    _, _, destination, body = await shipped(org)

    listed = await org.client.get(
        "/v1/transfers",
        params={"status": "in_transit", "to_location_id": destination["id"]},
        headers=org.member,
    )
    outsider = await other_org.client.get(f"/v1/transfers/{body['id']}", headers=other_org.admin)
    theirs = await other_org.client.get("/v1/transfers", headers=other_org.admin)

    assert [t["id"] for t in listed.json()["items"]] == [body["id"]]
    assert listed.json()["items"][0]["movement_id"] is None
    assert outsider.status_code == 404
    assert theirs.json()["items"] == []
    nowhere = await org.client.get(
        "/v1/transfers", params={"from_location_id": destination["id"]}, headers=org.member
    )
    assert nowhere.json()["items"] == []


async def test_a_body_naming_one_location_twice_is_422(org: Org) -> None:
    item, here = await org.stocked(2)

    response = await org.client.post(
        "/v1/transfers",
        json={
            "from_location_id": here["id"],
            "to_location_id": here["id"],
            "lines": [{"item_id": item["id"], "quantity": 1}],
        },
        headers=org.member,
    )

    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")
