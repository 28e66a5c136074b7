"""Direct routes answer exactly as FastAPI would: one app with them, one without, same inputs.

The edge serves ``GET /v1/stock-levels`` itself (ADR 0015). Any drift from the documented
FastAPI route (a status, a header, a field, an error's wording) fails here: hypothesis sends
both apps the same query strings, valid and hostile, with every kind of credential.
"""

from __future__ import annotations

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
