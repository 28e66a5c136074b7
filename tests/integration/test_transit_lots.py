"""/v1/transfers of lot-tracked items through the app (ADR 0034): shipped first-expiry-first-out
or out of the lot named, received in parts into the same lots, cancelled back into them; the
transfer's lines show their lots; untracked lines keep their shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.factories import Org, org_fixture  # noqa: F401
from tests.integration.test_lots import receive

TODAY = datetime.now(UTC).date()
SOON, LATER = TODAY + timedelta(days=10), TODAY + timedelta(days=40)
YESTERDAY = TODAY - timedelta(days=1)


async def ship(
    org: Org, here: dict[str, Any], there: dict[str, Any], *lines: dict[str, Any]
) -> Any:
    body = {"from_location_id": here["id"], "to_location_id": there["id"], "lines": list(lines)}
    return await org.client.post("/v1/transfers", json=body, headers=org.member)


def of(item: dict[str, Any], quantity: int, **lot: Any) -> dict[str, Any]:
    return {"item_id": item["id"], "quantity": quantity, **lot}


def lots_of(body: dict[str, Any]) -> list[tuple[str, int, int, int, int]]:
    [line] = body["lines"]
    return [
        (x["lot_code"], x["shipped"], x["received"], x["cancelled"], x["in_transit"])
        for x in line["lots"]
    ]


async def on_hand_by_lot(org: Org, item: dict[str, Any], where: dict[str, Any]) -> dict[str, int]:
    response = await org.client.get(
        "/v1/stock-levels",
        params={"item_id": item["id"], "location_id": where["id"], "by": "lot"},
        headers=org.member,
    )
    assert response.status_code == 200, response.text
    return {row["lot_code"]: row["on_hand"] for row in response.json()["items"]}


async def test_a_transfer_of_lots_ships_fefo_receives_in_parts_and_cancels_into_the_same_lots(
    org: Org,
) -> None:
    item, here, there = await org.item(tracking="lot"), await org.location(), await org.location()
    await receive(org, item, here, "LATER", 5, LATER)
    await receive(org, item, here, "SOON", 4, SOON)
    await receive(org, item, here, "GONE", 3, YESTERDAY)

    shipped = await ship(org, here, there, of(item, 6))

    assert shipped.status_code == 201, shipped.text
    body = shipped.json()
    assert lots_of(body) == [("SOON", 4, 0, 0, 4), ("LATER", 2, 0, 0, 2)]  # GONE never ships
    out = await org.client.get(f"/v1/movements/{body['movement_id']}", headers=org.member)
    assert [(x["lot_code"], x["delta"]) for x in out.json()["lines"]] == [
        ("SOON", -4),
        ("LATER", -2),
    ]
    path = f"/v1/transfers/{body['id']}"
    part = await org.client.post(
        f"{path}/receive",
        json={"lines": [{"item_id": item["id"], "quantity": 1, "lot_code": "later"}]},
        headers={**org.member, "If-Match": '"1"'},
    )
    fefo = await org.client.post(
        f"{path}/receive", json={"lines": [of(item, 2)]}, headers=org.member
    )

    assert part.status_code == 200, part.text
    assert lots_of(part.json()) == [("SOON", 4, 0, 0, 4), ("LATER", 2, 1, 0, 1)]
    assert lots_of(fefo.json()) == [("SOON", 4, 2, 0, 2), ("LATER", 2, 1, 0, 1)]
    into = await org.client.get(f"/v1/movements/{fefo.json()['movement_id']}", headers=org.member)
    assert [(x["lot_code"], x["delta"]) for x in into.json()["lines"]] == [("SOON", 2)]
    assert await on_hand_by_lot(org, item, there) == {"LATER": 1, "SOON": 2}
    level = await org.level(item, there)
    assert (level["on_hand"], level["incoming"]) == (3, 3)

    cancelled = await org.client.post(f"{path}/cancel", headers=org.member)

    assert cancelled.status_code == 200, cancelled.text
    assert lots_of(cancelled.json()) == [("SOON", 4, 2, 2, 0), ("LATER", 2, 1, 1, 0)]
    assert await on_hand_by_lot(org, item, here) == {"GONE": 3, "LATER": 4, "SOON": 2}
    read = await org.client.get(path, headers=org.member)
    assert lots_of(read.json()) == lots_of(cancelled.json())
    assert read.json()["lines"][0]["lots"][0]["expires_on"] == SOON.isoformat()
    source, target = await org.level(item, here), await org.level(item, there)
    assert (source["on_hand"], target["on_hand"], target["incoming"]) == (9, 3, 0)
    everywhere = [await on_hand_by_lot(org, item, x) for x in (here, there)]
    assert sum(sum(x.values()) for x in everywhere) == 12  # nothing left in transit


async def test_refusals_of_transfers_in_lots(org: Org) -> None:
    item, here, there = await org.item(tracking="lot"), await org.location(), await org.location()
    plain = await org.item()
    await org.receive(plain, here, 5)
    await receive(org, item, here, "SOON", 4, SOON)
    await receive(org, item, here, "GONE", 3, YESTERDAY)

    expired = await ship(org, here, there, of(item, 1, lot_code="GONE"))
    short = await ship(org, here, there, of(item, 5))
    unknown = await ship(org, here, there, of(item, 1, lot_code="NOPE"))
    untracked = await ship(org, here, there, of(plain, 1, lot_code="SOON"))
    both = await ship(org, here, there, of(item, 1, lot_code="SOON", lot_id=item["id"]))

    assert (expired.status_code, expired.json()["code"]) == (409, "lot_expired")
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_stock")
    assert unknown.status_code == 404
    assert (untracked.status_code, untracked.json()["code"]) == (422, "validation_failed")
    assert both.status_code == 422
    assert await on_hand_by_lot(org, item, here) == {"GONE": 3, "SOON": 4}

    shipped = await ship(org, here, there, of(item, 2, lot_code="soon"), of(plain, 1))
    assert shipped.status_code == 201, shipped.text
    lines = {line["item_id"]: line for line in shipped.json()["lines"]}
    assert "lots" not in lines[plain["id"]]  # untracked lines keep their shape
    path = f"/v1/transfers/{shipped.json()['id']}/receive"
    wrong_lot = await org.client.post(
        path, json={"lines": [of(item, 1, lot_code="GONE")]}, headers=org.member
    )
    lot_on_plain = await org.client.post(
        path, json={"lines": [of(plain, 1, lot_code="SOON")]}, headers=org.member
    )
    too_much = await org.client.post(
        path, json={"lines": [of(item, 3, lot_code="SOON")]}, headers=org.member
    )

    assert (wrong_lot.status_code, wrong_lot.json()["code"]) == (409, "invalid_transfer_state")
    assert (lot_on_plain.status_code, lot_on_plain.json()["code"]) == (422, "validation_failed")
    assert (too_much.status_code, too_much.json()["code"]) == (409, "invalid_transfer_state")
    assert (await org.level(item, there))["incoming"] == 2


async def test_a_replayed_shipment_of_lots_answers_the_same_transfer(org: Org) -> None:
    item, here, there = await org.item(tracking="lot"), await org.location(), await org.location()
    await receive(org, item, here, "SOON", 4, SOON)
    body = {
        "from_location_id": here["id"],
        "to_location_id": there["id"],
        "lines": [of(item, 3)],
    }
    headers = {**org.member, "Idempotency-Key": "ship-lots-1"}

    first = await org.client.post("/v1/transfers", json=body, headers=headers)
    again = await org.client.post("/v1/transfers", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert lots_of(again.json()) == [("SOON", 3, 0, 0, 3)]
    assert await on_hand_by_lot(org, item, here) == {"SOON": 1}
