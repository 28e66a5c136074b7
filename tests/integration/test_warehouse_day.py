"""A warehouse day over HTTP: transfers shipped, partly received and cancelled, a count session
posted while shipments continue, a reversal. At the end every level equals its ledger, what is
in transit towards each level is its incoming, and each item's total on hand plus in transit
moved only by the receipts, sales and shrinkage of the day."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.integration.factories import Org, movement, org_fixture  # noqa: F401
from tests.postgres.invariants import audit_with_transit

Body = dict[str, Any]


async def ok(response: httpx.Response, status: int = 200) -> Body:
    assert response.status_code == status, response.text
    return dict(response.json())


async def ship(org: Org, item: Body, source: Body, destination: Body, n: int) -> Body:
    body = {
        "from_location_id": source["id"],
        "to_location_id": destination["id"],
        "lines": [{"item_id": item["id"], "quantity": n}],
    }
    return await ok(await org.client.post("/v1/transfers", json=body, headers=org.member), 201)


async def sell(org: Org, item: Body, here: Body, n: int) -> Body:
    posted = await org.client.post(
        "/v1/movements", json=movement("shipment", item, here, n), headers=org.member
    )
    return await ok(posted, 201)


async def everything(org: Org, path: str) -> list[Body]:
    rows: list[Body] = []
    cursor = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await ok(await org.client.get(path, params=params, headers=org.admin))
        rows += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return rows


async def test_a_warehouse_day_ends_with_every_level_on_its_ledger_and_totals_conserved(
    org: Org, database_url: str
) -> None:
    soap, tea, jam = [await org.item() for _ in range(3)]
    dc, store_a, store_b = [await org.location() for _ in range(3)]
    for item in (soap, tea, jam):
        await org.receive(item, dc, 100)  # the morning delivery
    sold = {soap["id"]: 0, tea["id"]: 0, jam["id"]: 0}

    # Morning: two trucks leave the distribution centre.
    truck_a = await ship(org, soap, dc, store_a, 20)
    truck_b = await ship(org, tea, dc, store_b, 15)

    # The count of the distribution centre opens; shipments and sales go on while counting.
    count = await ok(
        await org.client.post(
            "/v1/counts", json={"location_id": dc["id"], "blind": True}, headers=org.admin
        ),
        201,
    )
    expected = {line["item_id"]: line["expected"] for line in count["lines"]}
    assert expected == {soap["id"]: 80, tea["id"]: 85, jam["id"]: 100}

    async def counters() -> None:
        # They count what the snapshot saw: soap is 2 short (shrinkage), the rest is right.
        for item, counted in ((soap, 78), (tea, 85), (jam, 100)):
            lines = {"lines": [{"item_id": item["id"], "counted": counted}]}
            await ok(
                await org.client.put(
                    f"/v1/counts/{count['id']}/lines", json=lines, headers=org.member
                )
            )

    async def the_shop_floor() -> None:
        await sell(org, jam, dc, 7)
        await ship(org, jam, dc, store_a, 10)
        await sell(org, soap, dc, 3)

    await asyncio.gather(counters(), the_shop_floor())
    sold[jam["id"]] += 7
    sold[soap["id"]] += 3

    async def post_the_count() -> Body:
        return await ok(await org.client.post(f"/v1/counts/{count['id']}/post", headers=org.admin))

    posted, late_truck = await asyncio.gather(post_the_count(), ship(org, tea, dc, store_a, 5))
    assert posted["status"] == "posted"

    # Store A receives soap in two parts; store B takes part of the tea and sends the rest back.
    receive_a = f"/v1/transfers/{truck_a['id']}/receive"
    part = {"lines": [{"item_id": soap["id"], "quantity": 12}]}
    await ok(await org.client.post(receive_a, json=part, headers=org.member))
    await ok(await org.client.post(receive_a, headers=org.member))
    part = {"lines": [{"item_id": tea["id"], "quantity": 9}]}
    await ok(
        await org.client.post(
            f"/v1/transfers/{truck_b['id']}/receive", json=part, headers=org.member
        )
    )
    cancelled = await ok(
        await org.client.post(f"/v1/transfers/{truck_b['id']}/cancel", headers=org.member)
    )
    assert cancelled["lines"][0]["cancelled"] == 6

    # A receipt keyed at store B by mistake is reversed.
    mistake = await ok(
        await org.client.post(
            "/v1/movements", json=movement("receipt", jam, store_b, 5), headers=org.member
        ),
        201,
    )
    await ok(
        await org.client.post(f"/v1/movements/{mistake['id']}/reverse", headers=org.admin), 201
    )
    await sell(org, soap, store_a, 4)
    sold[soap["id"]] += 4

    # End of day. The count took 2 soap for shrinkage and kept every movement since it opened.
    dc_soap = await org.level(soap, dc)
    assert dc_soap["on_hand"] == 78 - 3  # counted, less what was sold after the snapshot
    levels = await everything(org, "/v1/stock-levels")
    ledger: dict[tuple[str, str], int] = {}
    for document in await everything(org, "/v1/movements"):
        for line in document["lines"]:
            key = (line["item_id"], line["location_id"])
            ledger[key] = ledger.get(key, 0) + line["delta"]
    for level in levels:
        assert level["on_hand"] == ledger.get((level["item_id"], level["location_id"]), 0), level
    audit_with_transit(database_url, org.id)  # and incoming = in transit, in SQL too
    shrinkage = {soap["id"]: 2, tea["id"]: 0, jam["id"]: 0}
    for item in (soap, tea, jam):
        mine = [lv for lv in levels if lv["item_id"] == item["id"]]
        total = sum(lv["on_hand"] + lv["incoming"] for lv in mine)
        assert total == 100 - sold[item["id"]] - shrinkage[item["id"]], item["sku"]
    in_transit = {
        (lv["item_id"], lv["location_id"]): lv["incoming"] for lv in levels if lv["incoming"]
    }
    assert in_transit == {(jam["id"], store_a["id"]): 10, (tea["id"], store_a["id"]): 5}
    assert late_truck["status"] == "in_transit"
