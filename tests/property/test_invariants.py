"""The inventory state machine on the in-memory adapters (Postgres: tests/postgres)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.memory.expired_reservations import InMemoryExpiredReservations
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from application.use_cases.base import Deps
from tests.property.machine import Backend, InventoryMachine

MEMORY_SETTINGS = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def memory_backend(loop: asyncio.AbstractEventLoop) -> Backend:
    db = InMemoryDatabase()
    deps = Deps(InMemoryUnitOfWorkFactory(db), ManualClock(), UuidGenerator())
    return Backend(deps, InMemoryExpiredReservations(db), loop)


def test_every_invariant_holds_under_random_operations_in_memory() -> None:
    loop = asyncio.new_event_loop()
    try:
        run_state_machine_as_test(
            lambda: InventoryMachine(memory_backend(loop)), settings=MEMORY_SETTINGS
        )
    finally:
        loop.close()
