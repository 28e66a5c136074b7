"""The cross-org purge keeps every idempotency key younger than 24 hours."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from adapters.postgres.purge import PostgresRecordPurge
from tests.postgres_fixtures import PostgresBackend


async def test_purge_removes_keys_older_than_a_day_and_keeps_younger_ones(
    wide_backend: PostgresBackend,
) -> None:
    now = datetime.now(UTC)
    org = f"org_{secrets.token_hex(8)}"
    async with wide_backend.uow(org) as uow:
        for key, age in (("old", timedelta(days=2)), ("young", timedelta(hours=23))):
            await uow.idempotency.claim(key, "fp", now - age)
            await uow.idempotency.complete(key, {"key": key})
        await uow.commit()

    # Asked to purge everything up to now, it still keeps the 23-hour-old key.
    assert await PostgresRecordPurge(wide_backend.pool).purge_idempotency_keys(now) >= 1

    async with wide_backend.uow(org) as uow:
        assert await uow.idempotency.claim("old", "other", now) is None  # gone: free again
        young = await uow.idempotency.claim("young", "fp", now)
    assert young is not None and young.result == {"key": "young"}
