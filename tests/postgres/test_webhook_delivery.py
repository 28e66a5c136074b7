"""Webhook delivery against a real receiver on 127.0.0.1 that verifies every signature."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres.webhooks import PostgresWebhookLeases
from adapters.webhooks.destinations import NetworkDestinations
from adapters.webhooks.secret_box import FernetSecretBox
from adapters.webhooks.sender import HttpWebhookSender
from application.errors import DestinationRefused
from application.ports import FeedQuery
from application.principal import Principal
from application.use_cases.base import Deps
from application.webhooks.delivery import DeliverWebhooksHandler, DeliveryTiming
from application.webhooks.manage import (
    CreateWebhook,
    CreateWebhookHandler,
    DeleteWebhookHandler,
    UpdateWebhook,
    UpdateWebhookHandler,
    WebhookWithSecret,
)
from application.webhooks.queries import ListDeliveriesHandler
from domain.events import EventType
from domain.webhooks import WebhookChanges
from tests.contract import builders
from tests.postgres_fixtures import PostgresBackend
from tests.webhook_receiver import Receiver, Reply, running_receiver

BOX = FernetSecretBox("x2cVTO1t2c3HBh9_4dNDvUCTjXX4QJ8kWJkQ2kQZQ0c=")
OPEN = NetworkDestinations(https_only=False, allow_private=True)
# Fast retries, a short lease: what takes minutes in production takes moments here.
FAST = DeliveryTiming(
    lease=timedelta(seconds=2),
    idle=timedelta(milliseconds=20),
    retry_delay=lambda attempt, jitter: timedelta(milliseconds=50),
)


def admin() -> Principal:
    return Principal.from_claims(
        user_id="u", org_id=f"org_{secrets.token_hex(8)}", raw_role="admin"
    )


MADE: list[tuple[Principal, WebhookWithSecret]] = []


@pytest.fixture
async def deps(wide_backend: PostgresBackend) -> AsyncIterator[Deps]:
    """Use-case dependencies; the endpoints a test made are deleted after it, so later tests'
    workers (the queue spans every org of the database) do not keep calling closed ports."""
    deps = Deps(uow=wide_backend.uow, clock=SystemClock(), ids=UuidGenerator())
    yield deps
    while MADE:
        who, made = MADE.pop()
        await DeleteWebhookHandler(deps, BOX, OPEN)(who, made.webhook.id)


def worker(
    deps: Deps,
    backend: PostgresBackend,
    *,
    timeout: float = 2.0,
    destinations: Any = OPEN,
    timing: DeliveryTiming = FAST,
) -> DeliverWebhooksHandler:
    return DeliverWebhooksHandler(
        deps,
        PostgresWebhookLeases(backend.pool),
        BOX,
        destinations,
        HttpWebhookSender(OPEN, timeout=timeout),
        timing=timing,
        jitter=lambda: 0.0,
    )


async def endpoint(
    deps: Deps, who: Principal, receiver: Receiver, path: str, *types: EventType
) -> WebhookWithSecret:
    made = await CreateWebhookHandler(deps, BOX, OPEN)(
        who,
        CreateWebhook(
            url=receiver.url(path), types=frozenset(types or {EventType.MOVEMENT_POSTED})
        ),
    )
    receiver.secrets[path] = made.secret
    MADE.append((who, made))
    return made


async def until(condition: Callable[[], bool], work: Callable[[], Awaitable[Any]]) -> None:
    """Run ``work`` repeatedly until ``condition`` holds (bounded: a hang fails the test)."""
    async with asyncio.timeout(20):
        while not condition():
            if not await work():
                await asyncio.sleep(0.02)


async def posted_ids(deps: Deps, who: Principal) -> list[str]:
    async with deps.uow(who.org_id or "", read_only=True) as uow:
        entries = await uow.events.list(
            FeedQuery(types=frozenset({EventType.MOVEMENT_POSTED}), limit=200)
        )
    return [str(e.event.id) for e in entries]


async def test_failures_then_success_deliver_once_with_one_webhook_id_and_valid_signatures(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        made = await endpoint(deps, who, receiver, "/flaky")
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, place.id, 3)
        receiver.script = [Reply(500), Reply(503)]
        w = worker(deps, wide_backend)

        await until(lambda: bool(receiver.answered(204)), w.deliver_next)

    assert [r.status for r in receiver.received] == [500, 503, 204]
    assert len({r.webhook_id for r in receiver.received}) == 1, "a retry must keep webhook-id"
    assert all(r.verified for r in receiver.received), "every delivery must verify"
    assert receiver.received[0].event["type"] == "movement.posted"
    assert [receiver.received[0].webhook_id] == await posted_ids(deps, who)
    page = await ListDeliveriesHandler(deps, BOX, OPEN)(who, made.webhook.id, None, None)
    [delivery] = page.items
    assert delivery.status == "delivered"
    assert [a.status_code for a in delivery.attempts] == [500, 503, 204]


async def test_a_receiver_slower_than_the_timeout_is_retried_and_then_delivered(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        made = await endpoint(deps, who, receiver, "/slow")
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, place.id, 1)
        receiver.script = [Reply(204, delay=1.5)]
        w = worker(deps, wide_backend, timeout=0.3)

        await until(
            lambda: len(receiver.received) >= 2 and bool(receiver.answered(204)), w.deliver_next
        )

    page = await ListDeliveriesHandler(deps, BOX, OPEN)(who, made.webhook.id, None, None)
    [delivery] = page.items
    assert delivery.attempts[0].status_code is None
    assert delivery.attempts[0].error == "timed out"
    assert delivery.attempts[-1].status_code == 204 and delivery.status == "delivered"
    assert len({r.webhook_id for r in receiver.received}) == 1


async def test_a_worker_killed_mid_delivery_loses_nothing_and_the_repeat_has_the_same_id(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        await endpoint(deps, who, receiver, "/killed")
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        for n in (1, 2, 3):
            await builders.receive(deps, who, item.id, place.id, n)
        receiver.script = [Reply(204, delay=30)]  # the first request hangs: the worker dies
        doomed = worker(deps, wide_backend, timeout=60)
        first = asyncio.create_task(until(lambda: bool(receiver.received), doomed.deliver_next))
        await asyncio.wait_for(receiver.arrived.wait(), 10)
        first.cancel()  # killed mid-delivery: nothing recorded, the lease runs out
        with pytest.raises(asyncio.CancelledError):
            await first

        restarted = worker(deps, wide_backend)
        await until(lambda: len(receiver.answered(204)) >= 3, restarted.deliver_next)

    sent = [r.webhook_id for r in receiver.received]
    expected = await posted_ids(deps, who)
    assert sent[0] == sent[1] == expected[0], "the repeat carries the same webhook-id"
    assert [r.webhook_id for r in receiver.answered(204)] == expected, "in feed order, none lost"


async def test_two_workers_at_once_deliver_each_event_once_in_feed_order_per_endpoint(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        paths = [f"/pair-{n}" for n in range(3)]
        for path in paths:
            await endpoint(deps, who, receiver, path)
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        for n in range(6):
            await builders.receive(deps, who, item.id, place.id, n + 1)
        expected = await posted_ids(deps, who)
        stop = asyncio.Event()
        pair = [worker(deps, wide_backend) for _ in range(2)]
        lanes = [asyncio.create_task(w.run(stop, concurrency=2)) for w in pair]
        try:
            everything = len(paths) * len(expected)
            await until(lambda: len(receiver.received) >= everything, lambda: asyncio.sleep(0.05))
            await asyncio.sleep(0.3)  # a duplicate, if any, would arrive now
        finally:
            stop.set()
            await asyncio.gather(*lanes)

    assert all(r.verified for r in receiver.received)
    for path in paths:
        got = [r.webhook_id for r in receiver.received if r.path == path]
        assert got == expected, f"{path}: each event once, in feed order"


async def test_a_410_disables_the_endpoint_at_once_and_announces_it(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        made = await endpoint(deps, who, receiver, "/gone")
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, place.id, 1)
        await builders.receive(deps, who, item.id, place.id, 1)
        receiver.script = [Reply(410)]
        w = worker(deps, wide_backend)
        await until(lambda: bool(receiver.received), w.deliver_next)
        for _ in range(5):
            await w.deliver_next()

    assert [r.status for r in receiver.received] == [410], "nothing is sent after 410"
    async with deps.uow(who.org_id or "", read_only=True) as uow:
        hook = await uow.webhooks.get(made.webhook.id)
        disabled = await uow.events.list(FeedQuery(types=frozenset({EventType.WEBHOOK_DISABLED})))
    assert hook is not None and not hook.enabled
    assert hook.disabled_reason == "the endpoint answered 410 Gone"
    assert [e.event.subject_id for e in disabled] == [str(made.webhook.id)]


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # not https
        "https://127.0.0.1/x",
        "https://localhost:8443/x",
        "https://10.1.2.3/x",
        "https://172.16.0.9/x",
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://[fe80::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[fd00:ec2::254]/x",
    ],
)
async def test_production_refuses_plain_http_and_private_destinations_at_creation(
    deps: Deps, url: str
) -> None:
    strict = NetworkDestinations(https_only=True, allow_private=False)
    with pytest.raises(DestinationRefused):
        await CreateWebhookHandler(deps, BOX, strict)(
            admin(), CreateWebhook(url=url, types=frozenset({EventType.ITEM_CREATED}))
        )


async def test_a_destination_refused_at_delivery_is_never_called(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        made = await endpoint(deps, who, receiver, "/private")  # allowed when it was made
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, place.id, 1)
        strict = NetworkDestinations(https_only=False, allow_private=False)
        w = worker(deps, wide_backend, destinations=strict)
        page: Any = None

        async def attempted() -> bool:
            nonlocal page
            await w.deliver_next()
            page = await ListDeliveriesHandler(deps, BOX, OPEN)(who, made.webhook.id, None, None)
            return bool(page.items)

        await until(lambda: page is not None and bool(page.items), attempted)

    assert receiver.received == []
    assert page.items[0].attempts[0].status_code is None
    assert "loopback" in (page.items[0].attempts[0].error or "")


def answering(*answers: str) -> Callable[[str, int | None], Awaitable[list[Any]]]:
    """A resolver that gives each answer in turn (the last one again once they run out): a
    name whose DNS answers change between two lookups, as in DNS rebinding."""
    queue = [[ipaddress.ip_address(a)] for a in answers]

    async def resolve(host: str, port: int | None) -> list[Any]:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return resolve


def pinned_worker(
    deps: Deps, backend: PostgresBackend, destinations: NetworkDestinations
) -> DeliverWebhooksHandler:
    """A worker whose check and send share ``destinations``, as the app wires them."""
    return DeliverWebhooksHandler(
        deps,
        PostgresWebhookLeases(backend.pool),
        BOX,
        destinations,
        HttpWebhookSender(destinations, timeout=2.0),
        timing=FAST,
        jitter=lambda: 0.0,
    )


async def test_a_name_rebound_to_loopback_after_the_check_is_never_called(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    # The delivery's check sees a public address; the send's own lookup, a moment later,
    # sees 127.0.0.1. The send connects only to an address it vetted itself. (The URL names
    # the receiver by its literal address, so a sender that connected to the URL as given,
    # skipping the second vetting, would reach the receiver and fail this test.)
    who = admin()
    async with running_receiver() as receiver:
        made = await endpoint(deps, who, receiver, "/rebound")
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, place.id, 1)
        rebinding = NetworkDestinations(
            https_only=False, allow_private=False, resolve=answering("93.184.216.34", "127.0.0.1")
        )
        w = pinned_worker(deps, wide_backend, rebinding)
        page: Any = None

        async def attempted() -> bool:
            nonlocal page
            await w.deliver_next()
            page = await ListDeliveriesHandler(deps, BOX, OPEN)(who, made.webhook.id, None, None)
            return bool(page.items)

        await until(lambda: page is not None and bool(page.items), attempted)

    assert receiver.received == []
    assert "loopback" in (page.items[0].attempts[0].error or "")


async def test_a_send_goes_to_the_address_vetted_and_keeps_the_name_as_host(
    deps: Deps, wide_backend: PostgresBackend
) -> None:
    who = admin()
    async with running_receiver() as receiver:
        made = await endpoint(deps, who, receiver, "/named")
        named_url = made.webhook.url.replace("127.0.0.1", "hooks.stockroom.test")
        await UpdateWebhookHandler(deps, BOX, OPEN)(
            who, UpdateWebhook(webhook_id=made.webhook.id, changes=WebhookChanges(url=named_url))
        )
        item, place = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, place.id, 1)
        local = NetworkDestinations(
            https_only=False, allow_private=True, resolve=answering("127.0.0.1")
        )
        w = pinned_worker(deps, wide_backend, local)
        await until(lambda: bool(receiver.received), w.deliver_next)

    [first] = receiver.received
    assert first.verified
    assert first.headers["host"] == f"hooks.stockroom.test:{receiver.port}"
