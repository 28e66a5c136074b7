"""In-memory webhook endpoints, deliveries and the delivery queue: the Postgres adapter's twin."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from adapters.memory.state import InMemoryDatabase, OrgState
from application.events import event_payload
from application.pagination import PageRequest
from application.webhooks.ports import (
    Attempt,
    Delivery,
    Lease,
    Outgoing,
    Verdict,
    WebhookLeases,
    Webhooks,
)
from application.webhooks.queries import delivery_sort_key, webhook_sort_key
from domain.webhooks import Webhook


@dataclass(slots=True)
class StoredWebhook:
    """An endpoint with what only storage knows: secret, place in the feed, queue state."""

    webhook: Webhook
    secret: bytes
    after: tuple[int, int]
    next_attempt_at: datetime
    attempts: int = 0
    failing_since: datetime | None = None
    lease_until: datetime | None = None
    lease_token: UUID | None = None
    deliveries: list[tuple[Delivery, dict[str, object]]] = field(default_factory=list)

    def copy(self) -> StoredWebhook:
        return replace(self, deliveries=list(self.deliveries))


class InMemoryWebhooks(Webhooks):
    """Endpoints of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState, transaction: int) -> None:
        self._state = state
        self._transaction = transaction

    @property
    def _stored(self) -> dict[UUID, StoredWebhook]:
        return self._state.webhooks

    async def add(self, webhook: Webhook, sealed_secret: bytes) -> None:
        after = (self._transaction, 0)
        self._stored[webhook.id] = StoredWebhook(webhook, sealed_secret, after, webhook.created_at)

    async def get(self, webhook_id: UUID, *, for_update: bool = False) -> Webhook | None:
        stored = self._stored.get(webhook_id)
        return None if stored is None else stored.webhook

    async def save(self, webhook: Webhook) -> None:
        stored = self._stored[webhook.id].copy()
        if webhook.enabled and not stored.webhook.enabled:
            stored.next_attempt_at, stored.attempts, stored.failing_since = (
                webhook.updated_at,
                0,
                None,
            )
        stored.webhook = webhook
        self._stored[webhook.id] = stored

    async def delete(self, webhook_id: UUID) -> None:
        self._stored.pop(webhook_id, None)

    async def sealed_secret(self, webhook_id: UUID) -> bytes | None:
        stored = self._stored.get(webhook_id)
        return None if stored is None else stored.secret

    async def set_secret(self, webhook_id: UUID, sealed_secret: bytes) -> None:
        stored = self._stored[webhook_id].copy()
        stored.secret = sealed_secret
        self._stored[webhook_id] = stored

    async def deliveries(self, webhook_id: UUID, page: PageRequest) -> list[Delivery]:
        rows = [d for d, _ in self._stored[webhook_id].deliveries]
        rows.sort(key=delivery_sort_key, reverse=True)
        if page.after is not None:
            rows = [d for d in rows if delivery_sort_key(d) < page.after]
        return rows[: page.limit + 1]

    async def delivery(self, webhook_id: UUID, delivery_id: UUID) -> Delivery | None:
        stored = self._stored.get(webhook_id)
        found = [d for d, _ in stored.deliveries if d.id == delivery_id] if stored else []
        return found[0] if found else None

    async def redeliver(self, delivery: Delivery, new_id: UUID, now: datetime) -> Delivery:
        stored = self._stored[delivery.webhook_id].copy()
        payload = next(p for d, p in stored.deliveries if d.id == delivery.id)
        again = replace(
            delivery, id=new_id, status="pending", manual=True, created_at=now, attempts=()
        )
        stored.deliveries.append((again, payload))
        self._stored[delivery.webhook_id] = stored
        return again

    async def next_outgoing(self, webhook: Webhook, lease: UUID) -> Outgoing | None:
        stored = self._stored.get(webhook.id)
        if stored is None or stored.lease_token != lease:
            return None
        for delivery, payload in sorted(stored.deliveries, key=lambda d: delivery_sort_key(d[0])):
            if delivery.manual and delivery.status == "pending":
                return Outgoing(
                    event_id=delivery.event_id,
                    event_type=delivery.event_type,
                    payload=payload,
                    delivery_id=delivery.id,
                )
        for entry in sorted(self._state.events, key=lambda e: (e.position, e.sequence)):
            if (entry.position, entry.sequence) > stored.after and stored.webhook.wants(
                entry.event.type
            ):
                return Outgoing(
                    event_id=entry.event.id,
                    event_type=entry.event.type.value,
                    payload=event_payload(entry.event),
                    position=(entry.position, entry.sequence),
                )
        return None

    async def record(
        self,
        webhook: Webhook,
        lease: UUID,
        outgoing: Outgoing,
        attempt: Attempt,
        verdict: Verdict,
        new_id: UUID,
    ) -> bool:
        stored = self._stored.get(webhook.id)
        if stored is None or stored.lease_token != lease:
            return False
        stored = stored.copy()
        status = "delivered" if attempt.delivered else "failed"
        redelivery = outgoing.delivery_id is not None
        if not redelivery and verdict.retry_at is not None:
            status = "pending"
        _add_attempt(stored, outgoing, attempt, status, new_id)
        failed = not attempt.delivered and not redelivery
        if attempt.delivered and outgoing.position is not None:
            stored.after = outgoing.position
        stored.failing_since = (stored.failing_since or attempt.attempted_at) if failed else None
        stored.attempts = stored.attempts + 1 if failed else 0
        stored.next_attempt_at = verdict.retry_at or attempt.attempted_at
        if verdict.disable is not None:
            stored.webhook = stored.webhook.disable(verdict.disable, attempt.attempted_at)
        stored.lease_token = stored.lease_until = None
        self._stored[webhook.id] = stored
        return True

    async def list(self, page: PageRequest) -> list[Webhook]:
        rows = sorted((s.webhook for s in self._stored.values()), key=webhook_sort_key)
        if page.after is not None:
            rows = [w for w in rows if webhook_sort_key(w) > page.after]
        return rows[: page.limit + 1]


