"""Lots through the app: tracking, /v1/lots, movements in lots, FEFO, expiry, ?by=lot."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.integration.factories import Org, org_fixture  # noqa: F401

TODAY = datetime.now(UTC).date()
SOON, LATER = TODAY + timedelta(days=10), TODAY + timedelta(days=40)
YESTERDAY = TODAY - timedelta(days=1)


def lot_line(
    item: dict[str, Any], location: dict[str, Any], quantity: int, **lot: Any
) -> dict[str, Any]:
    return {"item_id": item["id"], "location_id": location["id"], "quantity": quantity, **lot}


async def post(org: Org, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return await org.client.post("/v1/movements", json=body, headers=headers or org.admin)


async def receive(
    org: Org, item: dict[str, Any], here: dict[str, Any], code: str, n: int, on: date
) -> None:
    line = lot_line(item, here, n, lot_code=code, expires_on=on.isoformat())
    response = await post(org, {"type": "receipt", "lines": [line]})
    assert response.status_code == 201, response.text


async def lots_at(org: Org, item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = await org.client.get(
        "/v1/stock-levels", params={"item_id": item["id"], "by": "lot"}, headers=org.member
    )
    assert response.status_code == 200, response.text
    return {row["lot_code"]: row for row in response.json()["items"]}


async def test_an_item_tracks_lots_and_changes_only_while_empty(org: Org) -> None:
    item = await org.item(tracking="lot")
    plain = await org.item()
    here = await org.location()
    await org.receive(plain, here, 1)

    locked = await org.client.patch(
        f"/v1/items/{plain['id']}", json={"tracking": "serial"}, headers=org.admin
    )
    fetched = await org.client.get(f"/v1/items/{item['id']}", headers=org.member)

    assert item["tracking"] == "lot" and plain["tracking"] == "none"
    assert fetched.json()["tracking"] == "lot"
    assert locked.status_code == 409
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["code"] == "tracking_locked"


async def test_lots_are_created_listed_read_and_redated(org: Org) -> None:
    item, here = await org.item(tracking="lot"), await org.location()
    created = await org.client.post(
        "/v1/lots",
        json={"item_id": item["id"], "code": "L-1", "expires_on": SOON.isoformat()},
        headers=org.admin,
    )
    assert created.status_code == 201, created.text
    lot = created.json()
    await receive(org, item, here, "l-1", 6, SOON)  # the code ignores case
    duplicate = await org.client.post(
        "/v1/lots", json={"item_id": item["id"], "code": "l-1"}, headers=org.admin
    )
    as_member = await org.client.patch(
        f"/v1/lots/{lot['id']}", json={"expires_on": None}, headers=org.member
    )
    redated = await org.client.patch(
        f"/v1/lots/{lot['id']}", json={"expires_on": LATER.isoformat()}, headers=org.admin
    )
    listed = await org.client.get("/v1/lots", params={"item_id": item["id"]}, headers=org.member)
    expiring = await org.client.get(
        "/v1/lots", params={"expires_before": SOON.isoformat()}, headers=org.member
    )

    assert created.headers["location"] == f"/v1/lots/{lot['id']}"
    assert (lot["code"], lot["on_hand"], lot["available"]) == ("L-1", 0, 0)
    assert duplicate.status_code == 409
    assert as_member.status_code == 403
    assert redated.status_code == 200 and redated.json()["expires_on"] == LATER.isoformat()
    assert [(x["code"], x["on_hand"], x["available"]) for x in listed.json()["items"]] == [
        ("L-1", 6, 6)
    ]
    assert expiring.json()["items"] == []
    got = await org.client.get(f"/v1/lots/{lot['id']}", headers=org.member)
    assert got.json() == listed.json()["items"][0]


async def test_a_shipment_takes_fefo_and_expired_lots_are_written_off(org: Org) -> None:
    item, here = await org.item(tracking="lot"), await org.location()
    await receive(org, item, here, "LATER", 5, LATER)
    await receive(org, item, here, "SOON", 4, SOON)
    await receive(org, item, here, "GONE", 3, YESTERDAY)

    shipped = await post(org, {"type": "shipment", "lines": [lot_line(item, here, 6)]})
    expired = await post(
        org, {"type": "shipment", "lines": [lot_line(item, here, 1, lot_code="GONE")]}
    )
    short = await post(org, {"type": "shipment", "lines": [lot_line(item, here, 4)]})
    level = await org.level(item, here)

    assert shipped.status_code == 201, shipped.text
    assert [(x["lot_code"], x["delta"]) for x in shipped.json()["lines"]] == [
        ("SOON", -4),
        ("LATER", -2),
    ]
    assert expired.status_code == 409 and expired.json()["code"] == "lot_expired"
    assert short.status_code == 409 and short.json()["code"] == "insufficient_stock"
    assert (level["on_hand"], level["available"], level["expired"]) == (6, 3, 3)
    rows = await lots_at(org, item)
    assert {code: (r["on_hand"], r["available"], r["expired"]) for code, r in rows.items()} == {
        "LATER": (3, 3, False),
        "SOON": (0, 0, False),
        "GONE": (3, 0, True),
    }

    written_off = await post(
        org,
        {
            "type": "adjustment",
            "reason": "expired",
            "lines": [lot_line(item, here, -3, lot_code="GONE")],
        },
    )
    assert written_off.status_code == 201, written_off.text
    level = await org.level(item, here)
    assert (level["on_hand"], level["available"], level["expired"]) == (3, 3, 0)


async def test_lot_mistakes_are_problems(org: Org) -> None:
    item, plain, here = await org.item(tracking="lot"), await org.item(), await org.location()

    cases = [
        {"type": "receipt", "lines": [lot_line(item, here, 1)]},
        {"type": "receipt", "lines": [lot_line(item, here, 1, lot_code="NEW")]},
        {
            "type": "receipt",
            "lines": [lot_line(plain, here, 1, lot_code="A", expires_on="2030-01-01")],
        },
        {"type": "receipt", "lines": [lot_line(item, here, 1, lot_code="bad code!")]},
    ]
    answers = [await post(org, body) for body in cases]
    # Reservations hold lots (ADR 0031): a lot named on an untracked item is the mistake.
    reserved = await org.client.post(
        "/v1/reservations",
        json={"lines": [lot_line(plain, here, 1, lot_code="A")]},
        headers=org.member,
    )

    assert [a.status_code for a in answers] == [422, 422, 422, 422]
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    assert reserved.status_code == 422, reserved.text


async def test_a_reservation_holds_lots_fefo_and_is_fulfilled_and_released_from_them(
    org: Org,
) -> None:
    item, plain, here = await org.item(tracking="lot"), await org.item(), await org.location()
    await receive(org, item, here, "LATE", 5, LATER)
    await receive(org, item, here, "SOON", 3, SOON)
    await org.receive(plain, here, 4)

    created = await org.client.post(
        "/v1/reservations",
        json={"lines": [lot_line(item, here, 4), lot_line(plain, here, 1)]},
        headers=org.member,
    )
    named = await org.client.post(
        "/v1/reservations",
        json={"lines": [lot_line(item, here, 1, lot_code="LATE")]},
        headers=org.member,
    )
    too_many = await org.client.post(
        "/v1/reservations", json={"lines": [lot_line(item, here, 4)]}, headers=org.member
    )

    assert created.status_code == 201, created.text
    held, untracked = created.json()["lines"]
    assert [(p["lot_code"], p["quantity"], p["expires_on"]) for p in held["lots"]] == [
        ("SOON", 3, SOON.isoformat()),
        ("LATE", 1, LATER.isoformat()),
    ]
    assert "lots" not in untracked  # untracked lines read as they always did
    assert named.status_code == 201, named.text
    assert too_many.status_code == 409 and too_many.json()["code"] == "insufficient_stock"
    assert {
        code: (row["on_hand"], row["reserved"]) for code, row in (await lots_at(org, item)).items()
    } == {
        "SOON": (3, 3),
        "LATE": (5, 2),
    }
    fetched = await org.client.get(f"/v1/reservations/{created.json()['id']}", headers=org.member)
    assert fetched.json()["lines"] == created.json()["lines"]

    fulfilled = await org.client.post(
        f"/v1/reservations/{created.json()['id']}/fulfil", json={}, headers=org.member
    )
    released = await org.client.post(
        f"/v1/reservations/{named.json()['id']}/release", json={}, headers=org.member
    )

    assert fulfilled.status_code == 200, fulfilled.text
    assert released.status_code == 200, released.text
    assert released.json()["lines"][0]["lots"][0]["released"] == 1
    movement = await org.client.get(
        f"/v1/movements/{fulfilled.json()['movement_id']}", headers=org.member
    )
    shipped = [(line.get("lot_code"), line["delta"]) for line in movement.json()["lines"]]
    assert shipped == [("SOON", -3), ("LATE", -1), (None, -1)]
    assert {
        code: (row["on_hand"], row["reserved"]) for code, row in (await lots_at(org, item)).items()
    } == {
        "SOON": (0, 0),
        "LATE": (4, 0),
    }


async def test_racing_fefo_shipments_never_oversell_and_match_the_ledger(org: Org) -> None:
    item, here = await org.item(tracking="lot"), await org.location()
    for n, (code, on) in enumerate([("A", SOON), ("B", LATER), ("C", SOON), ("D", None)]):
        line = lot_line(item, here, 5 + n, lot_code=code)
        if on is not None:
            line["expires_on"] = on.isoformat()
        else:
            made = await org.client.post(
                "/v1/lots", json={"item_id": item["id"], "code": code}, headers=org.admin
            )
            assert made.status_code == 201
        assert (await post(org, {"type": "receipt", "lines": [line]})).status_code == 201

    answers = await asyncio.gather(
        *[post(org, {"type": "shipment", "lines": [lot_line(item, here, 3)]}) for _ in range(12)]
    )

    shipped = sum(3 for a in answers if a.status_code == 201)
    assert {a.status_code for a in answers} <= {201, 409}
    assert shipped == 24  # 26 on hand: eight shipments of 3 fit, the rest are refused
    level = await org.level(item, here)
    rows = await lots_at(org, item)
    ledger = await org.client.get(
        "/v1/movements", params={"item_id": item["id"], "limit": 200}, headers=org.admin
    )
    per_lot: dict[str, int] = {}
    for document in ledger.json()["items"]:
        for line in document["lines"]:
            per_lot[line["lot_code"]] = per_lot.get(line["lot_code"], 0) + line["delta"]
    assert level["on_hand"] == 26 - shipped == sum(r["on_hand"] for r in rows.values())
    assert {code: r["on_hand"] for code, r in rows.items()} == per_lot
    assert rows["D"]["on_hand"] == 2  # no date: taken last, after A, C (soon) and B (later)


async def test_hold_out_every_figure_matches_the_ledger(org: Org) -> None:
    """Receipts of several lots at two locations, racing FEFO shipments and receipts, a lot
    passing its expiry, its write-off: levels, lots, the sum over lots and the ledger agree."""
    item = await org.item(tracking="lot")
    places = [await org.location(), await org.location()]
    dates = {"P": SOON, "Q": LATER, "R": TODAY, "S": SOON + timedelta(days=1)}
    for place in places:
        for code, on in dates.items():
            await receive(org, item, place, code, 10, on)

    def shipment(place: dict[str, Any], n: int) -> dict[str, Any]:
        return {"type": "shipment", "lines": [lot_line(item, place, n)]}

    def more(place: dict[str, Any], code: str) -> dict[str, Any]:
        return {"type": "receipt", "lines": [lot_line(item, place, 2, lot_code=code)]}

    bodies = [shipment(places[i % 2], 1 + i % 5) for i in range(30)]
    bodies += [more(places[i % 2], "QPRS"[i % 4]) for i in range(8)]
    answers = await asyncio.gather(*[post(org, body) for body in bodies])
    assert {a.status_code for a in answers} <= {201, 409}

    lots = await org.client.get("/v1/lots", params={"item_id": item["id"]}, headers=org.member)
    by_code = {lot["code"]: lot for lot in lots.json()["items"]}
    passed = await org.client.patch(
        f"/v1/lots/{by_code['S']['id']}",
        json={"expires_on": YESTERDAY.isoformat()},
        headers=org.admin,
    )
    assert passed.status_code == 200 and passed.json()["available"] == 0
    levels = {p["id"]: await org.level(item, p) for p in places}
    rows = await lots_at_places(org, item)
    for place in places:
        mine = {code: r for (where, code), r in rows.items() if where == place["id"]}
        level = levels[place["id"]]
        assert level["on_hand"] == sum(r["on_hand"] for r in mine.values())
        assert level["expired"] == mine["S"]["on_hand"]
        assert level["available"] == sum(r["available"] for r in mine.values())
        if mine["S"]["on_hand"]:
            write_off = lot_line(item, place, -mine["S"]["on_hand"], lot_code="S")
            body = {"type": "adjustment", "reason": "expired", "lines": [write_off]}
            assert (await post(org, body)).status_code == 201

    rows = await lots_at_places(org, item)
    ledger = await org.client.get(
        "/v1/movements", params={"item_id": item["id"], "limit": 200}, headers=org.admin
    )
    per_lot: dict[tuple[str, str], int] = {}
    for document in ledger.json()["items"]:
        for line in document["lines"]:
            key = (line["location_id"], line["lot_code"])
            per_lot[key] = per_lot.get(key, 0) + line["delta"]
    assert {key: r["on_hand"] for key, r in rows.items()} == per_lot
    lots = await org.client.get("/v1/lots", params={"item_id": item["id"]}, headers=org.member)
    for lot in lots.json()["items"]:
        assert lot["on_hand"] == sum(n for (_, code), n in per_lot.items() if code == lot["code"])
    for place in places:
        level = await org.level(item, place)
        assert level["expired"] == 0
        assert level["on_hand"] == sum(
            n for (where, _), n in per_lot.items() if where == place["id"]
        )


async def lots_at_places(org: Org, item: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    response = await org.client.get(
        "/v1/stock-levels", params={"item_id": item["id"], "by": "lot"}, headers=org.member
    )
    assert response.status_code == 200, response.text
    return {(r["location_id"], r["lot_code"]): r for r in response.json()["items"]}
