"""The retention purge on both backends: what it deletes, what it keeps, and the counts it gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.rate_limiting import HitCounter
from application.ports import FeedQuery, RecordPurge, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.purge import PurgeHandler
from tests.contract import builders


async def claim(uow_factory: UnitOfWorkFactory, org: str, key: str, clock: ManualClock) -> None:
    async with uow_factory(org) as uow:
        await uow.idempotency.claim(key, "fingerprint", clock.now())
        await uow.idempotency.complete(key, {"ok": True})
        await uow.commit()


async def test_a_purge_deletes_keys_older_than_a_day_and_windows_older_than_an_hour(
    uow_factory: UnitOfWorkFactory,
    record_purge: RecordPurge,
    hit_counter: HitCounter,
    clock: ManualClock,
    org: str,
) -> None:
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))  # far enough back for the database's 24-h floor
    await claim(uow_factory, org, "old", clock)
    old_window = int(clock.now().timestamp())
    await hit_counter.add(f"{org}:old", old_window, 4)
    clock.advance(timedelta(hours=25).total_seconds())
    await claim(uow_factory, org, "young", clock)
    young_window = int(clock.now().timestamp()) - 60
    await hit_counter.add(f"{org}:young", young_window, 5)

    purged = await PurgeHandler(clock, record_purge)()

    # Other tests' records may go too (the Postgres tables are shared), never fewer than ours.
    assert purged.idempotency_keys >= 1 and purged.rate_limit_windows >= 1
    async with uow_factory(org) as uow:
        young = await uow.idempotency.claim("young", "fingerprint", clock.now())
        assert young is not None and young.result == {"ok": True}  # still replayed
        assert await uow.idempotency.claim("old", "fingerprint", clock.now()) is None  # free
    assert await hit_counter.add(f"{org}:old", old_window, 1) == 1  # gone: starts again
    assert await hit_counter.add(f"{org}:young", young_window, 1) == 6


async def test_a_purge_deletes_events_past_their_retention_and_keeps_the_rest(
    uow_factory: UnitOfWorkFactory, record_purge: RecordPurge, clock: ManualClock, org: str
) -> None:
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))
    who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
    deps = Deps(uow=uow_factory, clock=clock, ids=UuidGenerator())
    await builders.item(deps, who)
    clock.advance(timedelta(days=3).total_seconds())
    kept = await builders.item(deps, who)

    purged = await PurgeHandler(clock, record_purge, event_retention_days=2)()

    assert purged.events >= 1
    async with uow_factory(org, read_only=True) as uow:
        left = await uow.events.list(FeedQuery())
    assert [e.event.subject_id for e in left] == [str(kept.id)]
