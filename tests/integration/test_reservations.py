"""/v1/reservations through the app: hold, release, fulfil, extend, list and the errors."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.factories import Org, line, org_fixture, other_org_fixture  # noqa: F401


async def test_reserving_holds_stock_and_answers_201(org: Org) -> None:
    item, location = await org.stocked(10)

    response = await org.client.post(
        "/v1/reservations",
        json={"reference": "SO-1", "lines": [line(item, location, 4)]},
        headers=org.member,
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/reservations/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["reference"], body["status"], body["expires_at"]) == ("SO-1", "active", None)
    assert body["lines"] == [
        {
            "item_id": item["id"],
            "location_id": location["id"],
            "quantity": 4,
            "fulfilled": 0,
            "released": 0,
        }
    ]
    assert body["created_by"].startswith("user_")
    assert (await org.level(item, location))["available"] == 6


async def test_a_ttl_sets_expires_at_in_utc(org: Org) -> None:
    item, location = await org.stocked(1)

    body = await org.reserve(item, location, 1, ttl_seconds=600)

    expires = datetime.fromisoformat(body["expires_at"])
    assert body["expires_at"].endswith("Z")
    assert 590 <= (expires - datetime.now(UTC)).total_seconds() <= 600


async def test_reserving_more_than_available_is_409_with_the_lines(org: Org) -> None:
    item, location = await org.stocked(2)

    response = await org.client.post(
        "/v1/reservations", json={"lines": [line(item, location, 3)]}, headers=org.member
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert response.json()["lines"][0] | {"item_id": "", "location_id": ""} == {
        "item_id": "",
        "location_id": "",
        "requested": 3,
        "available": 2,
    }


async def test_a_reservation_reads_back_with_its_etag(org: Org) -> None:
    item, location = await org.stocked(2)
    reservation = await org.reserve(item, location, 1)

    response = await org.client.get(f"/v1/reservations/{reservation['id']}", headers=org.member)

    assert response.status_code == 200
    assert response.json() == reservation
    assert response.headers["etag"] == '"1"'


async def test_a_partial_release_then_the_rest(org: Org) -> None:
    item, location = await org.stocked(10)
    reservation = await org.reserve(item, location, 5)
    path = f"/v1/reservations/{reservation['id']}/release"

    partial = await org.client.post(
        path, json={"lines": [line(item, location, 2)]}, headers=org.member
    )
    rest = await org.client.post(path, headers=org.member)

    assert partial.status_code == 200
    assert (partial.json()["status"], partial.json()["lines"][0]["released"]) == ("active", 2)
    assert partial.headers["etag"] == '"2"'
    assert rest.status_code == 200
    assert (rest.json()["status"], rest.json()["lines"][0]["released"]) == ("released", 5)
    assert (await org.level(item, location))["available"] == 10


async def test_fulfilling_ships_the_held_stock_and_links_the_movement(org: Org) -> None:
    item, location = await org.stocked(10)
    reservation = await org.reserve(item, location, 4, reference="SO-7")

    response = await org.client.post(
        f"/v1/reservations/{reservation['id']}/fulfil", json={}, headers=org.member
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["lines"][0]["fulfilled"]) == ("fulfilled", 4)
    shipment = await org.client.get(f"/v1/movements/{body['movement_id']}", headers=org.member)
    assert shipment.json()["type"] == "shipment"
    assert shipment.json()["reservation_id"] == reservation["id"]
    assert shipment.json()["reference"] == "SO-7"
    assert shipment.json()["lines"][0]["delta"] == -4
    level = await org.level(item, location)
    assert (level["on_hand"], level["reserved"]) == (6, 0)


async def test_settling_more_than_is_open_is_409(org: Org) -> None:
    item, location = await org.stocked(10)
    reservation = await org.reserve(item, location, 2)

    response = await org.client.post(
        f"/v1/reservations/{reservation['id']}/fulfil",
        json={"lines": [line(item, location, 3)]},
        headers=org.member,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_reservation_state"


async def test_a_settled_reservation_cannot_be_released_fulfilled_or_extended(org: Org) -> None:
    item, location = await org.stocked(3)
    reservation = await org.reserve(item, location, 1)
    path = f"/v1/reservations/{reservation['id']}"
    await org.client.post(f"{path}/release", headers=org.member)

    responses = [
        await org.client.post(f"{path}/release", headers=org.member),
        await org.client.post(f"{path}/fulfil", headers=org.member),
        await org.client.post(f"{path}/extend", json={"ttl_seconds": 60}, headers=org.member),
    ]

    assert [r.status_code for r in responses] == [409, 409, 409]


async def test_extend_sets_a_new_expiry(org: Org) -> None:
    item, location = await org.stocked(3)
    reservation = await org.reserve(item, location, 1, ttl_seconds=60)

    response = await org.client.post(
        f"/v1/reservations/{reservation['id']}/extend",
        json={"ttl_seconds": 3600},
        headers=org.member,
    )

    assert response.status_code == 200
    assert response.json()["expires_at"] > reservation["expires_at"]
    assert response.headers["etag"] == '"2"'


async def test_invalid_reservation_bodies_are_422(org: Org) -> None:
    item, location = await org.stocked(3)
    reservation = await org.reserve(item, location, 1)
    path = f"/v1/reservations/{reservation['id']}"

    responses = [
        await org.client.post("/v1/reservations", json={"lines": []}, headers=org.member),
        await org.client.post(
            "/v1/reservations",
            json={"lines": [line(item, location, 1)], "ttl_seconds": 0},
            headers=org.member,
        ),
        await org.client.post(
            "/v1/reservations",
            json={"lines": [line(item, location, 1), line(item, location, 1)]},
            headers=org.member,
        ),
        await org.client.post(f"{path}/extend", json={}, headers=org.member),
        await org.client.post(f"{path}/extend", json={"ttl_seconds": "60"}, headers=org.member),
        await org.client.post(f"{path}/release", json={"lines": []}, headers=org.member),
    ]

    assert [r.status_code for r in responses] == [422] * 6


async def test_another_orgs_reservation_is_not_found(org: Org, other_org: Org) -> None:
    item, location = await org.stocked(3)
    reservation = await org.reserve(item, location, 1)
    path = f"/v1/reservations/{reservation['id']}"

    responses = [
        await org.client.get(path, headers=other_org.member),
        await org.client.post(f"{path}/release", headers=other_org.member),
        await org.client.post(f"{path}/fulfil", headers=other_org.member),
        await org.client.post(f"{path}/extend", json={"ttl_seconds": 5}, headers=other_org.member),
        await org.client.post(
            "/v1/reservations", json={"lines": [line(item, location, 1)]}, headers=other_org.member
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert (await org.client.get(path, headers=org.member)).json()["status"] == "active"


async def test_reservations_list_and_filter_by_status_and_reference(org: Org) -> None:
    item, location = await org.stocked(10)
    kept = await org.reserve(item, location, 1, reference="A")
    gone = await org.reserve(item, location, 1, reference="B")
    await org.client.post(f"/v1/reservations/{gone['id']}/release", headers=org.member)

    async def ids(**params: str) -> list[str]:
        response = await org.client.get("/v1/reservations", params=params, headers=org.member)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert await ids() == [kept["id"], gone["id"]]
    assert await ids(status="active") == [kept["id"]]
    assert await ids(status="released") == [gone["id"]]
    assert await ids(reference="B") == [gone["id"]]
    assert await ids(status="expired") == []


async def test_a_bad_status_filter_is_422(org: Org) -> None:
    response = await org.client.get(
        "/v1/reservations", params={"status": "pending"}, headers=org.member
    )

    assert response.status_code == 422
