"""Webhook endpoints and the delivery queue on both backends: storage, leases, an endpoint's
place in the feed, and what an attempt changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from adapters.clock import ManualClock
from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from application.webhooks.ports import Attempt, Lease, Verdict, WebhookLeases
from domain.events import EventType
from domain.webhooks import Webhook, WebhookChanges
from tests.contract import builders

FAR = timedelta(days=3650)


@pytest.fixture
async def hook(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> AsyncIterator[Webhook]:
    """An endpoint for item events, deleted afterwards (the queue spans every org)."""
    webhook = Webhook.create(
        id=uuid4(),
        url="https://hooks.example.com/in",
        types=frozenset({EventType.ITEM_CREATED}),
        description=None,
        now=clock.now(),
    )
    async with uow_factory(org) as uow:
        await uow.webhooks.add(webhook, b"sealed")
        await uow.commit()
    yield webhook
    async with uow_factory(org) as uow:
        await uow.webhooks.delete(webhook.id)
        await uow.commit()


async def lease_of(leases: WebhookLeases, webhook_id: UUID, clock: ManualClock) -> Lease | None:
    """Lease endpoints until this one comes up; others are put back far in the future."""
    now = clock.now()
    for _ in range(50):
        lease = await leases.lease(now, now + timedelta(seconds=60), uuid4())
        if lease is None or lease.webhook.id == webhook_id:
            return lease
        await leases.release(lease, now + FAR)
    return None


async def test_endpoints_read_back_update_and_keep_their_sealed_secret(
    uow_factory: UnitOfWorkFactory, org: str, hook: Webhook, clock: ManualClock
) -> None:
    async with uow_factory(org) as uow:
        assert await uow.webhooks.get(hook.id) == hook
        assert await uow.webhooks.list(PageRequest()) == [hook]
        assert await uow.webhooks.sealed_secret(hook.id) == b"sealed"
        changed = hook.update(WebhookChanges(description="ERP", set_description=True), clock.now())
        await uow.webhooks.save(changed)
        await uow.webhooks.set_secret(hook.id, b"resealed")
        await uow.commit()
    async with uow_factory(org) as uow:
        assert await uow.webhooks.get(hook.id, for_update=True) == changed
        assert await uow.webhooks.sealed_secret(hook.id) == b"resealed"
    async with uow_factory("another-org") as uow:
        assert await uow.webhooks.get(hook.id) is None


async def test_an_endpoint_gets_only_later_events_of_its_types_and_moves_on_when_delivered(
    uow_factory: UnitOfWorkFactory,
    webhook_leases: WebhookLeases,
    deps: Deps,
    admin: Principal,
    org: str,
    hook: Webhook,
    clock: ManualClock,
) -> None:
    first, second = await builders.item(deps, admin), await builders.item(deps, admin)
    await builders.location(deps, admin)  # not of its types
    lease = await lease_of(webhook_leases, hook.id, clock)
    assert lease is not None and lease.org_id == org and lease.sealed_secret == b"sealed"
    assert await lease_of(webhook_leases, hook.id, clock) is None, "leased once at a time"

    async with uow_factory(org) as uow:
        outgoing = await uow.webhooks.next_outgoing(hook, lease.token)
    assert outgoing is not None and outgoing.payload["subject"] == {
        "type": "item",
        "id": str(first.id),
    }
    failed = Attempt(clock.now(), 500, 12, "answered 500")
    retry = Verdict(retry_at=clock.now() + timedelta(seconds=5))
    async with uow_factory(org) as uow:
        assert await uow.webhooks.record(hook, lease.token, outgoing, failed, retry, uuid4())
        await uow.commit()
    assert await lease_of(webhook_leases, hook.id, clock) is None, "not due before retry_at"

    clock.advance(5)
    again = await lease_of(webhook_leases, hook.id, clock)
    assert again is not None and again.attempts == 1 and again.failing_since is not None
    async with uow_factory(org) as uow:
        same = await uow.webhooks.next_outgoing(hook, again.token)
        assert same == outgoing, "a failed event is sent again"
        ok = Attempt(clock.now(), 204, 8)
        assert not await uow.webhooks.record(hook, uuid4(), outgoing, ok, Verdict(), uuid4())
        assert await uow.webhooks.record(hook, again.token, outgoing, ok, Verdict(), uuid4())
        await uow.commit()

    third = await lease_of(webhook_leases, hook.id, clock)
    assert third is not None and third.attempts == 0 and third.failing_since is None
    async with uow_factory(org) as uow:
        following = await uow.webhooks.next_outgoing(hook, third.token)
        [delivery] = await uow.webhooks.deliveries(hook.id, PageRequest())
    assert following is not None and following.payload["subject"]["id"] == str(second.id)
    assert delivery.status == "delivered" and delivery.event_id == outgoing.event_id
    assert [a.status_code for a in delivery.attempts] == [500, 204]


async def test_a_redelivery_goes_out_before_the_next_event(
    uow_factory: UnitOfWorkFactory,
    webhook_leases: WebhookLeases,
    deps: Deps,
    admin: Principal,
    org: str,
    hook: Webhook,
    clock: ManualClock,
) -> None:
    await builders.item(deps, admin)
    await builders.item(deps, admin)
    lease = await lease_of(webhook_leases, hook.id, clock)
    assert lease is not None
    async with uow_factory(org) as uow:
        outgoing = await uow.webhooks.next_outgoing(hook, lease.token)
        assert outgoing is not None
        ok = Attempt(clock.now(), 200, 5)
        await uow.webhooks.record(hook, lease.token, outgoing, ok, Verdict(), uuid4())
        await uow.commit()
    async with uow_factory(org) as uow:
        [delivered] = await uow.webhooks.deliveries(hook.id, PageRequest())
        assert await uow.webhooks.delivery(hook.id, delivered.id) == delivered
        again = await uow.webhooks.redeliver(delivered, uuid4(), clock.now())
        await uow.commit()

    clock.advance(1)
    lease = await lease_of(webhook_leases, hook.id, clock)
    assert lease is not None
    async with uow_factory(org) as uow:
        outgoing = await uow.webhooks.next_outgoing(hook, lease.token)
    assert outgoing is not None and outgoing.delivery_id == again.id
    assert outgoing.event_id == delivered.event_id


async def test_a_disabled_endpoint_is_never_leased(
    uow_factory: UnitOfWorkFactory,
    webhook_leases: WebhookLeases,
    org: str,
    hook: Webhook,
    clock: ManualClock,
) -> None:
    async with uow_factory(org) as uow:
        await uow.webhooks.save(hook.disable("by an admin", clock.now()))
        await uow.commit()
    assert await lease_of(webhook_leases, hook.id, clock) is None
