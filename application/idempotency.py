"""Run a write once per Idempotency-Key: the first result is stored and later replayed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from application import codec
from application.ports import UnitOfWork
from domain.errors import ValidationFailed

T = TypeVar("T")
MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """A write's result; ``replayed`` when it was stored by an earlier identical request."""

    value: T
    replayed: bool = False


async def run_once(
    uow: UnitOfWork,
    *,
    key: str | None,
    operation: str,
    command: object,
    result_type: type[T],
    now: datetime,
    work: Callable[[], Awaitable[T]],
) -> Outcome[T]:
    """Inside an open unit of work: claim the key, do the work, store its result, commit."""
    if key is not None:
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationFailed(
                f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters",
                field="Idempotency-Key",
            )
        stored = await uow.idempotency.claim(key, codec.fingerprint(operation, command), now)
        if stored is not None:
            return Outcome(codec.decode(result_type, stored.result), replayed=True)
    value = await work()
    if key is not None:
        await uow.idempotency.complete(key, codec.encode(value))
    await uow.commit()
    return Outcome(value)
