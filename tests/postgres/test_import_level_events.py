"""The level UPDATE that writes its own events (UPDATE_LEVELS_WITH_EVENTS, an import without
lots) writes exactly the events of the general path, which updates the levels first and reads
them back after (the one an import with lots takes): the same types, subjects, data, times and
org, in the same feed order, and the same levels. Both paths run the same import from the
same state, each in a transaction rolled back after the events it wrote are read."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.postgres.importer import PostgresStockImportSession
from adapters.postgres.uow import Pool
from application.importing import ImportMode, ImportPlan, ImportStock, ImportStockHandler
from application.importing import ImportSummary as Summary
from application.ports import IdGenerator
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from domain.reservations import LineQuantity
from tests.contract import builders
from tests.postgres_fixtures import PostgresBackend

WRITTEN_EVENTS = """
SELECT org_id, type, occurred_at, subject_id, data, id FROM events
WHERE org_id = %(org_id)s AND txid = pg_current_xact_id() ORDER BY seq
"""
LEVELS = """
SELECT item_id, location_id, on_hand, reserved, incoming, version, updated_at FROM stock_levels
WHERE org_id = %(org_id)s ORDER BY item_id, location_id
"""
Written = tuple[Summary, list[tuple[Any, ...]], list[tuple[Any, ...]]]


class CountingIds(IdGenerator):
    """The same ids, in the same order, from ``first`` on: both paths post the same movement."""

    def __init__(self, first: UUID) -> None:
        self._next = first.int

    def new_id(self) -> UUID:
        self._next += 1
        return UUID(int=self._next)


class ObservedImport(PostgresStockImportSession):
    """Writes the whole import on the path chosen, reads back what it wrote, commits nothing."""

    def __init__(self, pool: Pool, org_id: str, *, in_update: bool, seen: list[Written]) -> None:
        super().__init__(pool, org_id)
        self._org = org_id
        self._in_update = in_update
        self._seen = seen

    def events_in_update(self) -> bool:
        return self._in_update and super().events_in_update()

    async def apply(self, plan: ImportPlan) -> Summary:
        summary = await self.write(plan)
        conn = await self._conn()
        events = await (await conn.execute(WRITTEN_EVENTS, {"org_id": self._org})).fetchall()
        levels = await (await conn.execute(LEVELS, {"org_id": self._org})).fetchall()
        self._seen.append((summary, events, levels))
        return summary  # rolled back as the session closes


async def written(
    deps: Deps, backend: PostgresBackend, who: Principal, csv: str, mode: ImportMode, *,
    in_update: bool, first: UUID,
) -> Written:  # fmt: skip
    """What one path writes for ``csv`` (its ids counted from ``first``), rolled back after."""
    seen: list[Written] = []

    def importer(org_id: str) -> ObservedImport:
        return ObservedImport(backend.pool, org_id, in_update=in_update, seen=seen)

    handler = ImportStockHandler(importer, deps.clock, CountingIds(first))
    result = await handler(who, ImportStock(lines=csv.splitlines(True), mode=mode))
    assert result.problems == []
    [out] = seen
    return out


@pytest.mark.parametrize("mode", [ImportMode.COUNT, ImportMode.RECEIPT])
async def test_the_update_writes_the_events_the_general_path_writes(
    wide_backend: PostgresBackend, mode: ImportMode
) -> None:
    clock = ManualClock()
    deps = Deps(uow=wide_backend.uow, clock=clock, ids=UuidGenerator())
    who = Principal.from_claims(user_id="u", org_id=f"org_{secrets.token_hex(8)}", raw_role="admin")
    here, there = [await builders.location(deps, who, code) for code in ("HERE", "THERE")]
    points = {"LOW": 10, "OUT": None, "NEW": 5, "SAME": None, "HELD": 3, "GONE": 20}
    items = {
        sku: await builders.item(deps, who, sku, reorder_point=rp) for sku, rp in points.items()
    }
    for sku, on_hand in {"LOW": 12, "OUT": 3, "SAME": 5, "HELD": 10, "GONE": 30}.items():
        for place in (here, there):
            await builders.receive(deps, who, items[sku].id, place.id, on_hand)
    await CreateReservationHandler(deps)(
        who, CreateReservation(lines=(LineQuantity(items["HELD"].id, here.id, 4),))
    )
    # A reservation past expiry at a level of the file and at one only its release changes:
    # the events ahead of the levels' then include the reservation and that level.
    gone = items["GONE"].id
    lines = (LineQuantity(gone, here.id, 25), LineQuantity(gone, there.id, 12))
    await CreateReservationHandler(deps)(who, CreateReservation(lines=lines, ttl_seconds=60))
    clock.advance(60)
    rows = {"LOW": 5, "OUT": 0, "NEW": 4, "SAME": 7, "HELD": 6}
    least = 0 if mode is ImportMode.COUNT else 1  # a receipt adds at least one
    csv = "sku,location_code,quantity\nGONE,HERE,9\n" + "".join(
        f"{sku},{place},{n + least + extra}\n"
        for sku, n in rows.items()
        for place, extra in (("HERE", 0), ("THERE", 1))
    )
    first = uuid4()

    general = await written(deps, wide_backend, who, csv, mode, in_update=False, first=first)
    in_update = await written(deps, wide_backend, who, csv, mode, in_update=True, first=first)

    (summary, events, levels), (summary_too, events_too, levels_too) = general, in_update
    assert summary_too == summary
    assert levels_too == levels
    assert [e[:5] for e in events_too] == [e[:5] for e in events]
    types = [e[1] for e in events]
    assert types[:3] == ["movement.posted", "reservation.expired", "stock_level.changed"]
    signals = {"stock_level.restocked"} | (
        {"stock_level.low", "stock_level.out"} if mode is ImportMode.COUNT else set()
    )
    assert signals <= set(types)
    # Ids: those built in Python are the same, each run's are all different.
    assert [e[5] for e in events_too[:3]] == [e[5] for e in events[:3]]
    assert len({e[5] for e in events_too}) == len(events_too)
