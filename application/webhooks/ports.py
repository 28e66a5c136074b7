"""Ports of webhook delivery: endpoints and deliveries, the queue, secrets, destinations, sending."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.pagination import PageRequest
from domain.webhooks import Webhook


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at delivering: when, the answer's status (None: no answer), how long, why not."""

    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One event sent (or being sent) to one endpoint, with its attempts, oldest first."""

    id: UUID
    webhook_id: UUID
    event_id: UUID
    event_type: str
    status: str  # pending | delivered | failed
    manual: bool
    created_at: datetime
    attempts: tuple[Attempt, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """What a worker sends next to an endpoint: a redelivery asked for, or the next event."""

    event_id: UUID
    event_type: str
    payload: Mapping[str, object]
    position: tuple[int, int] | None = None  # the event's feed position (None: a redelivery)
    delivery_id: UUID | None = None  # the redelivery's row


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """What an attempt means for the endpoint: delivered, retry at a time, or disable."""

    retry_at: datetime | None = None
    disable: str | None = None


class Webhooks(Protocol):
    """Webhook endpoints of one org, their sealed secrets and their deliveries."""

    async def add(self, webhook: Webhook, sealed_secret: bytes) -> None:
        """Store a new endpoint; it receives events that commit after it is created."""
        ...

    async def get(self, webhook_id: UUID, *, for_update: bool = False) -> Webhook | None: ...
    async def save(self, webhook: Webhook) -> None: ...
    async def delete(self, webhook_id: UUID) -> None: ...
    async def sealed_secret(self, webhook_id: UUID) -> bytes | None: ...
    async def set_secret(self, webhook_id: UUID, sealed_secret: bytes) -> None: ...
    async def deliveries(self, webhook_id: UUID, page: PageRequest) -> list[Delivery]: ...
    async def delivery(self, webhook_id: UUID, delivery_id: UUID) -> Delivery | None: ...

    async def redeliver(self, delivery: Delivery, new_id: UUID, now: datetime) -> Delivery:
        """Queue the delivery's event again, as a new (manual) delivery sent before the next
        event; return it."""
        ...

    async def next_outgoing(self, webhook: Webhook, lease: UUID) -> Outgoing | None:
        """While ``lease`` holds the endpoint: the oldest redelivery asked for, else the next
        settled event of its types after its place in the feed."""
        ...

    async def record(
        self,
        webhook: Webhook,
        lease: UUID,
        outgoing: Outgoing,
        attempt: Attempt,
        verdict: Verdict,
        new_id: UUID,
    ) -> bool:
        """Store the attempt and what follows from it (move the endpoint's place on, schedule
        the retry, or disable it) and end the lease; False (nothing stored) if the lease was
        lost meanwhile."""
        ...

    async def list(self, page: PageRequest) -> list[Webhook]: ...


@dataclass(frozen=True, slots=True)
class Lease:
    """An endpoint leased to one worker until ``until``: nobody else delivers to it meanwhile."""

    org_id: str
    webhook: Webhook
    sealed_secret: bytes
    token: UUID
    attempts: int  # failed attempts at the current event so far
    failing_since: datetime | None


class WebhookLeases(Protocol):
    """The delivery queue across orgs (a system task): due endpoints, leased one at a time."""

    async def lease(self, now: datetime, until: datetime, token: UUID) -> Lease | None:
        """Lease the enabled endpoint due longest ago whose lease (if any) has run out."""
        ...

    async def release(self, lease: Lease, next_attempt_at: datetime) -> None:
        """End the lease with nothing to record; look again at ``next_attempt_at``."""
        ...


class SecretBox(Protocol):
    """Webhook secrets: made, sealed for storage (encrypted at rest) and opened to sign."""

    def new_secret(self) -> str: ...
    def seal(self, secret: str) -> bytes: ...
    def open(self, sealed: bytes) -> str: ...


class Destinations(Protocol):
    """Which URLs a webhook may call (SSRF rules); raises DestinationRefused."""

    async def check(self, url: str) -> None: ...


class WebhookSender(Protocol):
    """Sends one signed message (Standard Webhooks) and reports the attempt; never raises for
    what the receiver does (no answer, slow answer, refusal)."""

    async def send(
        self, url: str, secret: str, message_id: str, body: bytes, now: datetime
    ) -> Attempt: ...
