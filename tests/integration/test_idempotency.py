"""Idempotency-Key on every POST: replays answer the same, nothing is applied twice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.factories import Org, line, movement, org_fixture, other_org_fixture  # noqa: F401


async def _twice(org: Org, path: str, body: dict[str, Any] | None, key: str) -> list[Any]:
    headers = {**org.admin, "Idempotency-Key": key}
    return [await org.client.post(path, json=body, headers=headers) for _ in range(2)]


async def test_a_replayed_receipt_answers_the_same_and_applies_once(org: Org) -> None:
    item, location = await org.item(), await org.location()

    first, second = await _twice(
        org, "/v1/movements", movement("receipt", item, location, 5), "receipt-1"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert (await org.level(item, location))["on_hand"] == 5


@pytest.mark.parametrize("action", ["release", "fulfil"])
async def test_replayed_settlements_apply_once(org: Org, action: str) -> None:
    item, location = await org.stocked(10)
    reservation = await org.reserve(item, location, 6)
    body = {"lines": [line(item, location, 2)]}

    first, second = await _twice(
        org, f"/v1/reservations/{reservation['id']}/{action}", body, f"{action}-1"
    )

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    level = await org.level(item, location)
    assert level["reserved"] == 4


async def test_replayed_creates_make_one_resource(org: Org) -> None:
    item_body = {"sku": "ONCE-1", "name": "Once"}
    location_body = {"code": "ONCE", "name": "Once"}

    items = await _twice(org, "/v1/items", item_body, "item-1")
    locations = await _twice(org, "/v1/locations", location_body, "location-1")
    item, location = items[0].json(), locations[0].json()
    await org.receive(item, location, 3)
    holds = await _twice(org, "/v1/reservations", {"lines": [line(item, location, 2)]}, "hold-1")
    extends = await _twice(
        org, f"/v1/reservations/{holds[0].json()['id']}/extend", {"ttl_seconds": 60}, "ext-1"
    )

    for first, second in (items, locations, holds, extends):
        assert second.status_code == first.status_code
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert second.headers.get("etag") == first.headers.get("etag")
    listed = await org.client.get("/v1/items", headers=org.admin)
    assert [i["sku"] for i in listed.json()["items"]] == ["ONCE-1"]
    assert (await org.level(item, location))["reserved"] == 2


async def test_a_key_reused_with_a_different_body_is_422(org: Org) -> None:
    item, location = await org.item(), await org.location()
    headers = {**org.admin, "Idempotency-Key": "reuse-1"}
    await org.client.post(
        "/v1/movements", json=movement("receipt", item, location, 5), headers=headers
    )

    response = await org.client.post(
        "/v1/movements", json=movement("receipt", item, location, 6), headers=headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert (await org.level(item, location))["on_hand"] == 5


async def test_keys_are_scoped_per_org(org: Org, other_org: Org) -> None:
    body = {"sku": "SAME-1", "name": "Same"}
    headers = {"Idempotency-Key": "shared-key"}

    mine = await org.client.post("/v1/items", json=body, headers={**org.admin, **headers})
    theirs = await org.client.post("/v1/items", json=body, headers={**other_org.admin, **headers})

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_a_failed_request_does_not_burn_its_key(org: Org) -> None:
    item, location = await org.stocked(1)
    headers = {**org.admin, "Idempotency-Key": "retry-1"}
    body = movement("shipment", item, location, 2)

    refused = await org.client.post("/v1/movements", json=body, headers=headers)
    await org.receive(item, location, 5)
    retried = await org.client.post("/v1/movements", json=body, headers=headers)

    assert refused.status_code == 409
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


async def test_an_overlong_key_is_422(org: Org) -> None:
    response = await org.client.post(
        "/v1/items",
        json={"sku": "LONG-1", "name": "x"},
        headers={**org.admin, "Idempotency-Key": "k" * 256},
    )

    assert response.status_code == 422
