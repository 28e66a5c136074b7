"""Real parallel transactions over lots: FEFO never oversells, locks never deadlock (ADR 0025)."""

from __future__ import annotations

import asyncio
import random
import secrets
from datetime import date

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from adapters.postgres.importer import PostgresStockImporter
from application.importing import ImportStock, ImportStockHandler
from application.principal import Principal
from application.use_cases.base import Deps
from domain.errors import InsufficientStock, SerialLimit
from domain.movements import MovementType
from tests.contract import builders
from tests.contract.lot_builders import line, post, receive, ship
from tests.postgres.invariants import audit, audit_lots
from tests.postgres_fixtures import PostgresBackend

pytestmark = pytest.mark.slow

LOTS = {"A": (20, date(2030, 1, 10)), "B": (15, date(2030, 1, 5)), "C": (10, date(2030, 2, 1))}


def admin() -> Principal:
    org = f"org_{secrets.token_hex(8)}"
    return Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")


async def test_racing_fefo_shipments_over_several_lots_never_oversell(
    wide_deps: Deps, database_url: str
) -> None:
    who = admin()
    item = await builders.item(wide_deps, who, tracking="lot")
    here, there = await builders.location(wide_deps, who), await builders.location(wide_deps, who)
    await receive(wide_deps, who, item.id, here.id, LOTS)
    await receive(wide_deps, who, item.id, there.id, LOTS)
    rng = random.Random(7)

    async def one() -> int:
        # Shipments of one or both levels (in either order in the request), and receipts into
        # a named lot: the same level and lot rows, taken in every order a client may send.
        places = [here.id, there.id]
        rng.shuffle(places)
        n = rng.randint(1, 4)
        lines = [line(item.id, place, n) for place in places[: rng.randint(1, 2)]]
        try:
            if rng.random() < 0.2:
                await post(wide_deps, who, MovementType.RECEIPT, line(item.id, places[0], 1, "B"))
                return -1
            await post(wide_deps, who, MovementType.SHIPMENT, *lines)
        except InsufficientStock:
            return 0
        return n * len(lines)

    results = await asyncio.gather(*(one() for _ in range(120)))

    received = -sum(r for r in results if r < 0)
    shipped = sum(r for r in results if r > 0)
    assert shipped > 0
    levels = audit(database_url, who.org_id or "")
    assert sum(row[2] for row in levels) == 2 * 45 + received - shipped  # type: ignore[misc]
    positions = audit_lots(database_url, who.org_id or "")
    assert all(row[3] >= 0 for row in positions)  # type: ignore[operator]


async def test_racing_receipts_of_one_serial_take_it_in_once(
    wide_deps: Deps, database_url: str
) -> None:
    who = admin()
    item = await builders.item(wide_deps, who, tracking="serial")
    places = [await builders.location(wide_deps, who) for _ in range(4)]

    async def one(index: int) -> bool:
        place = places[index % len(places)]
        try:
            await receive(wide_deps, who, item.id, place.id, {"SN-7": (1, date(2030, 1, 1))})
        except SerialLimit:
            return False
        return True

    results = await asyncio.gather(*(one(i) for i in range(16)))

    assert sum(results) == 1
    positions = audit_lots(database_url, who.org_id or "")
    assert sum(row[3] for row in positions) == 1  # type: ignore[misc]
    await ship(wide_deps, who, item.id, places[results.index(True) % len(places)].id, 1)
    assert sum(row[3] for row in audit_lots(database_url, who.org_id or "")) == 0  # type: ignore[misc]


async def test_imports_racing_receipts_of_one_serial_take_it_in_once(
    wide_deps: Deps, wide_backend: PostgresBackend, database_url: str
) -> None:
    # The import locks the serial lots it names before any level, as a receipt does: of
    # imports and receipts of the same serial at different locations, one takes it in.
    who = admin()
    item = await builders.item(wide_deps, who, "SER-RACE", tracking="serial")
    places = [await builders.location(wide_deps, who, f"P{i}") for i in range(4)]
    handler = ImportStockHandler(
        PostgresStockImporter(wide_backend.pool), SystemClock(), UuidGenerator()
    )
    # The serial exists and holds nothing (shipped): only the lot's lock serializes them now.
    await receive(wide_deps, who, item.id, places[0].id, {"SN-9": (1, date(2030, 1, 1))})
    await ship(wide_deps, who, item.id, places[0].id, 1)

    async def by_import(index: int) -> bool:
        text = (
            f"sku,location_code,quantity,lot,expires_on\nSER-RACE,P{index % 4},1,sn-9,2030-01-01\n"
        )
        result = await handler(who, ImportStock(lines=text.splitlines(keepends=True)))
        return result.summary is not None

    async def by_receipt(index: int) -> bool:
        try:
            await receive(
                wide_deps, who, item.id, places[index % 4].id, {"SN-9": (1, date(2030, 1, 1))}
            )
        except SerialLimit:
            return False
        return True

    results = await asyncio.gather(
        *(by_import(i) for i in range(12)), *(by_receipt(i) for i in range(4))
    )

    assert sum(results) == 1
    assert sum(row[3] for row in audit_lots(database_url, who.org_id or "")) == 1  # type: ignore[misc]
