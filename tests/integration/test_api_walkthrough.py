"""The curl walk-through of docs/api.md, step by step, as a test (keep the two in step)."""

from __future__ import annotations

from tests.integration.factories import Org, org_fixture  # noqa: F401


async def test_the_api_guide_walkthrough_works_as_written(org: Org) -> None:
    client, headers = org.client, org.admin

    # 1. An item and a location.
    item = await client.post(
        "/v1/items",
        json={"sku": "WIDGET-1", "name": "Blue widget", "reorder_point": 10},
        headers=headers,
    )
    location = await client.post(
        "/v1/locations", json={"code": "MAIN", "name": "Main warehouse"}, headers=headers
    )
    assert (item.status_code, location.status_code) == (201, 201)
    item_id, location_id = item.json()["id"], location.json()["id"]
    stock_line = {"item_id": item_id, "location_id": location_id}

    # 2. Receive 12.
    receipt = await client.post(
        "/v1/movements",
        json={"type": "receipt", "reference": "PO-1001", "lines": [stock_line | {"quantity": 12}]},
        headers={**headers, "Idempotency-Key": "po-1001"},
    )
    assert receipt.status_code == 201

    # 3. Reserve 5 for an order, held for 15 minutes.
    reservation = await client.post(
        "/v1/reservations",
        json={"reference": "SO-2001", "ttl_seconds": 900, "lines": [stock_line | {"quantity": 5}]},
        headers={**headers, "Idempotency-Key": "so-2001"},
    )
    assert reservation.status_code == 201
    levels = await client.get("/v1/stock-levels", params={"item_id": item_id}, headers=headers)
    [level] = levels.json()["items"]
    assert (level["on_hand"], level["reserved"], level["available"]) == (12, 5, 7)

    # 4. Fulfil it: a shipment of the held stock.
    fulfilment = await client.post(
        f"/v1/reservations/{reservation.json()['id']}/fulfil",
        headers={**headers, "Idempotency-Key": "so-2001-ship"},
    )
    assert fulfilment.status_code == 200
    assert fulfilment.json()["status"] == "fulfilled"

    # 5. Read the ledger of the item.
    ledger = await client.get(
        "/v1/movements", params={"item_id": item_id, "limit": 50}, headers=headers
    )
    assert ledger.status_code == 200
    assert [(m["type"], m["lines"][0]["delta"]) for m in ledger.json()["items"]] == [
        ("receipt", 12),
        ("shipment", -5),
    ]
    assert ledger.json()["items"][1]["id"] == fulfilment.json()["movement_id"]
    [level] = (
        await client.get("/v1/stock-levels", params={"item_id": item_id}, headers=headers)
    ).json()["items"]
    assert (level["on_hand"], level["reserved"], level["available"]) == (7, 0, 7)
