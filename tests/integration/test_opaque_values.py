"""Every opaque value a client sends back is hostile until parsed: cursors, entity tags, ids.

Tampered or crafted, each answers a 4xx problem (422 for a cursor, 412 for an If-Match that
names no current version, 404/422 for an id), never a 500; a cursor of another list is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.integration.factories import Org, org_fixture  # noqa: F401
from tests.integration.hostile import crafted_cursors, encoded, mutated

LISTS = ["/v1/items", "/v1/locations", "/v1/stock-levels", "/v1/movements", "/v1/reservations"]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
async def paged(org: Org) -> dict[str, str]:
    """A real next_cursor of every list of a small org."""
    for _ in range(2):
        item, location = await org.stocked(5)
        await org.reserve(item, location, 1)
    cursors = {}
    for path in LISTS:
        page = await org.client.get(path, params={"limit": 1}, headers=org.member)
        cursors[path] = page.json()["next_cursor"]
        assert cursors[path], path
    return cursors


async def assert_refused_or_served(org: Org, path: str, cursor: str) -> int:
    response = await org.client.get(path, params={"cursor": cursor}, headers=org.member)
    assert response.status_code in (200, 422), (path, cursor, response.text)
    if response.status_code == 422:
        body = response.json()
        fields = {body.get("field")} | {e["field"] for e in body.get("errors", [])}
        assert body["code"] == "validation_failed" and "cursor" in fields, body
    return response.status_code


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "cursor",
    [
        encoded(["\x00"]),
        encoded(["a\x00b", "00000000-0000-4000-8000-000000000000"]),
        encoded(["\ud800"]),
        encoded(["2026-03-02T09:00:00+00:00", "\ud800"]),
        encoded([1]),
        encoded([None, None]),
        encoded({"sku": "a"}),
        encoded("a"),
        encoded([]),
        encoded(["[" * 700]),
        "%%%",
        "W1siWyJd",
    ],
)
async def test_a_crafted_cursor_is_422_on_every_list(org: Org, path: str, cursor: str) -> None:
    assert await assert_refused_or_served(org, path, cursor) == 422


@pytest.mark.parametrize(("path", "other"), [(a, b) for a in LISTS for b in LISTS if a != b])
async def test_the_cursor_of_another_list_is_422(
    org: Org, paged: dict[str, str], path: str, other: str
) -> None:
    assert await assert_refused_or_served(org, path, paged[other]) == 422


@SETTINGS
@given(data=st.data(), path=st.sampled_from(LISTS))
async def test_tampered_and_crafted_cursors_never_fail_the_server(
    org: Org, paged: dict[str, str], data: Any, path: str
) -> None:
    cursor = data.draw(st.one_of(crafted_cursors, mutated(paged[path])))
    await assert_refused_or_served(org, path, cursor)


# Entity tags as RFC 9110 writes them: ours, other numbers, weak ones, anything quoted.
_etagc = st.text(alphabet=st.characters(min_codepoint=0x23, max_codepoint=0x7E), max_size=6)
_tags = st.one_of(
    st.integers(min_value=0, max_value=10**20).map(lambda n: f'"{n}"'),
    st.integers(min_value=0, max_value=9).map(lambda n: f'W/"{n}"'),
    _etagc.map(lambda text: f'"{text}"'),
)


async def patch_with(org: Org, header: str) -> tuple[str, int]:
    """PATCH a new item with ``If-Match: header``; its ETag and the answer's status."""
    item = await org.item()
    response = await org.client.patch(
        f"/v1/items/{item['id']}",
        json={"name": "Renamed"},
        headers={**org.admin, "If-Match": header.encode("latin-1")},
    )
    if response.status_code != 200:
        assert response.status_code == 412, (header, response.text)
        assert response.json()["code"] == "version_mismatch"
    return f'"{item["version"]}"', response.status_code


@SETTINGS
@given(tags=st.lists(_tags, max_size=4), at=st.integers(min_value=0, max_value=4))
async def test_if_match_holds_when_any_listed_tag_is_current(
    org: Org, tags: list[str], at: int
) -> None:
    with_current = [*tags[:at], '"1"', *tags[at:]]  # a new item is at version 1

    current, status = await patch_with(org, ", ".join(with_current))
    assert (current, status) == ('"1"', 200)
    others = [tag for tag in tags if tag.removeprefix("W/") != current]
    assert (await patch_with(org, ", ".join(others)))[1] == 412


@SETTINGS
@given(header=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30))
async def test_any_if_match_text_is_200_or_412(org: Org, header: str) -> None:
    await patch_with(org, header)


@SETTINGS
@given(raw=st.text(min_size=1, max_size=40), route=st.sampled_from(LISTS))
async def test_a_tampered_id_in_a_path_is_a_problem_not_a_failure(
    org: Org, raw: str, route: str
) -> None:
    assume(raw not in {".", ".."})  # the client resolves these: another path, not an id
    if route == "/v1/stock-levels":
        route = "/v1/items"  # levels have no path of their own
    response = await org.client.get(f"{route}/{quote(raw, safe='')}", headers=org.member)

    # 404 or 422 as a problem; an id that routing reads as a slash is redirected (307).
    assert 300 <= response.status_code < 500, (raw, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
