"""The role matrix of docs/design.md §5, checked against every use case."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import pytest

from application.errors import PermissionDenied
from application.principal import Principal
from tests.unit.authorization import calls
from tests.unit.conftest import Given, principal

ANYONE = {"member", "admin", "owner"}
ADMINS = {"admin", "owner"}

# use case (a function in calls.py) -> the roles allowed to call it
MATRIX: dict[str, set[str]] = {
    # read items, locations, stock, movements, reservations
    "get_item": ANYONE,
    "list_items": ANYONE,
    "get_location": ANYONE,
    "list_locations": ANYONE,
    "list_stock_levels": ANYONE,
    "get_movement": ANYONE,
    "list_movements": ANYONE,
    "get_reservation": ANYONE,
    "list_reservations": ANYONE,
    "get_transfer": ANYONE,
    "list_transfers": ANYONE,
    "get_count": ANYONE,
    "list_counts": ANYONE,
    # receipts, shipments, transfers; create/release/fulfil/extend reservations
    "post_receipt": ANYONE,
    "post_shipment": ANYONE,
    "post_transfer": ANYONE,
    "create_a_reservation": ANYONE,
    "release_a_reservation": ANYONE,
    "fulfil_a_reservation": ANYONE,
    "extend_a_reservation": ANYONE,
    "ship_a_transfer": ANYONE,
    "receive_a_transfer": ANYONE,
    "cancel_a_transfer": ANYONE,
    # counting in a count session
    "record_counted_lines": ANYONE,
    # adjustments, counts; count sessions opened, posted, cancelled; reversals
    "post_adjustment": ADMINS,
    "post_count": ADMINS,
    "open_a_count": ADMINS,
    "post_a_count": ADMINS,
    "cancel_a_count": ADMINS,
    "reverse_a_movement": ADMINS,
    # create/update/archive items and locations
    "create_an_item": ADMINS,
    "update_an_item": ADMINS,
    "archive_an_item": ADMINS,
    "create_a_location": ADMINS,
    "update_a_location": ADMINS,
    "archive_a_location": ADMINS,
}
ROLES = ("member", "admin", "owner")


def call(name: str) -> Callable[[Given, Principal], Awaitable[object]]:
    return getattr(calls, name)  # type: ignore[no-any-return]


def test_the_matrix_covers_every_call() -> None:
    defined = {
        name
        for name, value in vars(calls).items()
        if inspect.iscoroutinefunction(value)
        and value.__module__ == calls.__name__
        and not name.startswith("_")
    }

    assert defined == set(MATRIX)


@pytest.mark.parametrize(("use_case", "role"), [(name, role) for name in MATRIX for role in ROLES])
async def test_each_role_may_do_exactly_what_the_matrix_allows(
    given: Given, org_id: str, use_case: str, role: str
) -> None:
    who = principal(org_id, role)

    if role in MATRIX[use_case]:
        assert await call(use_case)(given, who) is not None
    else:
        with pytest.raises(PermissionDenied):
            await call(use_case)(given, who)


@pytest.mark.parametrize("use_case", list(MATRIX))
async def test_an_unknown_role_or_a_token_without_an_org_may_do_nothing(
    given: Given, unknown_role: Principal, no_org: Principal, use_case: str
) -> None:
    for who in (unknown_role, no_org):
        with pytest.raises(PermissionDenied) as refused:
            await call(use_case)(given, who)
        assert refused.value.code == "forbidden"
