"""/v1/events through the app: the feed's shape, filters, cursors, long polls and refusals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from application.queries.events import FeedCursor
from tests.integration.factories import Org, org_fixture, other_org_fixture  # noqa: F401


async def test_the_feed_shows_each_change_with_its_subject_and_data(org: Org) -> None:
    item = await org.item(reorder_point=3)
    place = await org.location()
    await org.receive(item, place, 5)

    response = await org.client.get("/v1/events", headers=org.member)

    assert response.status_code == 200
    body = response.json()
    kinds = [e["type"] for e in body["items"]]
    assert kinds == [
        "item.created",
        "location.created",
        "movement.posted",
        "stock_level.changed",
        "stock_level.restocked",
    ]
    created = body["items"][0]
    assert created["subject"] == {"type": "item", "id": item["id"]}
    assert created["data"] == item  # the resource as the API returns it
    level = body["items"][3]
    assert level["subject"] == {"type": "stock_level", "id": f"{item['id']}:{place['id']}"}
    assert level["data"]["cause"] == {"movement_id": body["items"][2]["subject"]["id"]}
    assert body["next_cursor"]


async def test_a_consumer_continues_from_its_cursor_with_a_type_filter(org: Org) -> None:
    first = await org.client.get("/v1/events?types=item.created", headers=org.member)
    assert first.json() == {"items": [], "next_cursor": None}
    item = await org.item()
    await org.location()
    page = (await org.client.get("/v1/events?types=item.created", headers=org.member)).json()
    assert [e["subject"]["id"] for e in page["items"]] == [item["id"]]
    cursor = page["next_cursor"]
    await org.item()
    later = await org.client.get(
        "/v1/events", params={"after": cursor, "types": "item.created"}, headers=org.member
    )
    assert [e["type"] for e in later.json()["items"]] == ["item.created"]


async def test_a_long_poll_returns_the_event_committed_while_it_waits(org: Org) -> None:
    await org.item()  # so that the org has a cursor to wait after
    # Its event shows once settled (ADR 0020); a busy machine may take a moment: wait for it.
    first = await org.client.get("/v1/events", params={"wait": 10}, headers=org.member)
    assert [e["type"] for e in first.json()["items"]] == ["item.created"]
    cursor = first.json()["next_cursor"]
    waiting = asyncio.create_task(
        org.client.get("/v1/events", params={"after": cursor, "wait": 20}, headers=org.member)
    )
    await asyncio.sleep(0.1)
    location = await org.location()
    answer = await asyncio.wait_for(waiting, 25)
    assert [e["subject"]["id"] for e in answer.json()["items"]] == [location["id"]]


async def test_an_org_sees_only_its_own_events(org: Org, other_org: Org) -> None:
    await org.item()
    body = (await other_org.client.get("/v1/events", headers=other_org.member)).json()
    assert body["items"] == []


async def test_unknown_types_bad_cursors_and_long_waits_are_422_problems(org: Org) -> None:
    for params in (
        {"types": "item.created,item.teleported"},
        {"after": "not-a-cursor"},
        {"wait": "31"},
        {"limit": "0"},
    ):
        response = await org.client.get("/v1/events", params=params, headers=org.member)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "teleported" not in response.text


async def test_a_cursor_older_than_the_retention_is_410_cursor_expired(org: Org) -> None:
    stale = FeedCursor(1, 1, datetime.now(UTC) - timedelta(days=8)).encode()
    response = await org.client.get("/v1/events", params={"after": stale}, headers=org.member)
    assert response.status_code == 410
    assert response.json()["code"] == "cursor_expired"


async def test_the_feed_needs_a_token(org: Org) -> None:
    response = await org.client.get("/v1/events")
    assert response.status_code == 401
