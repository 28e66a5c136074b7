"""One-step transfers of lot-tracked items through the app (ADR 0033): a named lot moves into
the same lot at the target, no lot takes first-expiry-first-out, an expired lot is 409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.factories import Org, org_fixture  # noqa: F401
from tests.integration.test_lots import receive

TODAY = datetime.now(UTC).date()
SOON, LATER = TODAY + timedelta(days=10), TODAY + timedelta(days=40)
YESTERDAY = TODAY - timedelta(days=1)


def moved(
    item: dict[str, Any], here: dict[str, Any], there: dict[str, Any], quantity: int, **lot: Any
) -> dict[str, Any]:
    line = {
        "item_id": item["id"],
        "from_location_id": here["id"],
        "to_location_id": there["id"],
        "quantity": quantity,
        **lot,
    }
    return {"type": "transfer", "lines": [line]}


async def test_transfers_move_lots_and_never_an_expired_one(org: Org) -> None:
    item, here, there = await org.item(tracking="lot"), await org.location(), await org.location()
    await receive(org, item, here, "LATER", 5, LATER)
    await receive(org, item, here, "SOON", 4, SOON)
    await receive(org, item, here, "GONE", 3, YESTERDAY)

    named = await org.client.post(
        "/v1/movements", json=moved(item, here, there, 1, lot_code="later"), headers=org.admin
    )
    fefo = await org.client.post(
        "/v1/movements", json=moved(item, here, there, 6), headers=org.admin
    )
    expired = await org.client.post(
        "/v1/movements", json=moved(item, here, there, 1, lot_code="GONE"), headers=org.admin
    )

    assert named.status_code == 201, named.text
    assert fefo.status_code == 201, fefo.text
    assert [(x["location_id"], x["lot_code"], x["delta"]) for x in fefo.json()["lines"]] == [
        (here["id"], "SOON", -4),
        (there["id"], "SOON", 4),
        (here["id"], "LATER", -2),
        (there["id"], "LATER", 2),
    ]
    assert expired.status_code == 409 and expired.json()["code"] == "lot_expired"
    target = await org.level(item, there)
    source = await org.level(item, here)
    assert (source["on_hand"], target["on_hand"]) == (5, 7)
    response = await org.client.get(
        "/v1/stock-levels",
        params={"item_id": item["id"], "location_id": there["id"], "by": "lot"},
        headers=org.member,
    )
    assert {r["lot_code"]: r["on_hand"] for r in response.json()["items"]} == {
        "LATER": 3,
        "SOON": 4,
    }
