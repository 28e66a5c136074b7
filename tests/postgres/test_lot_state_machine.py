"""The lot state machine of tests/property on the Postgres adapters."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from application.use_cases.base import Deps
from tests.postgres_fixtures import postgres_backend_on
from tests.property.transit_lot_machine import TransitLotMachine

pytestmark = pytest.mark.slow

POSTGRES_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_lot_invariants_hold_under_random_operations_on_postgres(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    try:
        with postgres_backend_on(loop, database_url) as pg:

            def machine() -> TransitLotMachine:
                return TransitLotMachine(Deps(pg.uow, ManualClock(), UuidGenerator()), loop)

            run_state_machine_as_test(machine, settings=POSTGRES_SETTINGS)
    finally:
        loop.close()
