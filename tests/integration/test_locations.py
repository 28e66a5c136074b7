"""/v1/locations through the app: create, read, list, update with If-Match, archive."""

from __future__ import annotations

from tests.integration.factories import Org, org_fixture, other_org_fixture  # noqa: F401


async def test_creating_a_location_defaults_to_a_warehouse(org: Org) -> None:
    response = await org.client.post(
        "/v1/locations", json={"code": "MAIN", "name": "Main"}, headers=org.admin
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/locations/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["code"], body["kind"], body["archived"], body["version"]) == (
        "MAIN",
        "warehouse",
        False,
        1,
    )


async def test_a_location_reads_back(org: Org) -> None:
    location = await org.location(kind="bin")

    response = await org.client.get(f"/v1/locations/{location['id']}", headers=org.member)

    assert response.status_code == 200
    assert response.json() == location
    assert response.headers["etag"] == '"1"'


async def test_an_unknown_kind_or_extra_field_is_422(org: Org) -> None:
    bad_kind = await org.client.post(
        "/v1/locations", json={"code": "X", "name": "x", "kind": "moon"}, headers=org.admin
    )
    extra = await org.client.post(
        "/v1/locations", json={"code": "X", "name": "x", "size": 3}, headers=org.admin
    )

    assert (bad_kind.status_code, extra.status_code) == (422, 422)


async def test_a_duplicate_code_is_409(org: Org) -> None:
    await org.location(code="DOCK")

    response = await org.client.post(
        "/v1/locations", json={"code": "dock", "name": "x"}, headers=org.admin
    )

    assert response.status_code == 409


async def test_a_member_may_not_create_update_or_archive(org: Org) -> None:
    location = await org.location()
    path = f"/v1/locations/{location['id']}"

    created = await org.client.post(
        "/v1/locations", json={"code": "M", "name": "x"}, headers=org.member
    )
    patched = await org.client.patch(path, json={"name": "x"}, headers=org.member)
    archived = await org.client.delete(path, headers=org.member)

    assert [r.status_code for r in (created, patched, archived)] == [403, 403, 403]


async def test_patch_renames_and_rekinds_under_if_match(org: Org) -> None:
    location = await org.location()
    path = f"/v1/locations/{location['id']}"

    response = await org.client.patch(
        path, json={"name": "Shop", "kind": "store"}, headers={**org.admin, "If-Match": '"1"'}
    )
    stale = await org.client.patch(
        path, json={"name": "Lost"}, headers={**org.admin, "If-Match": '"1"'}
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["kind"]) == ("Shop", "store")
    assert response.headers["etag"] == '"2"'
    assert stale.status_code == 412
    assert (await org.client.get(path, headers=org.admin)).json()["name"] == "Shop"


async def test_delete_archives_the_location(org: Org) -> None:
    location = await org.location()

    response = await org.client.delete(f"/v1/locations/{location['id']}", headers=org.admin)

    assert response.status_code == 200
    assert response.json()["archived"] is True
    assert response.headers["etag"] == '"2"'


async def test_another_orgs_location_is_not_found(org: Org, other_org: Org) -> None:
    location = await org.location()
    path = f"/v1/locations/{location['id']}"

    responses = [
        await org.client.get(path, headers=other_org.admin),
        await org.client.patch(path, json={"name": "x"}, headers=other_org.admin),
        await org.client.delete(path, headers=other_org.admin),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert (await org.client.get("/v1/locations", headers=other_org.admin)).json()["items"] == []


async def test_locations_list_in_code_order(org: Org) -> None:
    for code in ("b", "C", "a"):
        await org.location(code=code)

    response = await org.client.get("/v1/locations", headers=org.member)

    assert [x["code"] for x in response.json()["items"]] == ["a", "b", "C"]
