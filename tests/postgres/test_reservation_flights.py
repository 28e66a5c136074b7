"""Round trips of a reservation (ADR 0035): a one-line reservation of an untracked item takes
two flights, and the level's row lock is taken by the last statement of the first, so it is
held from there to the commit's flight: one round trip. Counted at the wire, not timed."""

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
from tests.postgres_fixtures import postgres_backend

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


async def test_a_one_line_reservation_takes_two_flights_and_locks_the_level_last(
    database_url: str, flights: Flights
) -> None:
    seen = await _reserve(database_url, flights, 2)

    assert len(seen) == 2
    first, commit = seen
    assert first[0] == b"BEGIN"
    assert _locks_a_level(first[-1])
    assert not any(_locks_a_level(s) for s in first[:-1])
    assert not any(_locks_a_level(s) for s in commit)
    assert commit[-1] == b"COMMIT"


async def test_with_an_idempotency_key_the_claim_takes_one_flight_more(
    database_url: str, flights: Flights
) -> None:
    seen = await _reserve(database_url, flights, 2, key=f"k-{secrets.token_hex(4)}")

    assert len(seen) == 3
    assert _locks_a_level(seen[1][-1])
    assert seen[2][-1] == b"COMMIT"


async def test_a_refusal_goes_the_general_way_and_commits_nothing(
    database_url: str, flights: Flights
) -> None:
    with pytest.raises(InsufficientStock):
        await _reserve(database_url, flights, 6)

    assert b"COMMIT" not in [s for flight in flights for s in flight]
