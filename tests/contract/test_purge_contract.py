"""RecordPurge on both adapters: keys older than 24 h go, younger ones stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.clock import ManualClock
from adapters.memory.purge import InMemoryRecordPurge
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from adapters.postgres.purge import PostgresRecordPurge
from adapters.postgres.uow import Pool, PostgresUnitOfWorkFactory
from application.ports import RecordPurge, UnitOfWorkFactory
from application.use_cases.purge import PurgeHandler
from tests.contract.conftest import new_org


async def claim(uow_factory: UnitOfWorkFactory, org: str, key: str, clock: ManualClock) -> None:
    async with uow_factory(org) as uow:
        await uow.idempotency.claim(key, "fingerprint", clock.now())
        await uow.idempotency.complete(key, {"ok": True})
        await uow.commit()


@pytest.mark.parametrize("backend", ["memory", "postgres"])
async def test_a_purge_deletes_only_keys_older_than_a_day(backend: str, pool: Pool) -> None:
    clock = ManualClock()
    record_purge: RecordPurge
    if backend == "memory":
        db = InMemoryDatabase()
        uow_factory: UnitOfWorkFactory = InMemoryUnitOfWorkFactory(db)
        record_purge = InMemoryRecordPurge(db)
    else:
        uow_factory = PostgresUnitOfWorkFactory(pool)
        record_purge = PostgresRecordPurge(pool)
        clock.set(clock.now().replace(year=2020))  # far enough back for the database's floor
    org = new_org()
    await claim(uow_factory, org, "old", clock)
    clock.advance(timedelta(hours=25).total_seconds())
    await claim(uow_factory, org, "young", clock)

    purged = await PurgeHandler(clock, record_purge)()

    assert purged.idempotency_keys >= 1
    async with uow_factory(org) as uow:
        assert await uow.idempotency.claim("young", "fingerprint", clock.now()) is not None
        assert await uow.idempotency.claim("old", "fingerprint", clock.now()) is None
