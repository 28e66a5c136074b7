"""/v1/items through the app: create, read, list, update with If-Match, archive."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.factories import Org, org_fixture, other_org_fixture  # noqa: F401


async def test_creating_an_item_answers_201_with_location_and_etag(org: Org) -> None:
    response = await org.client.post(
        "/v1/items",
        json={"sku": "WIDGET-1", "name": " Blue widget ", "reorder_point": 10},
        headers=org.admin,
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/items/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["sku"] == "WIDGET-1"
    assert body["name"] == "Blue widget"
    assert (body["unit"], body["description"], body["reorder_point"]) == ("each", None, 10)
    assert (body["archived"], body["version"]) == (False, 1)
    assert body["created_at"].endswith("Z")
    uuid.UUID(body["id"])


async def test_an_item_reads_back_with_its_etag(org: Org) -> None:
    item = await org.item()

    response = await org.client.get(f"/v1/items/{item['id']}", headers=org.member)

    assert response.status_code == 200
    assert response.json() == item
    assert response.headers["etag"] == '"1"'


async def test_a_duplicate_sku_is_a_409_conflict_whatever_its_case(org: Org) -> None:
    await org.item(sku="dup-1")

    response = await org.client.post(
        "/v1/items", json={"sku": "DUP-1", "name": "Again"}, headers=org.admin
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "conflict"


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "bad sku!", "name": "x"},
        {"sku": "OK-1", "name": ""},
        {"sku": "OK-1", "name": "   "},
        {"sku": "OK-1", "name": "x", "reorder_point": "5"},
        {"sku": "OK-1", "name": "x", "reorder_point": 5.0},
        {"sku": "OK-1", "name": "x", "reorder_point": True},
        {"sku": "OK-1", "name": "x", "reorder_point": -1},
        {"sku": "OK-1", "name": "x", "colour": "blue"},
        {"name": "no sku"},
    ],
)
async def test_an_invalid_item_is_a_422_problem(org: Org, body: dict[str, object]) -> None:
    response = await org.client.post("/v1/items", json=body, headers=org.admin)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_failed"


async def test_a_member_may_read_but_not_create_items(org: Org) -> None:
    created = await org.client.post(
        "/v1/items", json={"sku": "M-1", "name": "x"}, headers=org.member
    )
    listed = await org.client.get("/v1/items", headers=org.member)

    assert created.status_code == 403
    assert created.json()["code"] == "forbidden"
    assert listed.status_code == 200


async def test_items_need_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/items")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_another_orgs_item_is_not_found(org: Org, other_org: Org) -> None:
    item = await org.item()
    path = f"/v1/items/{item['id']}"

    read = await org.client.get(path, headers=other_org.admin)
    changed = await org.client.patch(path, json={"name": "Mine"}, headers=other_org.admin)
    archived = await org.client.delete(path, headers=other_org.admin)

    assert [r.status_code for r in (read, changed, archived)] == [404, 404, 404]
    assert (await org.client.get(path, headers=org.admin)).json() == item


async def test_a_malformed_item_id_is_a_422_problem(org: Org) -> None:
    response = await org.client.get("/v1/items/not-a-uuid", headers=org.admin)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_patch_changes_only_the_fields_sent_and_null_clears(org: Org) -> None:
    item = await org.item(description="old", reorder_point=5, unit="kg")

    response = await org.client.patch(
        f"/v1/items/{item['id']}",
        json={"name": "Renamed", "description": None},
        headers={**org.admin, "If-Match": '"1"'},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["description"], body["reorder_point"], body["unit"]) == (
        "Renamed",
        None,
        5,
        "kg",
    )
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'


async def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(org: Org) -> None:
    item = await org.item()
    path = f"/v1/items/{item['id']}"
    await org.client.patch(path, json={"name": "First"}, headers=org.admin)

    response = await org.client.patch(
        path, json={"name": "Second"}, headers={**org.admin, "If-Match": '"1"'}
    )

    assert response.status_code == 412
    assert response.json()["code"] == "version_mismatch"
    assert (await org.client.get(path, headers=org.admin)).json()["name"] == "First"


async def test_a_member_may_not_patch_or_archive(org: Org) -> None:
    item = await org.item()
    path = f"/v1/items/{item['id']}"

    patched = await org.client.patch(path, json={"name": "x"}, headers=org.member)
    archived = await org.client.delete(path, headers=org.member)

    assert (patched.status_code, archived.status_code) == (403, 403)


async def test_delete_archives_and_returns_the_archived_item(org: Org) -> None:
    item = await org.item()
    path = f"/v1/items/{item['id']}"

    response = await org.client.delete(path, headers={**org.admin, "If-Match": '"1"'})

    assert response.status_code == 200
    assert response.json()["archived"] is True
    assert response.headers["etag"] == '"2"'
    assert (await org.client.get(path, headers=org.admin)).json()["archived"] is True


async def test_delete_with_a_stale_if_match_is_412(org: Org) -> None:
    item = await org.item()

    response = await org.client.delete(
        f"/v1/items/{item['id']}", headers={**org.admin, "If-Match": '"7"'}
    )

    assert response.status_code == 412
    after = await org.client.get(f"/v1/items/{item['id']}", headers=org.admin)
    assert after.json()["archived"] is False


async def test_an_archived_item_takes_no_new_stock(org: Org) -> None:
    item, location = await org.item(), await org.location()
    await org.client.delete(f"/v1/items/{item['id']}", headers=org.admin)

    response = await org.client.post(
        "/v1/movements",
        json={
            "type": "receipt",
            "lines": [{"item_id": item["id"], "location_id": location["id"], "quantity": 1}],
        },
        headers=org.admin,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


async def test_items_list_in_sku_order(org: Org) -> None:
    for sku in ("b-2", "A-1", "c-3"):
        await org.item(sku=sku)

    response = await org.client.get("/v1/items", headers=org.admin)

    assert response.status_code == 200
    body = response.json()
    assert [i["sku"] for i in body["items"]] == ["A-1", "b-2", "c-3"]
    assert body["next_cursor"] is None
