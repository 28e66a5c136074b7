"""Translate driver errors into application errors (by SQLSTATE class and constraint name)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import psycopg
from psycopg import errors as pg_errors

from application.errors import StorageUnavailable
from domain.errors import AlreadyReversed, Conflict

# Unique indexes whose violation is a client-facing Conflict, by name (never by message text).
UNIQUE_CONFLICTS: dict[str, Callable[[], Conflict]] = {
    "items_org_sku_key": lambda: Conflict("an item with this sku already exists", field="sku"),
    "locations_org_code_key": lambda: Conflict(
        "a location with this code already exists", field="code"
    ),
    # A backstop: reversals lock their original first, so two never reach the commit.
    "movements_reverses_key": lambda: AlreadyReversed("the movement was reversed already"),
}


def conflict_for(exc: pg_errors.UniqueViolation) -> Conflict | None:
    """The domain Conflict a unique violation stands for, if it is one clients can cause."""
    known = UNIQUE_CONFLICTS.get(exc.diag.constraint_name or "")
    return None if known is None else known()


# Connection lost, pool exhausted or closed, server shutting down, deadlock, serialization
# failure: OperationalError and its subclasses (PoolTimeout included). InterfaceError: a
# connection the driver knows is closed. InternalError: behind a pooler a killed server
# connection can surface as a protocol desync ("received 2 results from command 'COMMIT'").
UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError, psycopg.InternalError)


def is_unavailable(exc: BaseException) -> bool:
    """True for driver errors that mean "the database cannot serve this now; retry later"."""
    return isinstance(exc, UNAVAILABLE)


def unavailable(exc: BaseException) -> StorageUnavailable:
    """The StorageUnavailable for a driver error (no SQL or server text reaches clients)."""
    return StorageUnavailable(f"the database is unavailable ({type(exc).__name__})")


@asynccontextmanager
async def storage_errors() -> AsyncIterator[None]:
    """Re-raise driver availability errors as StorageUnavailable."""
    try:
        yield
    except UNAVAILABLE as exc:
        raise unavailable(exc) from exc
