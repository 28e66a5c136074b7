"""Backends killed mid-load: StorageUnavailable (nothing else, no hang), then recovery in place."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter

import pytest
from psycopg import AsyncConnection

from application.errors import StorageUnavailable
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InsufficientStock
from domain.reservations import LineQuantity
from tests.contract import builders
from tests.postgres.invariants import audit

pytestmark = pytest.mark.slow

TERMINATE_OTHERS = """
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND usename = current_user
"""
OPERATION_DEADLINE = 20.0  # far above any healthy operation: reaching it means a hang


async def kill_app_backends(database_url: str) -> int:
    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        cur = await conn.execute(TERMINATE_OTHERS)
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_killed_backends_raise_storage_unavailable_and_the_pool_recovers(
    wide_deps: Deps, database_url: str
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")
    item, here = await builders.item(wide_deps, who), await builders.location(wide_deps, who)
    reserve, release = CreateReservationHandler(wide_deps), ReleaseReservationHandler(wide_deps)
    hold = CreateReservation(lines=(LineQuantity(item.id, here.id, 1),))

    async def one_round() -> None:
        await builders.receive(wide_deps, who, item.id, here.id, 2)
        reservation = (await reserve(who, hold)).value
        await release(who, SettleReservation(reservation_id=reservation.id))
        await reserve(who, hold)

    outcomes: Counter[str] = Counter()
    stop = asyncio.Event()

    async def worker() -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(one_round(), OPERATION_DEADLINE)
                outcomes["ok"] += 1
            except (StorageUnavailable, InsufficientStock) as exc:
                outcomes[type(exc).__name__] += 1
            except BaseException as exc:  # anything else fails the test, hangs included
                outcomes[f"unexpected {type(exc).__name__}: {exc}"] += 1

    workers = [asyncio.create_task(worker()) for _ in range(12)]
    await asyncio.sleep(0.5)
    killed = 0
    for _ in range(3):
        killed += await kill_app_backends(database_url)
        await asyncio.sleep(0.4)
    stop.set()
    await asyncio.gather(*workers)

    assert killed > 0
    assert [o for o in outcomes if o.startswith("unexpected")] == []
    assert outcomes["StorageUnavailable"] > 0
    for _ in range(20):  # the same pool serves again: no restart
        await asyncio.wait_for(one_round(), OPERATION_DEADLINE)
    audit(database_url, org)
