"""Round trips of a reservation (ADRs 0035, 0036): a keyless one-line reservation of an
untracked item takes one flight, the level's row lock taken by its last statement before the
COMMIT, so it is held for no round trip at all; with an Idempotency-Key it takes three, the
lock held from the second to the commit's. Counted at the wire, not timed."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres import repository
from adapters.postgres.wire import Call
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from domain.errors import InsufficientStock
from domain.reservations import LineQuantity
from tests.contract import builders
from tests.postgres_fixtures import postgres_backend, through_pgbouncer

Flights = list[list[bytes]]


@pytest.fixture
def flights(monkeypatch: pytest.MonkeyPatch) -> Flights:
    """The statements of every write flight from now on, flight by flight."""
    seen: Flights = []
    real = repository.fly

    async def counted(conn: Any, calls: Sequence[Call], *, prepare: bool = True) -> list[Any]:
        seen.append([call.statement.text for call in calls])
        return await real(conn, calls, prepare=prepare)

    monkeypatch.setattr(repository, "fly", counted)
    return seen


def _locks_a_level(statement: bytes) -> bool:
    return b"UPDATE stock_levels" in statement


async def _reserve(
    database_url: str, flights: Flights, quantity: int, key: str | None = None
) -> Flights:
    async with postgres_backend(database_url, max_size=1) as backend:
        deps = Deps(uow=backend.uow, clock=SystemClock(), ids=UuidGenerator())
        admin = Principal.from_claims(
            user_id="u", org_id=f"org_{secrets.token_hex(6)}", raw_role="admin"
        )
        item, here = await builders.item(deps, admin), await builders.location(deps, admin)
        await builders.receive(deps, admin, item.id, here.id, 5)
        flights.clear()
        command = CreateReservation(lines=(LineQuantity(item.id, here.id, quantity),))
        await CreateReservationHandler(deps)(admin, command, key)
        return list(flights)


async def test_a_one_line_reservation_takes_one_flight_that_locks_the_level_then_commits(
    database_url: str, flights: Flights
) -> None:
    seen = await _reserve(database_url, flights, 2)

    assert len(seen) == 1
    (flight,) = seen
    assert flight[0] == b"BEGIN"
    assert _locks_a_level(flight[-2])
    assert not any(_locks_a_level(s) for s in flight[:-2])
    assert flight[-1] == b"COMMIT"


async def test_with_an_idempotency_key_it_takes_three_flights_the_lock_held_for_one(
    database_url: str, flights: Flights
) -> None:
    seen = await _reserve(database_url, flights, 2, key=f"k-{secrets.token_hex(4)}")

    assert len(seen) == 3
    assert _locks_a_level(seen[1][-1])
    assert not any(_locks_a_level(s) for s in seen[2])
    assert seen[2][-1] == b"COMMIT"


async def test_a_refusal_commits_nothing_of_it_and_goes_the_general_way_in_one_flight_more(
    database_url: str, flights: Flights
) -> None:
    with pytest.raises(InsufficientStock):
        await _reserve(database_url, flights, 6)

    # The first flight's COMMIT ends a transaction that wrote nothing. The next takes the
    # keyed way's first flight again (the one flight more: the catalog held in the new
    # transaction), then expired holds, the level, the reason, the rollback.
    first, again, *general = flights
    assert first[-1] == b"COMMIT"
    assert again[0] == b"BEGIN" and _locks_a_level(again[-1])
    assert b"COMMIT" not in [s for flight in [again, *general] for s in flight]
    assert len(general) == 4


PLANS = """SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
WHERE statement LIKE %(pattern)s"""


@pytest.mark.skipif(through_pgbouncer(), reason="a transaction pooler gets no named statements")
async def test_the_one_flight_reservation_runs_on_generic_plans(database_url: str) -> None:
    # PostgreSQL's own choice kept planning the flight's statements afresh in a small org of a
    # big table (ADR 0039): on its first five runs it always does. Marked generic, never.
    async with postgres_backend(database_url, max_size=1) as backend:  # one connection to ask
        deps = Deps(uow=backend.uow, clock=SystemClock(), ids=UuidGenerator())
        admin = Principal.from_claims(
            user_id="u", org_id=f"org_{secrets.token_hex(6)}", raw_role="admin"
        )
        item, here = await builders.item(deps, admin), await builders.location(deps, admin)
        await builders.receive(deps, admin, item.id, here.id, 50)
        for _ in range(7):
            await builders.reserve(deps, admin, item.id, here.id, 1)
        async with backend.uow(admin.org_id or "") as uow:
            reserving = await uow.stock._all(PLANS, {"pattern": "%WITH level AS%"})
            receiving = await uow.stock._all(PLANS, {"pattern": "%FOR UPDATE%"})

    assert [(r["generic_plans"], r["custom_plans"]) for r in reserving] == [(7, 0)]
    # A statement of a transaction of several flights keeps PostgreSQL's own choice.
    assert all(r["custom_plans"] >= 1 for r in receiving)
