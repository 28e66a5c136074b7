"""Counts and reversals in lots through the app (ADR 0032): a one-step count of a lot, a count
session per lot posted while shipments continue, reversals; every figure matches the ledger."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.factories import Org, org_fixture  # noqa: F401

TODAY = datetime.now(UTC).date()
SOON, LATER = TODAY + timedelta(days=10), TODAY + timedelta(days=40)


def lot_line(
    item: dict[str, Any], location: dict[str, Any], quantity: int, **lot: Any
) -> dict[str, Any]:
    return {"item_id": item["id"], "location_id": location["id"], "quantity": quantity, **lot}


async def post(org: Org, body: dict[str, Any]) -> Any:
    return await org.client.post("/v1/movements", json=body, headers=org.admin)


async def every_figure_matches_the_ledger(org: Org, item: dict[str, Any], here: Any) -> None:
    """Level = sum of its lots = the ledger, per lot and in total; each lot's total too."""
    rows = await org.client.get(
        "/v1/stock-levels", params={"item_id": item["id"], "by": "lot"}, headers=org.member
    )
    lots = {r["lot_code"]: r["on_hand"] for r in rows.json()["items"]}
    ledger = await org.client.get(
        "/v1/movements", params={"item_id": item["id"], "limit": 200}, headers=org.admin
    )
    per_lot: dict[str, int] = {}
    for document in ledger.json()["items"]:
        for line in document["lines"]:
            per_lot[line["lot_code"]] = per_lot.get(line["lot_code"], 0) + line["delta"]
    assert lots == per_lot
    level = await org.level(item, here)
    assert level["on_hand"] == sum(lots.values()) == sum(per_lot.values())
    listed = await org.client.get("/v1/lots", params={"item_id": item["id"]}, headers=org.member)
    assert {x["code"]: x["on_hand"] for x in listed.json()["items"]} == per_lot


async def test_a_count_of_a_lot_and_its_reversal(org: Org) -> None:
    item, plain, here = await org.item(tracking="lot"), await org.item(), await org.location()
    body = {
        "type": "receipt",
        "lines": [lot_line(item, here, 5, lot_code="A", expires_on=str(SOON))],
    }
    assert (await post(org, body)).status_code == 201

    def counted(n: int, **lot: Any) -> dict[str, Any]:
        line = {"item_id": item["id"], "location_id": here["id"], "counted": n, **lot}
        return {"type": "count", "lines": [line]}

    no_lot = await post(org, counted(3))
    wrong = await post(org, counted(3, lot_code="A", expected_on_hand=4))
    count = await post(org, counted(3, lot_code="A", expected_on_hand=5))
    plain_lot = {"item_id": plain["id"], "location_id": here["id"], "counted": 1, "lot_code": "A"}
    untracked = await post(org, {"type": "count", "lines": [plain_lot]})

    assert (no_lot.status_code, wrong.status_code, untracked.status_code) == (422, 409, 422)
    assert wrong.json()["code"] == "count_mismatch"
    assert count.status_code == 201, count.text
    assert [(x["lot_code"], x["delta"], x["on_hand_after"]) for x in count.json()["lines"]] == [
        ("A", -2, 3)
    ]
    reversal = await org.client.post(
        f"/v1/movements/{count.json()['id']}/reverse", json={}, headers=org.admin
    )
    assert reversal.status_code == 201, reversal.text
    assert [(x["lot_code"], x["delta"]) for x in reversal.json()["lines"]] == [("A", 2)]
    assert (await org.level(item, here))["on_hand"] == 5
    await every_figure_matches_the_ledger(org, item, here)


async def test_hold_out_a_count_session_per_lot_while_shipments_continue(org: Org) -> None:
    """A blind count session per lot, recorded and posted while FEFO shipments race it, then
    reversals of a shipment and of the count: levels, lots, the sum over lots and the ledger
    agree after each."""
    item, here = await org.item(tracking="lot"), await org.location()
    for code, on in {"P": SOON, "Q": LATER, "R": SOON + timedelta(days=1)}.items():
        line = lot_line(item, here, 20, lot_code=code, expires_on=on.isoformat())
        assert (await post(org, {"type": "receipt", "lines": [line]})).status_code == 201
    opened = await org.client.post(
        "/v1/counts", json={"location_id": here["id"], "blind": True}, headers=org.admin
    )
    session = opened.json()["id"]

    def shipment(n: int) -> Any:
        return post(org, {"type": "shipment", "lines": [lot_line(item, here, n)]})

    def put(counts: dict[str, int]) -> Any:
        lines = [{"item_id": item["id"], "lot_code": c, "counted": n} for c, n in counts.items()]
        return org.client.put(
            f"/v1/counts/{session}/lines", json={"lines": lines}, headers=org.member
        )

    first = await asyncio.gather(put({"P": 18, "Q": 20}), *[shipment(1 + i % 3) for i in range(6)])
    again = await asyncio.gather(put({"R": 19, "P": 17}), *[shipment(2) for _ in range(4)])
    assert first[0].status_code == again[0].status_code == 200, again[0].text
    lot_lines = [x for x in again[0].json()["lines"] if x["lot_code"] is not None]
    assert sorted(x["lot_code"] for x in lot_lines) == ["P", "Q", "R"]
    assert all(x["expected"] is None for x in lot_lines)  # blind: hidden from members
    await every_figure_matches_the_ledger(org, item, here)

    posting = org.client.post(f"/v1/counts/{session}/post", headers=org.admin)
    answers = await asyncio.gather(posting, *[shipment(1) for _ in range(6)])
    assert answers[0].status_code in {200, 409}, answers[0].text
    assert {a.status_code for a in answers[1:]} <= {201, 409}
    await every_figure_matches_the_ledger(org, item, here)

    shipped = next(a.json() for a in answers[1:] if a.status_code == 201)
    undone = await org.client.post(
        f"/v1/movements/{shipped['id']}/reverse", json={}, headers=org.admin
    )
    assert undone.status_code == 201, undone.text
    assert [x["delta"] for x in undone.json()["lines"]] == [-x["delta"] for x in shipped["lines"]]
    if answers[0].status_code == 200:
        movement = answers[0].json()["movement_id"]
        reversal = await org.client.post(
            f"/v1/movements/{movement}/reverse", json={}, headers=org.admin
        )
        assert reversal.status_code in {201, 409}, reversal.text
    await every_figure_matches_the_ledger(org, item, here)
