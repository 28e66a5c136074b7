"""A day of a lot-tracked item over HTTP, chained end to end: receipts of several lots with
different expiries, first-expiry-first-out reservations racing each other (some on a short
ttl), shipments racing them, a lot's date passing and holds passing their ttl, a write-off,
then a count session per lot posted while sales continue. After each stage every figure the
API shows (per lot, per level, per reservation) is recomputed from the ledger and the holds,
and the database's own audit agrees."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.integration.factories import Org, org_fixture  # noqa: F401
from tests.postgres.invariants import audit, audit_lots, audit_reservation_lots

Body = dict[str, Any]
TODAY = datetime.now(UTC).date()
# code -> (expires_on, received at the DC in two deliveries)
LOTS = {
    "L-EARLY": (TODAY + timedelta(days=5), (12, 8)),
    "L-MID": (TODAY + timedelta(days=15), (10, 10)),
    "L-LATE": (TODAY + timedelta(days=40), (25, 5)),
    "L-NODATE": (None, (6, 0)),  # never expires: picked after every dated lot
}


async def ok(response: httpx.Response, status: int = 200) -> Body:
    assert response.status_code == status, response.text
    return dict(response.json())


def line(item: Body, here: Body, n: int, **lot: Any) -> Body:
    return {"item_id": item["id"], "location_id": here["id"], "quantity": n, **lot}


async def everything(org: Org, path: str, **params: Any) -> list[Body]:
    rows: list[Body] = []
    cursor = None
    while True:
        query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
        page = await ok(await org.client.get(path, params=query, headers=org.admin))
        rows += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return rows


async def figures_match_the_books(
    org: Org, item: Body, here: Body, database_url: str
) -> dict[str, Body]:
    """Every figure the API shows for ``item`` at ``here``, recomputed from the ledger (on
    hand per lot) and the reservations the API reports as active (reserved per lot); returns
    the lot rows by code."""
    today = datetime.now(UTC).date()
    ledger: dict[str, int] = {}
    for document in await everything(org, "/v1/movements", item_id=item["id"]):
        for entry in document["lines"]:
            ledger[entry["lot_code"]] = ledger.get(entry["lot_code"], 0) + entry["delta"]
    held: dict[str, int] = {}
    for reservation in await everything(org, "/v1/reservations", status="active"):
        for hold in reservation["lines"]:
            for part in hold.get("lots") or []:
                open_ = part["quantity"] - part["fulfilled"] - part["released"]
                held[part["lot_code"]] = held.get(part["lot_code"], 0) + open_
    lots = {
        row["lot_code"]: row
        for row in await everything(org, "/v1/stock-levels", item_id=item["id"], by="lot")
    }
    listed = {row["code"]: row for row in await everything(org, "/v1/lots", item_id=item["id"])}
    expired_codes = set()
    for code, row in lots.items():
        expires_on = listed[code]["expires_on"]
        expired = expires_on is not None and expires_on < today.isoformat()
        if expired:
            expired_codes.add(code)
        on_hand, reserved = ledger.get(code, 0), held.get(code, 0)
        available = 0 if expired else on_hand - reserved
        assert (row["on_hand"], row["reserved"], row["available"]) == (
            on_hand,
            reserved,
            available,
        ), code
        assert row["expired"] is expired, code
        # One location here: the lot's figures across the org are its figures at the DC.
        assert (listed[code]["on_hand"], listed[code]["reserved"]) == (on_hand, reserved), code
        assert listed[code]["available"] == available, code
    level = await org.level(item, here)
    assert level["on_hand"] == sum(ledger.values()) == sum(r["on_hand"] for r in lots.values())
    assert level["reserved"] == sum(held.values()) == sum(r["reserved"] for r in lots.values())
    assert level["available"] == sum(r["available"] for r in lots.values())
    assert level["expired"] == sum(lots[c]["on_hand"] for c in expired_codes)
    # The stored rows, read by the database's own audit: levels = ledger = sum of lots,
    # lots' reserved = their open reservation lot lines.
    audit(database_url, org.id)
    audit_lots(database_url, org.id)
    audit_reservation_lots(database_url, org.id)
    return lots


async def test_a_lot_day_ends_with_every_figure_on_the_books(org: Org, database_url: str) -> None:
    item, here = await org.item(tracking="lot"), await org.location()
    # Morning: two deliveries, each naming its lots (a new lot with its date; the undated one
    # is created first, as a receipt may not create a lot without a date).
    undated = {"item_id": item["id"], "code": "L-NODATE", "expires_on": None}
    await ok(await org.client.post("/v1/lots", json=undated, headers=org.admin), 201)
    for delivery in (0, 1):
        lines = [
            line(item, here, quantities[delivery], lot_code=code)
            | ({"expires_on": on.isoformat()} if on is not None else {})
            for code, (on, quantities) in LOTS.items()
            if quantities[delivery]
        ]
        await ok(await org.client.post(
            "/v1/movements", json={"type": "receipt", "lines": lines}, headers=org.admin
        ), 201)  # fmt: skip
    lots = await figures_match_the_books(org, item, here, database_url)
    assert {code: row["on_hand"] for code, row in lots.items()} == {
        "L-EARLY": 20, "L-MID": 20, "L-LATE": 30, "L-NODATE": 6
    }  # fmt: skip

    # Orders race in: holds of no lot (FEFO), some expiring in a second, and sales racing them.
    rng = random.Random(14)

    def order(n: int, ttl: int | None) -> Any:
        body: Body = {"lines": [line(item, here, n)]}
        if ttl is not None:
            body["ttl_seconds"] = ttl
        return org.client.post("/v1/reservations", json=body, headers=org.member)

    def sale(n: int) -> Any:
        body = {"type": "shipment", "lines": [line(item, here, n)]}
        return org.client.post("/v1/movements", json=body, headers=org.member)

    wanted = [(rng.randint(1, 6), 1 if i % 4 == 0 else None) for i in range(30)]
    sales = [rng.randint(1, 2) for _ in range(5)]  # never all of the earliest lot
    answers = await asyncio.gather(*(order(n, ttl) for n, ttl in wanted), *(sale(n) for n in sales))
    assert {a.status_code for a in answers} <= {201, 409}
    holds = [a.json() for a in answers[: len(wanted)] if a.status_code == 201]
    sold = sum(
        n for n, a in zip(sales, answers[len(wanted) :], strict=True) if a.status_code == 201
    )
    raced_until = datetime.now(UTC)
    assert holds and any(a.status_code == 409 for a in answers)  # the level ran out
    lasting = sum(h["lines"][0]["quantity"] for h in holds if h["expires_at"] is None)
    short = sum(h["lines"][0]["quantity"] for h in holds if h["expires_at"] is not None)
    assert lasting + sold <= 76  # never oversold
    ends = [datetime.fromisoformat(h["expires_at"]) for h in holds if h["expires_at"]]
    assert ends, "some short holds were taken"
    if raced_until < min(ends):  # no short hold lapsed (and was reused) during the race
        assert lasting + short + sold <= 76
    order_of = list(LOTS)
    for hold in holds:  # each hold was taken first-expiry-first-out at its moment
        picked = [order_of.index(part["lot_code"]) for part in hold["lines"][0]["lots"]]
        assert picked == sorted(picked) and len(set(picked)) == len(picked)
    # The short holds pass their ttl (nothing writes meanwhile, so nothing releases them):
    # every read already counts them as holding nothing.
    await asyncio.sleep(max(0.0, (max(ends) - datetime.now(UTC)).total_seconds()) + 0.05)
    await figures_match_the_books(org, item, here, database_url)

    # A lot's date passes (it is redated to yesterday).
    early = next(row for row in await everything(org, "/v1/lots", item_id=item["id"])
                 if row["code"] == "L-EARLY")  # fmt: skip
    await ok(await org.client.patch(
        f"/v1/lots/{early['id']}",
        json={"expires_on": (TODAY - timedelta(days=1)).isoformat()},
        headers=org.admin,
    ))  # fmt: skip
    lots = await figures_match_the_books(org, item, here, database_url)
    assert lots["L-EARLY"]["available"] == 0 and lots["L-EARLY"]["expired"] is True

    # A hold in the expired lot cannot be fulfilled from it: released, its stock written off.
    in_early = [
        h for h in holds
        if h["expires_at"] is None
        and any(p["lot_code"] == "L-EARLY" for p in h["lines"][0]["lots"])
    ]  # fmt: skip
    assert in_early, "FEFO put the first holds in the earliest lot"
    refused = await org.client.post(
        f"/v1/reservations/{in_early[0]['id']}/fulfil", json={}, headers=org.member
    )
    assert refused.status_code == 409 and refused.json()["code"] == "lot_expired"
    for hold in in_early:
        await ok(await org.client.post(
            f"/v1/reservations/{hold['id']}/release", json={}, headers=org.member
        ))  # fmt: skip
    lots = await figures_match_the_books(org, item, here, database_url)
    stale = lots["L-EARLY"]["on_hand"] - lots["L-EARLY"]["reserved"]
    written_off = {
        "type": "adjustment",
        "reason": "expired",
        "lines": [line(item, here, -stale, lot_code="L-EARLY")],
    }
    await ok(await org.client.post("/v1/movements", json=written_off, headers=org.admin), 201)
    # New orders skip the expired lot; the rest of the holds are fulfilled from their lots.
    fresh = await ok(await order(1, None), 201)
    assert fresh["lines"][0]["lots"][0]["lot_code"] != "L-EARLY"
    for hold in [h for h in holds if h["expires_at"] is None and h not in in_early][:3]:
        await ok(await org.client.post(
            f"/v1/reservations/{hold['id']}/fulfil", json={}, headers=org.member
        ))  # fmt: skip
    lots = await figures_match_the_books(org, item, here, database_url)
    assert lots["L-EARLY"]["on_hand"] == 0

    # Evening: a count session per lot, posted while sales continue.
    session = await ok(await org.client.post(
        "/v1/counts", json={"location_id": here["id"]}, headers=org.admin
    ), 201)  # fmt: skip
    counted = {code: max(row["reserved"], row["on_hand"] - 1) for code, row in lots.items()}
    counts = [{"item_id": item["id"], "lot_code": c, "counted": n} for c, n in counted.items()]
    recorded = org.client.put(
        f"/v1/counts/{session['id']}/lines", json={"lines": counts}, headers=org.member
    )
    first = await asyncio.gather(recorded, *(sale(1) for _ in range(4)))
    await ok(first[0])
    posting = org.client.post(f"/v1/counts/{session['id']}/post", headers=org.admin)
    answers = await asyncio.gather(posting, *(sale(1) for _ in range(4)))
    assert answers[0].status_code in {200, 409}, answers[0].text
    assert {a.status_code for a in answers[1:]} <= {201, 409}
    await figures_match_the_books(org, item, here, database_url)
