"""Direct routes answer exactly as FastAPI would: one app with them, one without, same inputs.

The edge serves ``GET /v1/stock-levels`` and ``POST /v1/reservations`` itself (ADR 0015). Any
drift from the documented FastAPI routes (a status, a header, a field, an error's wording)
fails here: hypothesis sends both apps the same requests, valid and hostile, with every kind
of credential.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import app_settings, client_for, new_org_id, running
from tests.integration.factories import Org
from tests.integration.hostile import crafted_cursors, encoded

COMPARED_HEADERS = ("content-type", "www-authenticate", "cache-control", "ratelimit-limit")


@pytest.fixture
async def twin_apps(database_url: str, data_dir: Any) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    """The app as served (direct routes on) and the same app with every route on FastAPI."""
    settings = app_settings(database_url, data_dir)
    async with running(settings) as direct, running_without_direct(settings) as framework:
        yield direct, framework


def running_without_direct(settings: Any) -> AbstractAsyncContextManager[FastAPI]:
    return running(settings, direct_routes=False)


async def both(
    apps: tuple[FastAPI, FastAPI], path: str, headers: dict[str, str]
) -> tuple[httpx.Response, httpx.Response]:
    answers = []
    for app in apps:
        async with client_for(app) as client:
            answers.append(await client.get(path, headers=headers))
    return answers[0], answers[1]


def assert_same(direct: httpx.Response, framework: httpx.Response) -> None:
    assert direct.status_code == framework.status_code, (direct.text, framework.text)
    for name in COMPARED_HEADERS:
        assert direct.headers.get(name) == framework.headers.get(name), name
    assert direct.json() == framework.json()


values = st.one_of(
    st.uuids().map(str),
    crafted_cursors,  # the cursor is parsed by the use case both routes share; held alike here
    st.tuples(st.uuids(), st.uuids()).map(
        lambda k: encoded(["stock-levels", str(k[0]), str(k[1])])
    ),
    st.sampled_from(["", "true", "false", "1", "0", "yes", "no", "201", "0", "-1", "5", "1e3"]),
    st.text(max_size=40),
    st.text(alphabet="abcdef0123456789-", min_size=30, max_size=40),
)
names = st.sampled_from(
    [
        "item_id",
        "location_id",
        "below_reorder_point",
        "limit",
        "cursor",
        "cursor",
        "other",
        "ITEM_ID",
    ]
)
queries = st.lists(st.tuples(names, values), max_size=5)


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name)}={quote(value)}" for name, value in pairs)


@pytest.fixture
def credentials(twin_apps: tuple[FastAPI, FastAPI]) -> dict[str, dict[str, str]]:
    issuer = twin_apps[0].state.stockroom.dev_issuer
    org = new_org_id()
    member = issuer.mint(user_id="u_member", org_id=org, role="member", email=None)
    no_org = issuer.mint(user_id="u_loose", org_id=None, role=None, email=None)
    return {
        "member": {"Authorization": f"Bearer {member}"},
        "none": {},
        "forged": {"Authorization": f"Bearer {member[:-4]}AAAA"},
        "no_org": {"Authorization": f"Bearer {no_org}"},
        "not_bearer": {"Authorization": f"Basic {member}"},
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pairs=queries, who=st.sampled_from(["member", "none", "forged", "no_org", "not_bearer"]))
async def test_any_query_gets_the_same_answer_from_the_direct_route_and_from_fastapi(
    twin_apps: tuple[FastAPI, FastAPI],
    credentials: dict[str, dict[str, str]],
    pairs: list[tuple[str, str]],
    who: str,
) -> None:
    direct, framework = await both(
        twin_apps, f"/v1/stock-levels?{query_string(pairs)}", credentials[who]
    )
    assert_same(direct, framework)


async def test_the_stock_check_by_item_reads_the_same_through_both(
    twin_apps: tuple[FastAPI, FastAPI], auth: Callable[..., dict[str, str]]
) -> None:
    # ``?item_id=<UUID>`` alone has a parsing shortcut on the direct route; its neighbours don't.
    org_id = new_org_id()
    async with client_for(twin_apps[0]) as client:
        org = Org(client, org_id, auth(org_id, "admin"), auth(org_id, "member"))
        item, here = await org.stocked(7)
        await org.reserve(item, here, 2)
        await org.stocked(3)  # another item's level, which the filter must leave out
    item_id = item["id"]
    for query in (
        f"item_id={item_id}",
        f"item_id={item_id.upper()}",
        f"item_id={item_id.replace('-', '')}",
        f"item_id={item_id}&item_id={item_id}",
        f"item_id={item_id}&limit=0",
        f"item_id={item_id[:-1]}g",
        f"item_id={item_id}0",
    ):
        direct, framework = await both(twin_apps, f"/v1/stock-levels?{query}", org.member)
        assert_same(direct, framework)
        if direct.status_code == 200:
            assert [level["available"] for level in direct.json()["items"]] == [5], query


async def test_pages_of_real_levels_read_the_same_through_both(
    twin_apps: tuple[FastAPI, FastAPI], auth: Callable[..., dict[str, str]]
) -> None:
    org_id = new_org_id()
    async with client_for(twin_apps[0]) as client:
        org = Org(client, org_id, auth(org_id, "admin"), auth(org_id, "member"))
        item, here = await org.stocked(7)
        await org.reserve(item, here, 2)
        for _ in range(3):
            await org.stocked(1)
    first, first_again = await both(twin_apps, "/v1/stock-levels?limit=2", org.member)
    assert_same(first, first_again)
    cursor = first.json()["next_cursor"]
    assert cursor is not None
    rest, rest_again = await both(
        twin_apps, f"/v1/stock-levels?limit=2&cursor={cursor}", org.member
    )
    assert_same(rest, rest_again)
    levels = first.json()["items"] + rest.json()["items"]
    assert len(levels) == 4
    held = next(level for level in levels if level["item_id"] == item["id"])
    assert (held["on_hand"], held["reserved"], held["available"]) == (7, 2, 5)


# --- POST /v1/reservations ---------------------------------------------------------------
# Bodies name "ITEM" and "LOC"; each app gets its own stocked item and location in place of
# them, so both see the same state. The reply's ids and times are put back to compare.

ITEM, LOC = "ITEM", "LOC"
quantities = st.one_of(
    st.integers(min_value=-2, max_value=12), st.sampled_from([0, 10**12, 10**13, "5", 5.0, None])
)
line_bodies = st.fixed_dictionaries(
    {"item_id": st.sampled_from([ITEM, "not-a-uuid"]), "location_id": st.just(LOC)},
    optional={"quantity": quantities, "extra": st.just(1)},
)
reservation_bodies = st.one_of(
    st.fixed_dictionaries(
        {"lines": st.lists(line_bodies, max_size=3)},
        optional={
            "reference": st.one_of(st.none(), st.text(max_size=5), st.just("x\x00")),
            "ttl_seconds": st.one_of(st.none(), st.integers(-1, 10**9), st.just(True)),
            "unknown": st.just("field"),
        },
    ),
    st.just([]),
    st.just(None),
)
raw_bodies = st.one_of(
    reservation_bodies.map(lambda body: ("json", body)),
    st.sampled_from([b"", b"{", b'{"lines": [}', b"\xff\xfe\x00", b"null", b"[1, 2]"]).map(
        lambda raw: ("raw", raw)
    ),
)
keys = st.one_of(st.none(), st.sampled_from(["k-1", "", "x" * 256, " spaced key "]))


async def stocked(app: FastAPI, headers: dict[str, str], quantity: int) -> dict[str, str]:
    async with client_for(app) as client:
        org = Org(client, "", headers, headers)
        item, location = await org.stocked(quantity)
    return {ITEM: item["id"], LOC: location["id"]}


def substituted(raw: Any, ids: dict[str, str]) -> bytes:
    kind, value = raw
    if kind == "raw":
        return bytes(value)
    text = json.dumps(value)
    for placeholder, real in ids.items():
        text = text.replace(f'"{placeholder}"', f'"{real}"')
    return text.encode()


def normalized(response: httpx.Response, ids: dict[str, str]) -> Any:
    text = response.text
    for placeholder, real in ids.items():
        text = text.replace(real, placeholder)
    body = json.loads(text) if text else None
    if response.status_code == 201:
        assert response.headers["location"] == f"/v1/reservations/{body['id']}"
        body = {**body, "id": "ID", "created_at": "T", "expires_at": body["expires_at"] and "T"}
    return body


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=raw_bodies, key=keys, who=st.sampled_from(["admin", "none", "forged", "no_org"]))
async def test_any_reservation_request_gets_the_same_answer_from_both(
    twin_apps: tuple[FastAPI, FastAPI],
    auth: Callable[..., dict[str, str]],
    credentials: dict[str, dict[str, str]],
    raw: Any,
    key: str | None,
    who: str,
) -> None:
    answers = []
    for app in twin_apps:
        admin = auth(new_org_id(), "admin", "u_admin")
        ids = await stocked(app, admin, 10)
        headers = {**(admin if who == "admin" else credentials[who])}
        headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        async with client_for(app) as client:
            response = await client.post(
                "/v1/reservations", content=substituted(raw, ids), headers=headers
            )
        answers.append((response, ids))
    (direct, direct_ids), (framework, framework_ids) = answers
    assert direct.status_code == framework.status_code, (direct.text, framework.text)
    for name in (*COMPARED_HEADERS, "etag", "idempotent-replayed"):
        assert direct.headers.get(name) == framework.headers.get(name), name
    assert normalized(direct, direct_ids) == normalized(framework, framework_ids)


async def test_a_replayed_reservation_reads_the_same_through_both(
    twin_apps: tuple[FastAPI, FastAPI], auth: Callable[..., dict[str, str]]
) -> None:
    replies = []
    for app in twin_apps:
        admin = auth(new_org_id(), "admin", "u_admin")
        ids = await stocked(app, admin, 10)
        body = {"lines": [{"item_id": ids[ITEM], "location_id": ids[LOC], "quantity": 3}]}
        headers = {**admin, "Idempotency-Key": "same-key"}
        async with client_for(app) as client:
            first = await client.post("/v1/reservations", json=body, headers=headers)
            again = await client.post("/v1/reservations", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        replies.append((again, ids))
    (direct, direct_ids), (framework, framework_ids) = replies
    assert direct.headers["idempotent-replayed"] == framework.headers["idempotent-replayed"]
    assert normalized(direct, direct_ids) == normalized(framework, framework_ids)
