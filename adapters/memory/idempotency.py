"""In-memory idempotency keys, part of the org's transactional state."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.state import IdempotencyRecord, OrgState
from application.errors import IdempotencyKeyReused, RequestInProgress
from application.ports import IdempotencyStore, StoredResult


class InMemoryIdempotencyStore(IdempotencyStore):
    """Keys of one org; units of work are serialized, so a duplicate sees the committed first."""

    def __init__(self, state: OrgState) -> None:
        self._keys = state.idempotency

    async def claim(self, key: str, fingerprint: str, now: datetime) -> StoredResult | None:
        record = self._keys.get(key)
        if record is None:
            self._keys[key] = IdempotencyRecord(fingerprint, now)
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
        if record.result is None:  # claims only become visible once committed with a result
            raise RequestInProgress("a request with this Idempotency-Key is still in progress")
        return StoredResult(record.result)

    async def complete(self, key: str, result: dict[str, object]) -> None:
        self._keys[key].result = result
