"""Webhook endpoints of one org, and the delivery queue across orgs (ADR 0022)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.postgres import webhook_sql as q
from adapters.postgres.cursors import time_part, uuid_part
from adapters.postgres.errors import storage_errors
from adapters.postgres.events import entry_from_row
from adapters.postgres.repository import Repository, Rows, utc
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
from domain.webhooks import Webhook

Pool = AsyncConnectionPool[AsyncConnection[Any]]


def _params(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "types": sorted(t.value for t in webhook.types),
        "description": webhook.description,
        "enabled": webhook.enabled,
        "disabled_reason": webhook.disabled_reason,
        "version": webhook.version,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
    }


class PostgresWebhooks(Repository, Webhooks):
    """Endpoints, secrets (sealed), deliveries and attempts of one org."""

    async def add(self, webhook: Webhook, sealed_secret: bytes) -> None:
        self._defer(q.INSERT_WEBHOOK, {**_params(webhook), "secret": sealed_secret})

    async def get(self, webhook_id: UUID, *, for_update: bool = False) -> Webhook | None:
        statement = q.GET_WEBHOOK_FOR_UPDATE if for_update else q.GET_WEBHOOK
        row = await self._one(statement, {"id": webhook_id})
        return None if row is None else q.webhook_from_row(row)

    async def save(self, webhook: Webhook) -> None:
        self._defer(q.SAVE_WEBHOOK, _params(webhook))

    async def delete(self, webhook_id: UUID) -> None:
        self._defer(q.DELETE_WEBHOOK, {"id": webhook_id})

    async def sealed_secret(self, webhook_id: UUID) -> bytes | None:
        row = await self._one(q.GET_SECRET, {"id": webhook_id})
        return None if row is None else bytes(row["secret"])

    async def set_secret(self, webhook_id: UUID, sealed_secret: bytes) -> None:
        self._defer(q.SET_SECRET, {"id": webhook_id, "secret": sealed_secret})

    async def deliveries(self, webhook_id: UUID, page: PageRequest) -> list[Delivery]:
        params: dict[str, Any] = {"webhook_id": webhook_id, "limit": page.limit + 1}
        statement = q.LIST_DELIVERIES
        if page.after is not None:
            statement = q.LIST_DELIVERIES_AFTER
            params["after_created_at"] = time_part(page.after[0])
            params["after_id"] = uuid_part(page.after[1])
        return await self._with_attempts(await self._all(statement, params))

    async def delivery(self, webhook_id: UUID, delivery_id: UUID) -> Delivery | None:
        rows = await self._all(q.GET_DELIVERY, {"webhook_id": webhook_id, "id": delivery_id})
        found = await self._with_attempts(rows)
        return found[0] if found else None

    async def redeliver(self, delivery: Delivery, new_id: UUID, now: datetime) -> Delivery:
        self._defer(q.INSERT_REDELIVERY, {"id": delivery.id, "new_id": new_id, "now": now})
        return Delivery(
            id=new_id,
            webhook_id=delivery.webhook_id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status="pending",
            manual=True,
            created_at=now,
        )

    async def next_outgoing(self, webhook: Webhook, lease: UUID) -> Outgoing | None:
        params = {"id": webhook.id, "lease": lease}
        row = await self._one(q.NEXT_REDELIVERY, params)
        if row is not None:
            return Outgoing(
                event_id=row["event_id"],
                event_type=row["event_type"],
                payload=row["payload"],
                delivery_id=row["id"],
            )
        row = await self._one(q.NEXT_EVENT, params)
        if row is None:
            return None
        entry = entry_from_row(row)
        return Outgoing(
            event_id=entry.event.id,
            event_type=entry.event.type.value,
            payload=event_payload(entry.event),
            position=(entry.position, entry.sequence),
        )

    async def record(
        self,
        webhook: Webhook,
        lease: UUID,
        outgoing: Outgoing,
        attempt: Attempt,
        verdict: Verdict,
        new_id: UUID,
    ) -> bool:
        held = await self._one(q.LOCK_LEASED, {"id": webhook.id, "lease": lease})
        if held is None:
            return False
        status = "delivered" if attempt.delivered else "failed"
        common: dict[str, Any] = {
            "id": webhook.id,
            "attempted_at": attempt.attempted_at,
            "status_code": attempt.status_code,
            "duration_ms": attempt.duration_ms,
            "error": attempt.error,
        }
        if outgoing.delivery_id is not None:
            self._defer(
                q.RECORD_REDELIVERY_ATTEMPT,
                {**common, "delivery_id": outgoing.delivery_id, "status": status},
            )
        else:
            pending = verdict.retry_at is not None
            self._defer(
                q.RECORD_EVENT_ATTEMPT,
                {
                    **common,
                    "new_id": new_id,
                    "event_id": outgoing.event_id,
                    "event_type": outgoing.event_type,
                    "payload": orjson.dumps(dict(outgoing.payload)).decode(),
                    "status": "pending" if pending else status,
                },
            )
        self._defer(
            q.FINISH_LEASE, {**common, "lease": lease, **_after(held, outgoing, attempt, verdict)}
        )
        return True

    async def _with_attempts(self, rows: Rows) -> list[Delivery]:
        if not rows:
            return []
        attempts: dict[UUID, Rows] = {row["id"]: [] for row in rows}
        for row in await self._all(q.SELECT_ATTEMPTS, {"ids": list(attempts)}):
            attempts[row["delivery_id"]].append(row)
        return [q.delivery_from_row(row, attempts[row["id"]]) for row in rows]

    async def list(self, page: PageRequest) -> list[Webhook]:
        params: dict[str, Any] = {"limit": page.limit + 1}
        statement = q.LIST_WEBHOOKS
        if page.after is not None:
            statement = q.LIST_WEBHOOKS_AFTER
            params["after_created_at"] = time_part(page.after[0])
            params["after_id"] = uuid_part(page.after[1])
        return [q.webhook_from_row(row) for row in await self._all(statement, params)]


def _after(
    held: dict[str, Any], outgoing: Outgoing, attempt: Attempt, verdict: Verdict
) -> dict[str, Any]:
    """The endpoint's state after an attempt: its place in the feed, failures, next time."""
    moved = attempt.delivered and outgoing.position is not None
    failed = not attempt.delivered and outgoing.delivery_id is None
    failing_since = held["failing_since"]
    return {
        "after_position": str(outgoing.position[0]) if moved and outgoing.position else None,
        "after_seq": outgoing.position[1] if moved and outgoing.position else None,
        "attempts": held["attempts"] + 1 if failed else 0,
        "failing_since": (failing_since or attempt.attempted_at) if failed else None,
        "next_attempt_at": verdict.retry_at or attempt.attempted_at,
        "disable": verdict.disable is not None,
        "disabled_reason": verdict.disable,
    }


