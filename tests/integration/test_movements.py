"""/v1/movements through the app: every type, all-or-nothing, permissions and the filters."""

from __future__ import annotations

import psycopg
import pytest

from tests.integration.factories import Org, line, movement, org_fixture, other_org_fixture  # noqa: F401


async def test_a_receipt_is_recorded_with_its_ledger_lines(org: Org) -> None:
    item, location = await org.item(), await org.location()

    response = await org.client.post(
        "/v1/movements",
        json=movement("receipt", item, location, 12, reference="PO-1", note="first"),
        headers=org.member,
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/movements/{body['id']}"
    assert (body["type"], body["reason"], body["reference"], body["note"]) == (
        "receipt",
        None,
        "PO-1",
        "first",
    )
    assert body["lines"] == [
        {"item_id": item["id"], "location_id": location["id"], "delta": 12, "on_hand_after": 12}
    ]
    assert body["actor"].startswith("user_")
    assert body["created_at"].endswith("Z")
    fetched = await org.client.get(response.headers["location"], headers=org.member)
    assert fetched.json() == body


@pytest.mark.parametrize(("sent", "stored"), [("  PO-7\t", "PO-7"), ("   ", None), ("", None)])
async def test_references_are_trimmed_and_blank_ones_dropped_as_on_reservations(
    org: Org, sent: str, stored: str | None
) -> None:
    item, location = await org.item(), await org.location()
    posted = await org.client.post(
        "/v1/movements",
        json=movement("receipt", item, location, 5, reference=sent, note=sent),
        headers=org.member,
    )
    held = await org.client.post(
        "/v1/reservations",
        json={"reference": sent, "lines": [line(item, location, 1)]},
        headers=org.member,
    )

    assert posted.status_code == held.status_code == 201
    assert posted.json()["reference"] == held.json()["reference"] == stored
    assert posted.json()["note"] == stored
    if stored is not None:
        found = await org.client.get(
            "/v1/movements", params={"reference": stored}, headers=org.member
        )
        assert [m["id"] for m in found.json()["items"]] == [posted.json()["id"]]


async def test_a_transfer_yields_an_out_and_an_in_line(org: Org) -> None:
    item, source = await org.stocked(10)
    target = await org.location()

    response = await org.client.post(
        "/v1/movements",
        json={
            "type": "transfer",
            "lines": [
                {
                    "item_id": item["id"],
                    "from_location_id": source["id"],
                    "to_location_id": target["id"],
                    "quantity": 4,
                }
            ],
        },
        headers=org.member,
    )

    assert response.status_code == 201
    assert [
        (x["location_id"], x["delta"], x["on_hand_after"]) for x in response.json()["lines"]
    ] == [
        (source["id"], -4, 6),
        (target["id"], 4, 4),
    ]


async def test_an_adjustment_needs_a_reason_and_an_admin(org: Org) -> None:
    item, location = await org.stocked(10)
    body = movement("adjustment", item, location, -3, reason="damaged")

    missing_reason = await org.client.post(
        "/v1/movements", json=movement("adjustment", item, location, -3), headers=org.admin
    )
    as_member = await org.client.post("/v1/movements", json=body, headers=org.member)
    as_admin = await org.client.post("/v1/movements", json=body, headers=org.admin)

    assert missing_reason.status_code == 422
    assert as_member.status_code == 403
    assert as_admin.status_code == 201
    assert as_admin.json()["reason"] == "damaged"
    assert as_admin.json()["lines"][0]["on_hand_after"] == 7


async def test_a_count_sets_on_hand_and_records_the_difference(org: Org) -> None:
    item, location = await org.stocked(10)
    count = {
        "type": "count",
        "lines": [
            {
                "item_id": item["id"],
                "location_id": location["id"],
                "counted": 8,
                "expected_on_hand": 10,
            }
        ],
    }

    as_member = await org.client.post("/v1/movements", json=count, headers=org.member)
    response = await org.client.post("/v1/movements", json=count, headers=org.admin)
    again = await org.client.post("/v1/movements", json=count, headers=org.admin)

    assert as_member.status_code == 403
    assert response.status_code == 201
    assert response.json()["lines"][0] | {"item_id": 0, "location_id": 0} == {
        "item_id": 0,
        "location_id": 0,
        "delta": -2,
        "on_hand_after": 8,
    }
    assert again.status_code == 409
    assert again.json()["code"] == "count_mismatch"


async def test_shipping_more_than_available_is_409_with_the_lines(org: Org) -> None:
    item, location = await org.stocked(5)
    await org.reserve(item, location, 3)

    response = await org.client.post(
        "/v1/movements", json=movement("shipment", item, location, 4), headers=org.member
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["lines"] == [
        {"item_id": item["id"], "location_id": location["id"], "requested": 4, "available": 2}
    ]
    assert (await org.level(item, location))["on_hand"] == 5


async def test_counting_below_reserved_is_a_reserved_stock_conflict(org: Org) -> None:
    item, location = await org.stocked(5)
    await org.reserve(item, location, 3)
    count = {
        "type": "count",
        "lines": [{"item_id": item["id"], "location_id": location["id"], "counted": 1}],
    }

    response = await org.client.post("/v1/movements", json=count, headers=org.admin)

    assert response.status_code == 409
    assert response.json()["code"] == "reserved_stock_conflict"


async def test_a_multi_line_movement_is_all_or_nothing(org: Org) -> None:
    item, location = await org.stocked(5)
    poor = await org.item()
    await org.receive(poor, location, 1)

    response = await org.client.post(
        "/v1/movements",
        json={"type": "shipment", "lines": [line(item, location, 2), line(poor, location, 2)]},
        headers=org.member,
    )

    assert response.status_code == 409
    assert (await org.level(item, location))["on_hand"] == 5


@pytest.mark.parametrize("quantity", ["5", 5.0, 2.5, True, 0, -1, None, 10**13])
async def test_receipt_quantities_are_strict_positive_integers(org: Org, quantity: object) -> None:
    item, location = await org.item(), await org.location()

    response = await org.client.post(
        "/v1/movements",
        json=movement("receipt", item, location, 1)
        | {"lines": [{"item_id": item["id"], "location_id": location["id"], "quantity": quantity}]},
        headers=org.admin,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    "body",
    [
        {"type": "teleport", "lines": []},
        {"type": "receipt", "lines": []},
        {"type": "receipt", "reason": "found", "lines": []},
        {"type": "adjustment", "reason": "because", "lines": []},
        {"lines": []},
    ],
)
async def test_malformed_movements_are_422(org: Org, body: dict[str, object]) -> None:
    response = await org.client.post("/v1/movements", json=body, headers=org.admin)

    assert response.status_code == 422


async def test_an_adjustment_of_zero_is_422(org: Org) -> None:
    item, location = await org.stocked(1)

    response = await org.client.post(
        "/v1/movements",
        json=movement("adjustment", item, location, 0, reason="other"),
        headers=org.admin,
    )

    assert response.status_code == 422


async def test_more_than_500_lines_is_422(org: Org) -> None:
    item, location = await org.item(), await org.location()
    body = {"type": "receipt", "lines": [line(item, location, 1)] * 501}

    response = await org.client.post("/v1/movements", json=body, headers=org.admin)

    assert response.status_code == 422


async def test_a_transfer_to_the_same_location_is_422(org: Org) -> None:
    item, location = await org.stocked(3)
    body = {
        "type": "transfer",
        "lines": [
            {
                "item_id": item["id"],
                "from_location_id": location["id"],
                "to_location_id": location["id"],
                "quantity": 1,
            }
        ],
    }

    response = await org.client.post("/v1/movements", json=body, headers=org.admin)

    assert response.status_code == 422


async def test_another_orgs_items_and_movements_are_not_found(org: Org, other_org: Org) -> None:
    item, location = await org.stocked(3)
    [receipt] = (await org.client.get("/v1/movements", headers=org.admin)).json()["items"]

    post = await org.client.post(
        "/v1/movements", json=movement("shipment", item, location, 1), headers=other_org.admin
    )
    read = await org.client.get(f"/v1/movements/{receipt['id']}", headers=other_org.admin)
    listed = await org.client.get("/v1/movements", headers=other_org.admin)

    assert (post.status_code, read.status_code) == (404, 404)
    assert listed.json()["items"] == []


async def test_the_ledger_filters_by_item_location_type_reference_and_time(org: Org) -> None:
    item, here = await org.stocked(10)
    there = await org.location()
    await org.client.post(
        "/v1/movements",
        json=movement("shipment", item, here, 1, reference="SO-9"),
        headers=org.admin,
    )
    await org.receive(item, there, 2)

    async def types(**params: str) -> list[str]:
        response = await org.client.get("/v1/movements", params=params, headers=org.member)
        assert response.status_code == 200, response.text
        return [m["type"] for m in response.json()["items"]]

    everything = (await org.client.get("/v1/movements", headers=org.admin)).json()["items"]
    first, last = everything[0]["created_at"], everything[-1]["created_at"]
    assert await types() == ["receipt", "shipment", "receipt"]
    assert await types(location_id=there["id"]) == ["receipt"]
    assert await types(item_id=item["id"], type="shipment") == ["shipment"]
    assert await types(reference="SO-9") == ["shipment"]
    assert await types(since=first) == ["receipt", "shipment", "receipt"]
    assert await types(until=first) == []
    assert await types(since=last, until="2999-01-01T00:00:00+00:00") == ["receipt"]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-01-01T00:00:00"},
        {"until": "yesterday"},
        {"type": "gift"},
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"cursor": "not-a-cursor"},
        {"limit": 201},
    ],
)
async def test_bad_ledger_filters_are_422(org: Org, params: dict[str, str]) -> None:
    response = await org.client.get("/v1/movements", params=params, headers=org.admin)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_unknown_movement_is_404(org: Org) -> None:
    response = await org.client.get(
        "/v1/movements/00000000-0000-4000-8000-000000000000", headers=org.admin
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_stock_past_what_a_level_can_hold_is_409_quantity_out_of_range(
    org: Org, database_url: str
) -> None:
    item, location = await org.stocked(1)
    with psycopg.connect(database_url) as conn:  # no client can get a level this full
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org.id])
        conn.execute("UPDATE stock_levels SET on_hand = %s WHERE org_id = %s", [2**63 - 2, org.id])

    response = await org.client.post(
        "/v1/movements", json=movement("receipt", item, location, 5), headers=org.member
    )

    assert response.status_code == 409, response.text
    assert response.json()["code"] == "quantity_out_of_range"
    assert (await org.level(item, location))["on_hand"] == 2**63 - 2
