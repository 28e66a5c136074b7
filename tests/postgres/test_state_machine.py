"""The inventory state machine of tests/property on the Postgres adapters."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from application.use_cases.base import Deps
from tests.postgres_fixtures import postgres_backend_on
from tests.property.machine import Backend, InventoryMachine

pytestmark = pytest.mark.slow

POSTGRES_SETTINGS = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_every_invariant_holds_under_random_operations_on_postgres(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    try:
        with postgres_backend_on(loop, database_url) as pg:

            def machine() -> InventoryMachine:
                deps = Deps(pg.uow, ManualClock(), UuidGenerator())
                return InventoryMachine(Backend(deps, pg.expired, loop))

            run_state_machine_as_test(machine, settings=POSTGRES_SETTINGS)
    finally:
        loop.close()
