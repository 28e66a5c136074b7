"""The lot state machine, with transfers in transit of lots, on the in-memory adapters
(Postgres: tests/postgres)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from application.use_cases.base import Deps
from tests.property.transit_lot_machine import TransitLotMachine

MEMORY_SETTINGS = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_lot_invariants_hold_under_random_operations_in_memory() -> None:
    loop = asyncio.new_event_loop()
    try:

        def machine() -> TransitLotMachine:
            db = InMemoryDatabase()
            return TransitLotMachine(
                Deps(InMemoryUnitOfWorkFactory(db), ManualClock(), UuidGenerator()), loop
            )

        run_state_machine_as_test(machine, settings=MEMORY_SETTINGS)
    finally:
        loop.close()
