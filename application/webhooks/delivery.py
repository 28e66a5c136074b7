"""The delivery worker: lease a due endpoint, send it its next event, record what happened.

At least once, in feed order per endpoint: an endpoint's place in the feed moves on only when
its receiver answered 2xx, and one endpoint is leased by one worker at a time. Endpoints are
leased one by one in short transactions and sent to outside any transaction, so a slow or dead
receiver holds up only its own endpoint, never a database connection or the feed (ADR 0022).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from application.errors import DestinationRefused, StorageUnavailable
from application.events import webhook_disabled
from application.use_cases.base import Deps
from application.webhooks.ports import (
    Attempt,
    Destinations,
    Lease,
    Outgoing,
    SecretBox,
    Verdict,
    WebhookLeases,
    WebhookSender,
)
from domain.webhooks import gives_up, retry_delay

log = logging.getLogger(__name__)

RetryDelay = Callable[[int, float], timedelta]


@dataclass(frozen=True, slots=True)
class DeliveryTiming:
    """How long a lease lasts (longer than a send may take), how soon an idle endpoint is
    looked at again, and the retry schedule (injectable, so tests need not wait minutes)."""

    lease: timedelta = timedelta(seconds=60)
    idle: timedelta = timedelta(seconds=1)
    retry_delay: RetryDelay = retry_delay


def verdict_of(
    lease: Lease, outgoing: Outgoing, attempt: Attempt, jitter: float, timing: DeliveryTiming
) -> Verdict:
    """What an attempt means for the endpoint: move on, retry later, or disable it."""
    if attempt.delivered or outgoing.delivery_id is not None:
        return Verdict()  # delivered, or a redelivery (tried once, whatever the answer)
    if attempt.status_code == 410:
        return Verdict(disable="the endpoint answered 410 Gone")
    failing_since = lease.failing_since or attempt.attempted_at
    if gives_up(failing_since, attempt.attempted_at):
        return Verdict(disable="deliveries failed for 24 hours")
    delay = timing.retry_delay(lease.attempts + 1, jitter)
    return Verdict(retry_at=attempt.attempted_at + delay)


class DeliverWebhooksHandler:
    """Delivers due endpoints' next events; ``run`` keeps doing it until told to stop."""

    def __init__(
        self,
        deps: Deps,
        leases: WebhookLeases,
        secrets: SecretBox,
        destinations: Destinations,
        sender: WebhookSender,
        timing: DeliveryTiming | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.deps = deps
        self.leases = leases
        self.secrets = secrets
        self.destinations = destinations
        self.sender = sender
        self.timing = timing or DeliveryTiming()
        self.jitter = jitter

    async def deliver_next(self) -> bool:
        """Lease one due endpoint and handle it; False when none is due."""
        now = self.deps.clock.now()
        token = self.deps.ids.new_id()
        lease = await self.leases.lease(now, now + self.timing.lease, token)
        if lease is None:
            return False
        async with self.deps.uow(lease.org_id) as uow:
            outgoing = await uow.webhooks.next_outgoing(lease.webhook, token)
        if outgoing is None:
            await self.leases.release(lease, now + self.timing.idle)
            return True
        attempt = await self._send(lease, outgoing)
        verdict = verdict_of(lease, outgoing, attempt, self.jitter(), self.timing)
        async with self.deps.uow(lease.org_id) as uow:
            recorded = await uow.webhooks.record(
                lease.webhook, token, outgoing, attempt, verdict, self.deps.ids.new_id()
            )
            if recorded and verdict.disable is not None:
                disabled = lease.webhook.disable(verdict.disable, attempt.attempted_at)
                uow.events.add(
                    [webhook_disabled(self.deps.ids.new_id, disabled, disabled.updated_at)]
                )
            await uow.commit()
        if not recorded:
            log.warning("webhook %s: lease lost during a delivery", lease.webhook.id)
        return True

    async def _send(self, lease: Lease, outgoing: Outgoing) -> Attempt:
        now = self.deps.clock.now()
        try:
            await self.destinations.check(lease.webhook.url)  # again: DNS may have changed
        except DestinationRefused as exc:
            return Attempt(now, None, 0, exc.detail)
        body = json.dumps(outgoing.payload, separators=(",", ":")).encode()
        secret = self.secrets.open(lease.sealed_secret)
        return await self.sender.send(lease.webhook.url, secret, str(outgoing.event_id), body, now)

    async def run(self, stop: asyncio.Event, concurrency: int = 4) -> None:
        """Deliver with ``concurrency`` endpoints at a time until ``stop`` is set."""
        await asyncio.gather(*(self._lane(stop) for _ in range(concurrency)))

    async def _lane(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.deliver_next()
            except StorageUnavailable as exc:
                log.warning("webhook delivery paused: %s", exc.detail)
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.timing.idle.total_seconds())