class PostgresWebhookLeases(WebhookLeases):
    """Leases due endpoints across orgs with ``FOR UPDATE SKIP LOCKED``, one short
    transaction each; any number of workers may share the table."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def lease(self, now: datetime, until: datetime, token: UUID) -> Lease | None:
        async with storage_errors(), self._pool.connection() as conn:
            await conn.execute(q.START_QUEUE)
            cur = await conn.execute(q.LEASE_DUE, {"now": now, "until": until, "token": token})
            row = await cur.fetchone()
        if row is None:
            return None
        names = [c.name for c in cur.description or ()]
        values = dict(zip(names, row, strict=True))
        return Lease(
            org_id=values["org_id"],
            webhook=q.webhook_from_row(values),
            sealed_secret=bytes(values["secret"]),
            token=token,
            attempts=values["attempts"],
            failing_since=None if values["failing_since"] is None else utc(values["failing_since"]),
        )

    async def release(self, lease: Lease, next_attempt_at: datetime) -> None:
        params = {"org_id": lease.org_id, "id": lease.webhook.id, "token": lease.token}
        async with storage_errors(), self._pool.connection() as conn:
            await conn.execute(q.BIND_ORG, {"org_id": lease.org_id})
            await conn.execute(q.RELEASE, {**params, "at": next_attempt_at})
