"""Expiry racing a settle or an extend, replayed deterministically with two connections.

A hold of 5 s; ``/fulfil`` (or ``/release``, ``/extend``) arrives at 4 s but waits on the
reservation's row lock, held by another transaction, until 6 s; meanwhile a shipment at the
level wants the stock the expired hold no longer holds. The decision is taken at the time the
lock is held: the reservation has expired, so the settle or extend is 409
``invalid_reservation_state``, and the shipment gets the stock.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import pytest
from psycopg import AsyncConnection

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from application.pagination import PageRequest
from application.ports import MovementFilter
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.extend_reservation import ExtendReservation, ExtendReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InvalidTransition
from domain.movements import MovementRequest, MovementType, QuantityLine
from domain.reservations import ReservationStatus
from domain.stock import LevelKey
from tests.contract import builders
from tests.postgres.invariants import audit
from tests.postgres_fixtures import PostgresBackend, app_url

TTL = 5
WAITING = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
"""


@asynccontextmanager
async def locking_reservation(
    database_url: str, org: str, reservation_id: UUID
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Another transaction holds the reservation's row lock until ``release()`` is awaited."""
    async with await AsyncConnection.connect(app_url(database_url), prepare_threshold=None) as conn:
        await conn.execute("SELECT set_config('app.org_id', %s, true)", [org])
        await conn.execute(
            "SELECT 1 FROM reservations WHERE org_id = %s AND id = %s FOR UPDATE",
            [org, reservation_id],
        )
        yield conn.rollback
        await conn.rollback()


async def until_waiting(database_url: str, count: int) -> None:
    """Wait until ``count`` sessions of the test database are waiting on a lock."""
    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        for _ in range(200):
            row = await (await conn.execute(WAITING)).fetchone()
            if row and row[0] >= count:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("nothing ever waited on the lock")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def deps(wide_backend: PostgresBackend, clock: ManualClock) -> Deps:
    return Deps(uow=wide_backend.uow, clock=clock, ids=UuidGenerator())


Settle = Callable[[Deps, Principal, UUID], Awaitable[Any]]


async def fulfil(deps: Deps, who: Principal, reservation_id: UUID) -> Any:
    return await FulfilReservationHandler(deps)(
        who, SettleReservation(reservation_id=reservation_id)
    )


async def release(deps: Deps, who: Principal, reservation_id: UUID) -> Any:
    return await ReleaseReservationHandler(deps)(
        who, SettleReservation(reservation_id=reservation_id)
    )


async def extend(deps: Deps, who: Principal, reservation_id: UUID) -> Any:
    command = ExtendReservation(reservation_id=reservation_id, ttl_seconds=60)
    return await ExtendReservationHandler(deps)(who, command)


@pytest.mark.parametrize("late", [fulfil, release, extend], ids=["fulfil", "release", "extend"])
async def test_a_change_that_waited_past_expiry_for_the_lock_is_refused_and_the_stock_ships(
    deps: Deps, clock: ManualClock, database_url: str, late: Settle
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
    item, here = await builders.item(deps, who), await builders.location(deps, who)
    await builders.receive(deps, who, item.id, here.id, 10)
    hold = await builders.reserve(deps, who, item.id, here.id, 4, ttl_seconds=TTL)
    start = clock.now()
    ship_all = MovementRequest(
        type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, here.id, 10),)
    )

    async with locking_reservation(database_url, org, hold.id) as let_go:
        clock.advance(TTL - 1)  # 4 s: not expired when the request arrives
        change = asyncio.create_task(late(deps, who, hold.id))
        await until_waiting(database_url, 1)
        clock.set(start)
        clock.advance(TTL + 1)  # 6 s: the lock is held from here on
        shipment = asyncio.create_task(PostMovementHandler(deps)(who, ship_all))
        await asyncio.sleep(0.3)  # the shipment runs as far as it can before the lock is let go
        await let_go()
        refused, shipped = await asyncio.gather(change, shipment, return_exceptions=True)

    assert isinstance(refused, InvalidTransition), refused
    assert refused.extra.get("status") == "expired"
    assert not isinstance(shipped, BaseException), shipped
    async with deps.uow(org) as uow:
        stored = await uow.reservations.get(hold.id)
        level = await uow.stock.get(LevelKey(item.id, here.id), clock.now())
        movements = await uow.movements.list(MovementFilter(), PageRequest())
    assert stored is not None and stored.status is ReservationStatus.EXPIRED
    assert [(line.fulfilled, line.released) for line in stored.lines] == [(0, 4)]
    assert stored.expires_at == hold.expires_at  # never extended
    assert level is not None and (level.on_hand, level.reserved) == (0, 0)
    shipments = [e.movement for e in movements if e.movement.type is MovementType.SHIPMENT]
    assert [m.reservation_id for m in shipments] == [None]
    audit(database_url, org)
