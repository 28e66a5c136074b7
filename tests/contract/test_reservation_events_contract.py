"""The events of a keyless one-line reservation, written by SQL in its one flight (ADR 0036),
equal those the general path composes in Python for the same reservation: types, order,
subjects, times, payloads and ids. Both runs start from the same ids in orgs of their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from application.ports import UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from domain.events import Event
from domain.reservations import LineQuantity
from tests.contract import builders
from tests.contract.conftest import new_org
from tests.contract.feed import read_all

ON_HAND = 10


class CountingIds:
    """Ids 1, 2, 3...: two runs that draw as many get the same ones."""

    def __init__(self) -> None:
        self._drawn = 0

    def new_id(self) -> UUID:
        self._drawn += 1
        return UUID(int=self._drawn)


async def _announced(
    uow_factory: UnitOfWorkFactory,
    *,
    idempotency_key: str | None,
    reorder_point: int | None,
    quantity: int,
    ttl_seconds: int | None,
    expired_hold: bool = False,
) -> list[Event]:
    """What reserving ``quantity`` of ``ON_HAND`` wrote to the feed of a new org."""
    # Microseconds in every timestamp: the SQL must write them as Python does.
    clock = ManualClock(datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC))
    deps = Deps(uow=uow_factory, clock=clock, ids=CountingIds())
    who = Principal.from_claims(user_id="user_admin", org_id=new_org(), raw_role="admin")
    item = await builders.item(deps, who, sku="SKU-1", reorder_point=reorder_point)
    here = await builders.location(deps, who, code="LOC-1")
    await builders.receive(deps, who, item.id, here.id, ON_HAND)
    if expired_hold:
        await builders.reserve(deps, who, item.id, here.id, 3, ttl_seconds=60)
        clock.advance(120)
    _, cursor = await read_all(deps, who)
    command = CreateReservation(
        lines=(LineQuantity(item.id, here.id, quantity),),
        reference="order-7",
        ttl_seconds=ttl_seconds,
    )
    await CreateReservationHandler(deps)(who, command, idempotency_key)
    return (await read_all(deps, who, cursor))[0]


@pytest.mark.parametrize(
    ("reorder_point", "quantity", "ttl_seconds", "types"),
    [
        (None, 2, None, ["reservation.created", "stock_level.changed"]),
        (8, 2, 3600, ["reservation.created", "stock_level.changed"]),  # 10 -> 8: not below 8
        (9, 2, None, ["reservation.created", "stock_level.changed", "stock_level.low"]),
        (10, 2, None, ["reservation.created", "stock_level.changed", "stock_level.low"]),
        (None, 10, 60, ["reservation.created", "stock_level.changed", "stock_level.out"]),
        (
            5,
            10,
            None,
            [
                "reservation.created",
                "stock_level.changed",
                "stock_level.low",
                "stock_level.out",
            ],
        ),
    ],
)
async def test_the_one_flight_reservation_announces_what_the_general_path_does(
    uow_factory: UnitOfWorkFactory,
    reorder_point: int | None,
    quantity: int,
    ttl_seconds: int | None,
    types: list[str],
) -> None:
    case = {"reorder_point": reorder_point, "quantity": quantity, "ttl_seconds": ttl_seconds}
    one_flight = await _announced(uow_factory, idempotency_key=None, **case)
    # With an Idempotency-Key the reservation takes the path whose events Python composes.
    composed = await _announced(uow_factory, idempotency_key="same-reservation", **case)

    assert [event.type.value for event in composed] == types
    assert one_flight == composed


async def test_past_an_expired_hold_the_general_path_announces_as_with_a_key(
    uow_factory: UnitOfWorkFactory,
) -> None:
    # The flight writes nothing (its statement leaves expired holds to the general path),
    # yet drew its events' ids: the events must match but for those.
    case = {"reorder_point": None, "quantity": 4, "ttl_seconds": None, "expired_hold": True}
    fallback = await _announced(uow_factory, idempotency_key=None, **case)
    composed = await _announced(uow_factory, idempotency_key="same-reservation", **case)

    assert [event.type.value for event in composed] == [
        "reservation.expired",
        "reservation.created",
        "stock_level.changed",
    ]
    assert _without_ids(fallback) == _without_ids(composed)


def _without_ids(events: list[Event]) -> list[Event]:
    return [replace(event, id=UUID(int=0)) for event in events]