def _add_attempt(
    stored: StoredWebhook, outgoing: Outgoing, attempt: Attempt, status: str, new_id: UUID
) -> None:
    for i, (delivery, payload) in enumerate(stored.deliveries):
        same = (
            delivery.id == outgoing.delivery_id
            if outgoing.delivery_id is not None
            else (not delivery.manual and delivery.event_id == outgoing.event_id)
        )
        if same:
            grown = replace(delivery, status=status, attempts=(*delivery.attempts, attempt))
            stored.deliveries[i] = (grown, payload)
            return
    delivery = Delivery(
        id=new_id,
        webhook_id=stored.webhook.id,
        event_id=outgoing.event_id,
        event_type=outgoing.event_type,
        status=status,
        manual=False,
        created_at=attempt.attempted_at,
        attempts=(attempt,),
    )
    stored.deliveries.append((delivery, dict(outgoing.payload)))


class InMemoryWebhookLeases(WebhookLeases):
    """The delivery queue over every org of one in-memory database."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    async def lease(self, now: datetime, until: datetime, token: UUID) -> Lease | None:
        due = [
            (stored.next_attempt_at, org_id, stored)
            for org_id, state in self.db.orgs.items()
            for stored in state.webhooks.values()
            if stored.webhook.enabled
            and stored.next_attempt_at <= now
            and (stored.lease_until is None or stored.lease_until < now)
        ]
        if not due:
            return None
        _, org_id, stored = min(due, key=lambda d: d[0])
        stored.lease_until, stored.lease_token = until, token
        return Lease(
            org_id, stored.webhook, stored.secret, token, stored.attempts, stored.failing_since
        )

    async def release(self, lease: Lease, next_attempt_at: datetime) -> None:
        stored = self.db.state(lease.org_id).webhooks.get(lease.webhook.id)
        if stored is not None and stored.lease_token == lease.token:
            stored.lease_until = stored.lease_token = None
            stored.next_attempt_at = next_attempt_at
