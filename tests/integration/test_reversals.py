"""POST /v1/movements/{id}/reverse through the app."""

from __future__ import annotations

from tests.integration.factories import Org, movement, org_fixture  # noqa: F401


async def test_a_reversal_answers_201_and_links_both_ways(org: Org) -> None:
    item, here = await org.stocked(10)
    posted = await org.client.post(
        "/v1/movements", json=movement("receipt", item, here, 4), headers=org.member
    )
    original = posted.json()["id"]

    response = await org.client.post(
        f"/v1/movements/{original}/reverse",
        json={"note": "keyed twice"},
        headers={**org.admin, "Idempotency-Key": "rev-1"},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/movements/{body['id']}"
    assert (body["type"], body["reverses"], body["note"]) == ("reversal", original, "keyed twice")
    assert [(x["delta"], x["on_hand_after"]) for x in body["lines"]] == [(-4, 10)]
    read = await org.client.get(f"/v1/movements/{original}", headers=org.member)
    assert read.json()["reversed_by"] == body["id"]
    replay = await org.client.post(
        f"/v1/movements/{original}/reverse",
        json={"note": "keyed twice"},
        headers={**org.admin, "Idempotency-Key": "rev-1"},
    )
    assert (replay.status_code, replay.json()) == (201, body)


async def test_a_second_reversal_is_409_naming_the_first(org: Org) -> None:
    item, here = await org.stocked(10)
    posted = await org.client.post(
        "/v1/movements", json=movement("receipt", item, here, 4), headers=org.member
    )
    path = f"/v1/movements/{posted.json()['id']}/reverse"
    first = await org.client.post(path, headers=org.admin)

    second = await org.client.post(path, headers=org.admin)

    assert second.status_code == 409
    assert (second.json()["code"], second.json()["reversed_by"]) == (
        "already_reversed",
        first.json()["id"],
    )


async def test_members_may_not_reverse_and_shipped_stock_cannot_be_taken_back(org: Org) -> None:
    item, here = await org.stocked(2)
    posted = await org.client.post(
        "/v1/movements", json=movement("receipt", item, here, 4), headers=org.member
    )
    ship = movement("shipment", item, here, 5)
    assert (
        await org.client.post("/v1/movements", json=ship, headers=org.member)
    ).status_code == 201
    path = f"/v1/movements/{posted.json()['id']}/reverse"

    member = await org.client.post(path, headers=org.member)
    short = await org.client.post(path, headers=org.admin)

    assert member.status_code == 403
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_stock")


async def test_reversing_an_unknown_movement_is_404(org: Org) -> None:
    response = await org.client.post(
        "/v1/movements/0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10/reverse", headers=org.admin
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
