"""/v1/webhooks through the app: management, the secret shown once, test pings verified by a
real receiver, deliveries and redelivery, permissions and destination refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from fastapi import FastAPI

from application.webhooks.delivery import DeliveryTiming
from tests.integration.conftest import client_for, new_org_id, started
from tests.integration.factories import Org, org_fixture  # noqa: F401
from tests.webhook_receiver import Receiver, running_receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as receiver:
        yield receiver


async def made(org: Org, receiver: Receiver, path: str = "/hook", **fields: Any) -> dict[str, Any]:
    body = {"url": receiver.url(path), "types": ["item.created"], **fields}
    response = await org.client.post("/v1/webhooks", json=body, headers=org.admin)
    assert response.status_code == 201, response.text
    created = dict(response.json())
    receiver.secrets[path] = created["secret"]
    return created


async def test_creating_a_webhook_shows_its_secret_once(org: Org, receiver: Receiver) -> None:
    response = await org.client.post(
        "/v1/webhooks",
        json={"url": receiver.url(), "types": ["stock_level.low"], "description": "alerts"},
        headers=org.admin,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert response.headers["location"] == f"/v1/webhooks/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["types"], body["enabled"], body["description"]) == (
        ["stock_level.low"],
        True,
        "alerts",
    )
    read = (await org.client.get(f"/v1/webhooks/{body['id']}", headers=org.admin)).json()
    listed = (await org.client.get("/v1/webhooks", headers=org.admin)).json()["items"]
    assert "secret" not in read and read == {k: v for k, v in body.items() if k != "secret"}
    assert listed == [read]


async def test_update_rotate_and_delete(org: Org, receiver: Receiver) -> None:
    hook = await made(org, receiver)
    path = f"/v1/webhooks/{hook['id']}"
    stale = await org.client.patch(
        path, json={"enabled": False}, headers={**org.admin, "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    changed = await org.client.patch(
        path,
        json={"enabled": False, "types": ["item.created", "item.archived"]},
        headers={**org.admin, "If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'
    assert changed.json()["enabled"] is False
    assert changed.json()["types"] == ["item.archived", "item.created"]
    rotated = await org.client.post(f"{path}/rotate-secret", headers=org.admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != hook["secret"]
    assert (await org.client.delete(path, headers=org.admin)).status_code == 204
    assert (await org.client.get(path, headers=org.admin)).status_code == 404


async def test_a_test_ping_is_signed_with_the_current_secret(org: Org, receiver: Receiver) -> None:
    hook = await made(org, receiver)
    rotated = await org.client.post(f"/v1/webhooks/{hook['id']}/rotate-secret", headers=org.admin)
    receiver.secrets["/hook"] = rotated.json()["secret"]

    response = await org.client.post(f"/v1/webhooks/{hook['id']}/test", headers=org.admin)

    assert response.status_code == 200
    assert response.json()["delivered"] is True and response.json()["status_code"] == 204
    [ping] = receiver.received
    assert ping.verified and ping.event["type"] == "webhook.test"
    assert ping.event["subject"] == {"type": "webhook", "id": hook["id"]}


async def test_the_worker_delivers_and_an_admin_can_ask_for_a_redelivery(
    app: FastAPI, org: Org, receiver: Receiver
) -> None:
    hook = await made(org, receiver)
    item = await org.item()
    worker = started(app).service.deliver_webhooks
    worker.timing = DeliveryTiming()

    async def deliver_until(count: int) -> None:
        for _ in range(200):
            if len(receiver.received) >= count:
                return
            await worker.deliver_next()
        raise AssertionError("not delivered")

    await deliver_until(1)
    deliveries = f"/v1/webhooks/{hook['id']}/deliveries"
    [delivery] = (await org.client.get(deliveries, headers=org.admin)).json()["items"]
    assert delivery["status"] == "delivered" and delivery["event_type"] == "item.created"
    assert delivery["attempts"][0]["status_code"] == 204

    again = await org.client.post(f"{deliveries}/{delivery['id']}/redeliver", headers=org.admin)
    assert again.status_code == 202 and again.json()["manual"] is True
    await deliver_until(2)

    first, second = receiver.received
    assert first.verified and second.verified
    assert first.webhook_id == second.webhook_id == delivery["event_id"]
    assert first.event["data"] == item


async def test_members_may_not_manage_webhooks(org: Org, receiver: Receiver) -> None:
    body = {"url": receiver.url(), "types": ["item.created"]}
    response = await org.client.post("/v1/webhooks", json=body, headers=org.member)
    assert response.status_code == 403
    assert (await org.client.get("/v1/webhooks", headers=org.member)).status_code == 403


async def test_unknown_types_are_422_without_echo(org: Org, receiver: Receiver) -> None:
    body = {"url": receiver.url(), "types": ["item.teleported"]}
    response = await org.client.post("/v1/webhooks", json=body, headers=org.admin)
    assert response.status_code == 422
    assert "teleported" not in response.text


async def test_private_destinations_are_refused_when_the_setting_says_so(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
    make_token: Callable[..., str],
    receiver: Receiver,
) -> None:
    async with start_app(webhook_allow_private=False) as strict, client_for(strict) as client:
        issuer = strict.state.stockroom.dev_issuer
        token = issuer.mint(user_id="u", org_id=new_org_id(), role="admin", email=None)
        response = await client.post(
            "/v1/webhooks",
            json={"url": receiver.url(), "types": ["item.created"]},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 422
    assert response.json()["code"] == "destination_refused"
    assert receiver.received == []
