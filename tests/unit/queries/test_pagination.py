"""Keyset pagination: limit bounds, stable opaque cursors, and tampered cursors refused."""

from __future__ import annotations

import base64
from uuid import uuid4

import pytest

from application.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from application.ports import LedgerEntry
from application.principal import Principal
from application.queries.catalog import ITEMS, ListItemsHandler
from application.queries.stock import LEDGER
from application.use_cases.base import Deps
from domain.errors import ValidationFailed
from domain.movements import Movement, MovementType
from tests.unit.conftest import START, Given


async def test_pages_walk_every_item_once_in_case_insensitive_sku_order(
    deps: Deps, member: Principal, given: Given
) -> None:
    skus = ["b-2", "A-1", "c-3", "B-1", "a-2"]
    for sku in skus:
        await given.item(sku=sku)
    seen, cursor, pages = [], None, 0

    while True:
        page = await ListItemsHandler(deps)(member, 2, cursor)
        seen += [item.sku for item in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == sorted(skus, key=str.lower)
    assert pages == 3


async def test_a_cursor_stays_valid_when_rows_are_inserted_before_it(
    deps: Deps, member: Principal, given: Given
) -> None:
    for sku in ("m-1", "m-2", "m-3", "m-4"):
        await given.item(sku=sku)
    first = await ListItemsHandler(deps)(member, 2, None)

    await given.item(sku="a-0")  # sorts before the cursor
    await given.item(sku="z-9")  # sorts after it
    rest = await ListItemsHandler(deps)(member, 10, first.next_cursor)

    assert [i.sku for i in first.items] == ["m-1", "m-2"]
    assert [i.sku for i in rest.items] == ["m-3", "m-4", "z-9"]
    assert rest.next_cursor is None


async def test_an_exactly_full_last_page_has_no_next_cursor(
    deps: Deps, member: Principal, given: Given
) -> None:
    for _ in range(3):
        await given.item()

    page = await ListItemsHandler(deps)(member, 3, None)

    assert (len(page.items), page.next_cursor) == (3, None)


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
def test_a_limit_between_one_and_the_maximum_is_accepted(limit: int) -> None:
    assert PageRequest.parse(limit, None, ITEMS).limit == limit


def test_no_limit_means_the_default() -> None:
    assert PageRequest.parse(None, None, ITEMS) == PageRequest(limit=DEFAULT_LIMIT, after=None)
    assert DEFAULT_LIMIT == 50


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
async def test_a_limit_out_of_bounds_is_refused(deps: Deps, member: Principal, limit: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await ListItemsHandler(deps)(member, limit, None)
    assert refused.value.extra["field"] == "limit"


def test_a_cursor_round_trips_its_key() -> None:
    movement = Movement(
        id=uuid4(),
        type=MovementType.RECEIPT,
        reason=None,
        reference=None,
        note=None,
        actor="u",
        created_at=START,
        lines=(),
    )
    entry = LedgerEntry(position=12345, movement=movement)
    cursor = LEDGER.cursor(entry)

    assert PageRequest.parse(5, cursor, LEDGER).after == ("12345", str(movement.id))
    assert "=" not in cursor


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "%%%",
        _b64(b"not json"),
        _b64(b'{"a": 1}'),
        _b64(b'["one", "two"]'),  # wrong width for items
        _b64(b'["items", "A-1"]'),  # not lower-cased: no item cursor holds it
        _b64(b'["locations", "a-1"]'),  # another list's cursor
        _b64(b'["items", "a\\u0000"]'),
        _b64(b'["items", "\\ud800"]'),
        _b64(b"[" * 2000),
        _b64(b"[1]"),
        _b64(b"\xff\xfe"),
        "",
    ],
)
async def test_a_tampered_cursor_is_a_validation_error(
    deps: Deps, member: Principal, cursor: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await ListItemsHandler(deps)(member, 10, cursor)
    assert refused.value.extra["field"] == "cursor"
