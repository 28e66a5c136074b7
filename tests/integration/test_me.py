"""GET /v1/me: the caller as its token describes it, with or without an organization."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.integration.conftest import MakeToken


async def test_me_describes_an_admin_of_an_org(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    token = make_token(org_id="org_acme", role="admin", user_id="u_1", email="ann@example.com")

    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {
        "user_id": "u_1",
        "email": "ann@example.com",
        "org_id": "org_acme",
        "role": "admin",
        "permissions": [
            "adjust_stock",
            "count_stock",
            "manage_catalog",
            "manage_webhooks",
            "move_stock",
            "read",
            "reserve",
        ],
    }


async def test_me_works_without_an_organization(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    token = make_token(org_id=None, role=None, user_id="u_2")

    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    body = response.json()
    assert (body["org_id"], body["role"], body["permissions"]) == (None, None, [])


async def test_a_member_gets_member_permissions_only(
    client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = await client.get("/v1/me", headers=auth(role="member"))

    assert response.json()["permissions"] == ["count_stock", "move_stock", "read", "reserve"]


async def test_the_strongest_of_several_roles_wins(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    token = make_token(role="member,admin")

    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.json()["role"] == "admin"


async def test_an_unknown_role_has_no_permissions(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    token = make_token(role="auditor")

    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert (response.json()["role"], response.json()["permissions"]) == (None, [])


async def test_me_is_not_cacheable(
    client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = await client.get("/v1/me", headers=auth())

    assert response.headers["cache-control"] == "no-store"
