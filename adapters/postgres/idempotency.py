"""Idempotency keys of one org, claimed inside the transaction of the change they guard."""

from __future__ import annotations

from datetime import datetime, timedelta

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from adapters.postgres.repository import Repository
from application.errors import IdempotencyKeyReused, RequestInProgress
from application.ports import IdempotencyStore, StoredResult

# How long a duplicate waits for the first request's transaction before giving up (409).
CLAIM_WAIT = timedelta(seconds=5)

# lock_timeout is set for this transaction only (set_config(..., true): pooler-safe) and put
# back right after the claim, so stock-level row locks later in the unit of work wait as usual.
BOUND_WAIT = """
SELECT current_setting('lock_timeout') AS previous, set_config('lock_timeout', %(timeout)s, true)
"""
RESTORE_WAIT = "SELECT set_config('lock_timeout', %(previous)s, true)"
# A concurrent duplicate blocks here on the primary key until the first transaction ends.
CLAIM_KEY = """
INSERT INTO idempotency_keys (org_id, key, fingerprint, created_at)
VALUES (%(org_id)s, %(key)s, %(fingerprint)s, %(now)s)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING key
"""
SELECT_KEY = """
SELECT fingerprint, result FROM idempotency_keys WHERE org_id = %(org_id)s AND key = %(key)s
"""
COMPLETE_KEY = """
UPDATE idempotency_keys SET result = %(result)s WHERE org_id = %(org_id)s AND key = %(key)s
"""


class PostgresIdempotencyStore(Repository, IdempotencyStore):
    """Keys of one org; the claim and the change commit or roll back together."""

    async def claim(self, key: str, fingerprint: str, now: datetime) -> StoredResult | None:
        timeout = f"{int(CLAIM_WAIT.total_seconds() * 1000)}ms"
        try:  # one flight: the bounded wait and the claim (ADR 0035)
            bound, claimed = await self._many(
                [
                    (BOUND_WAIT, {"timeout": timeout}, "one"),
                    (CLAIM_KEY, {"key": key, "fingerprint": fingerprint, "now": now}, "one"),
                ]
            )
        except pg_errors.LockNotAvailable:
            raise RequestInProgress(
                "a request with this Idempotency-Key is still in progress"
            ) from None
        # Deferred: it goes first in the next flight, before any stock-level lock is asked for.
        self._defer(RESTORE_WAIT, {"previous": bound["previous"] if bound else "0"})
        if claimed is not None:
            return None
        stored = await self._one(SELECT_KEY, {"key": key})
        if stored is None:  # the first request rolled back between our insert and select
            raise RequestInProgress("a request with this Idempotency-Key is still in progress")
        if stored["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
        if stored["result"] is None:
            raise RequestInProgress("a request with this Idempotency-Key is still in progress")
        return StoredResult(stored["result"])

    async def complete(self, key: str, result: dict[str, object]) -> None:
        # Deferred: it travels with the commit.
        self._defer(COMPLETE_KEY, {"key": key, "result": Jsonb(result)})
