"""The issue's check: while movements and reservations race through the API, a consumer tailing
the feed and a webhook receiver (fed by the worker `stockroom serve` runs) each end up with
exactly the set of movements the ledger holds."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.integration.conftest import app_settings, client_for, new_org_id
from tests.integration.factories import line, movement
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.slow


async def all_pages(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    items, cursor = [], None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(path, params=params, headers=headers)).json()
        items += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return items


async def test_feed_and_webhooks_each_hold_exactly_the_ledger_while_writes_race(
    database_url: str, data_dir: Path
) -> None:
    app = create_app(build_container(app_settings(database_url, data_dir)))
    app.state.webhook_worker = True  # as `stockroom serve` does
    rng = random.Random(7)
    async with (
        running_receiver() as receiver,
        app.router.lifespan_context(app),
        client_for(app) as client,
    ):
        token = app.state.stockroom.dev_issuer.mint(
            user_id="racer", org_id=new_org_id(), role="admin", email=None
        )
        auth = {"Authorization": f"Bearer {token}"}

        async def post(path: str, body: dict[str, Any]) -> httpx.Response:
            return await client.post(path, json=body, headers=auth)

        hook = (
            await post("/v1/webhooks", {"url": receiver.url(), "types": ["movement.posted"]})
        ).json()
        receiver.secrets["/hook"] = hook["secret"]
        item = (await post("/v1/items", {"sku": "RACE-1", "name": "Racer"})).json()
        here = (await post("/v1/locations", {"code": "HERE", "name": "Here"})).json()
        await post("/v1/movements", movement("receipt", item, here, 40))

        async def racer(n: int) -> None:
            await asyncio.sleep(rng.uniform(0, 0.3))
            if n % 3 == 0:
                await post("/v1/movements", movement("receipt", item, here, 2))
            elif n % 3 == 1:
                await post("/v1/movements", movement("shipment", item, here, 1))
            else:
                held = await post("/v1/reservations", {"lines": [line(item, here, 1)]})
                if held.status_code == 201:
                    await client.post(f"/v1/reservations/{held.json()['id']}/fulfil", headers=auth)

        tailed: list[str] = []
        writing = asyncio.gather(*(racer(n) for n in range(45)))
        cursor = None
        async with asyncio.timeout(60):
            while True:
                done = writing.done()
                params = {"types": "movement.posted", "wait": 0.5}
                page = (
                    await client.get(
                        "/v1/events",
                        params={**params, **({"after": cursor} if cursor else {})},
                        headers=auth,
                    )
                ).json()
                tailed += [e["subject"]["id"] for e in page["items"]]
                cursor = page["next_cursor"] or cursor
                if done and not page["items"]:
                    break
            await writing
            ledger = {m["id"] for m in await all_pages(client, "/v1/movements", auth)}
            while len(receiver.received) < len(ledger):
                await asyncio.wait_for(receiver.arrived.wait(), 30)
                receiver.arrived.clear()

    assert len(tailed) == len(set(tailed)), "the feed repeated an event"
    assert set(tailed) == ledger
    pushed = [r.event["subject"]["id"] for r in receiver.received]
    assert all(r.verified for r in receiver.received)
    assert len(pushed) == len(set(pushed)) and set(pushed) == ledger
