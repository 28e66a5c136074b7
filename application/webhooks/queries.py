"""Admins read webhook endpoints and their deliveries, ask for a redelivery, send a test ping."""

from __future__ import annotations

import json
from uuid import UUID

from application.events import webhook_data
from application.pagination import Keyset, Page, PageRequest, page_of, time_part, uuid_part
from application.principal import Permission, Principal
from application.use_cases.base import Deps
from application.webhooks.manage import WebhookUseCase
from application.webhooks.ports import Attempt, Delivery, Destinations, SecretBox, WebhookSender
from domain.errors import NotFound
from domain.webhooks import Webhook

TEST_EVENT_TYPE = "webhook.test"


def webhook_sort_key(webhook: Webhook) -> tuple[str, ...]:
    """Endpoints list oldest first, ties broken by id."""
    return (webhook.created_at.isoformat(), str(webhook.id))


def delivery_sort_key(delivery: Delivery) -> tuple[str, ...]:
    """Deliveries list newest first (the cursor is the last one seen)."""
    return (delivery.created_at.isoformat(), str(delivery.id))


WEBHOOKS: Keyset[Webhook] = Keyset("webhooks", webhook_sort_key, (time_part, uuid_part))
DELIVERIES: Keyset[Delivery] = Keyset("deliveries", delivery_sort_key, (time_part, uuid_part))


class GetWebhookHandler(WebhookUseCase):
    """One endpoint of the caller's org (admin, owner); never its secret."""

    async def __call__(self, principal: Principal, webhook_id: UUID) -> Webhook:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            webhook = await uow.webhooks.get(webhook_id)
        if webhook is None:
            raise NotFound(f"webhook {webhook_id} not found", resource="webhook")
        return webhook


class ListWebhooksHandler(WebhookUseCase):
    """The org's endpoints, oldest first (admin, owner)."""

    async def __call__(
        self, principal: Principal, limit: int | None, cursor: str | None
    ) -> Page[Webhook]:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        request = PageRequest.parse(limit, cursor, WEBHOOKS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            rows = await uow.webhooks.list(request)
        return page_of(rows, request, WEBHOOKS)


class ListDeliveriesHandler(WebhookUseCase):
    """An endpoint's deliveries, newest first, each with its attempts (admin, owner)."""

    async def __call__(
        self, principal: Principal, webhook_id: UUID, limit: int | None, cursor: str | None
    ) -> Page[Delivery]:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        request = PageRequest.parse(limit, cursor, DELIVERIES)
        async with self.deps.uow(org_id) as uow:
            if await uow.webhooks.get(webhook_id) is None:
                raise NotFound(f"webhook {webhook_id} not found", resource="webhook")
            rows = await uow.webhooks.deliveries(webhook_id, request)
        return page_of(rows, request, DELIVERIES)


class RedeliverHandler(WebhookUseCase):
    """Send a delivery's event again, as a new delivery, before the endpoint's next event
    (admin, owner). It carries the same ``webhook-id``: receivers that deduplicate skip it."""

    async def __call__(self, principal: Principal, webhook_id: UUID, delivery_id: UUID) -> Delivery:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            delivery = await uow.webhooks.delivery(webhook_id, delivery_id)
            if delivery is None:
                raise NotFound(f"delivery {delivery_id} not found", resource="delivery")
            again = await uow.webhooks.redeliver(delivery, self.deps.ids.new_id(), now)
            await uow.commit()
            return again


class TestWebhookHandler(WebhookUseCase):
    """Send a signed ``webhook.test`` ping to the endpoint now and report the attempt (admin,
    owner). Nothing is recorded and the feed is untouched."""

    __test__ = False  # not a pytest class

    def __init__(
        self, deps: Deps, secrets: SecretBox, destinations: Destinations, sender: WebhookSender
    ) -> None:
        super().__init__(deps, secrets, destinations)
        self.sender = sender

    async def __call__(self, principal: Principal, webhook_id: UUID) -> Attempt:
        org_id = principal.require(Permission.MANAGE_WEBHOOKS)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id, read_only=True) as uow:
            webhook = await uow.webhooks.get(webhook_id)
            sealed = None if webhook is None else await uow.webhooks.sealed_secret(webhook_id)
        if webhook is None or sealed is None:
            raise NotFound(f"webhook {webhook_id} not found", resource="webhook")
        await self.destinations.check(webhook.url)
        ping_id = self.deps.ids.new_id()
        body = {
            "id": str(ping_id),
            "type": TEST_EVENT_TYPE,
            "occurred_at": now.isoformat().replace("+00:00", "Z"),
            "subject": {"type": "webhook", "id": str(webhook.id)},
            "data": webhook_data(webhook),
        }
        payload = json.dumps(body, separators=(",", ":")).encode()
        secret = self.secrets.open(sealed)
        return await self.sender.send(webhook.url, secret, str(ping_id), payload, now)
