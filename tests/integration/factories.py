"""Test data through the API: an ``Org`` with admin and member headers and builders.

Test modules import the ``org``/``other_org`` fixtures by their function names
(``org_fixture``, ``other_org_fixture``) so the parameter names do not shadow an import.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.conftest import new_org_id


@dataclass
class Org:
    """A fresh organization seen through the API, as its admin unless told otherwise."""

    client: httpx.AsyncClient
    id: str
    admin: dict[str, str]
    member: dict[str, str]

    async def item(self, **fields: Any) -> dict[str, Any]:
        body = {"sku": f"SKU-{secrets.token_hex(4)}", "name": "Widget", **fields}
        return await self._created("/v1/items", body)

    async def location(self, **fields: Any) -> dict[str, Any]:
        body = {"code": f"LOC-{secrets.token_hex(4)}", "name": "Warehouse", **fields}
        return await self._created("/v1/locations", body)

    async def receive(self, item: dict[str, Any], location: dict[str, Any], quantity: int) -> None:
        await self._created("/v1/movements", movement("receipt", item, location, quantity))

    async def stocked(self, quantity: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """A new item with ``quantity`` on hand at a new location."""
        item, location = await self.item(), await self.location()
        await self.receive(item, location, quantity)
        return item, location

    async def reserve(
        self, item: dict[str, Any], location: dict[str, Any], quantity: int, **fields: Any
    ) -> dict[str, Any]:
        body = {"lines": [line(item, location, quantity)], **fields}
        return await self._created("/v1/reservations", body)

    async def level(self, item: dict[str, Any], location: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.get(
            "/v1/stock-levels",
            params={"item_id": item["id"], "location_id": location["id"]},
            headers=self.admin,
        )
        assert response.status_code == 200, response.text
        [level] = response.json()["items"]
        return dict(level)

    async def _created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return dict(response.json())


def line(item: dict[str, Any], location: dict[str, Any], quantity: int) -> dict[str, Any]:
    """A ``{item_id, location_id, quantity}`` line."""
    return {"item_id": item["id"], "location_id": location["id"], "quantity": quantity}


def movement(
    kind: str, item: dict[str, Any], location: dict[str, Any], quantity: int, **fields: Any
) -> dict[str, Any]:
    """A one-line receipt, shipment or adjustment body."""
    return {"type": kind, "lines": [line(item, location, quantity)], **fields}


@pytest.fixture(name="org")
def org_fixture(client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]) -> Org:
    """A fresh organization with an admin and a member."""
    org_id = new_org_id()
    return Org(client, org_id, auth(org_id, "admin"), auth(org_id, "member"))


@pytest.fixture(name="other_org")
def other_org_fixture(client: httpx.AsyncClient, auth: Callable[..., dict[str, str]]) -> Org:
    """A second organization, to prove the first one's data stays invisible to it."""
    org_id = new_org_id()
    return Org(client, org_id, auth(org_id, "admin"), auth(org_id, "member"))
