"""import-stock on PostgreSQL (COPY + set-based SQL), and the in-memory importer equal to it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.clock import ManualClock, SystemClock
from adapters.ids import UuidGenerator
from adapters.memory.importer import InMemoryStockImporter
from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from adapters.postgres.importer import PostgresStockImporter
from adapters.postgres.uow import PostgresUnitOfWorkFactory
from application.errors import PermissionDenied
from application.importing import (
    ImportMode,
    ImportResult,
    ImportStock,
    ImportStockHandler,
    StockImporter,
)
from application.pagination import PageRequest
from application.ports import MovementFilter, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from domain.stock import LevelKey
from tests.contract import builders


@dataclass
class Backend:
    deps: Deps
    importer: StockImporter


@pytest.fixture
async def postgres(
    pool: AsyncConnectionPool[AsyncConnection[Any]],
) -> Backend:
    return Backend(
        Deps(PostgresUnitOfWorkFactory(pool), SystemClock(), UuidGenerator()),
        PostgresStockImporter(pool),
    )


def memory() -> Backend:
    db = InMemoryDatabase()
    uow: UnitOfWorkFactory = InMemoryUnitOfWorkFactory(db)
    return Backend(Deps(uow, SystemClock(), UuidGenerator()), InMemoryStockImporter(db))


def admin() -> Principal:
    return Principal.from_claims(
        user_id="importer", org_id=f"org-{secrets.token_hex(4)}", raw_role="admin"
    )


async def run_import(
    backend: Backend, who: Principal, text: str, mode: ImportMode = ImportMode.RECEIPT
) -> ImportResult:
    handler = ImportStockHandler(backend.importer, backend.deps.clock, backend.deps.ids)
    command = ImportStock(lines=text.splitlines(keepends=True), mode=mode, reference="PO-1")
    return await handler(who, command)


async def catalog(backend: Backend, who: Principal) -> dict[str, Any]:
    return {
        "A": await builders.item(backend.deps, who, "SKU-A"),
        "B": await builders.item(backend.deps, who, "SKU-B"),
        "main": await builders.location(backend.deps, who, "MAIN"),
        "side": await builders.location(backend.deps, who, "SIDE"),
    }


async def snapshot(backend: Backend, who: Principal, ids: dict[str, Any]) -> dict[str, Any]:
    """Levels and ledger by sku/code, so two backends with different ids compare equal."""
    names = {v.id: k for k, v in ids.items()}
    now = datetime.now(UTC)
    assert who.org_id is not None
    async with backend.deps.uow(who.org_id) as uow:
        levels = {}
        for item in ("A", "B"):
            for place in ("main", "side"):
                level = await uow.stock.get(LevelKey(ids[item].id, ids[place].id), now)
                if level is not None:
                    levels[item, place] = (level.on_hand, level.reserved, level.version)
        movements = await uow.movements.list(MovementFilter(), PageRequest(limit=50))
    ledger = [
        (
            m.type.value,
            m.reference,
            [
                (names[ln.item_id], names[ln.location_id], ln.delta, ln.on_hand_after)
                for ln in m.lines
            ],
        )
        for m in movements
    ]
    return {"levels": levels, "ledger": ledger}


RECEIPT = "sku,location_code,quantity\nSKU-A,MAIN,5\nsku-b,main,7\n\nSKU-A,MAIN,3\nSKU-A,SIDE,1\n"
BAD = (
    "sku,location_code,quantity\n"
    "SKU-A,MAIN,5\n"
    "NOPE,MAIN,1\n"
    "SKU-A,NOWHERE,1\n"
    "SKU-A,MAIN,x\n"
    "SKU-A,MAIN,0\n"
    "SKU-A,MAIN\n"
)


async def test_a_receipt_import_posts_one_movement_with_a_line_per_row(postgres: Backend) -> None:
    who = admin()
    ids = await catalog(postgres, who)

    result = await run_import(postgres, who, RECEIPT)

    assert result.problems == []
    assert result.summary is not None
    assert (result.summary.lines, result.summary.levels) == (4, 3)
    state = await snapshot(postgres, who, ids)
    assert state["levels"] == {
        ("A", "main"): (8, 0, 2),
        ("B", "main"): (7, 0, 1),
        ("A", "side"): (1, 0, 1),
    }
    assert state["ledger"] == [
        (
            "receipt",
            "PO-1",
            [("A", "main", 5, 5), ("B", "main", 7, 7), ("A", "main", 3, 8), ("A", "side", 1, 1)],
        )
    ]


async def test_bad_rows_are_all_reported_by_line_and_nothing_is_applied(postgres: Backend) -> None:
    who = admin()
    ids = await catalog(postgres, who)

    result = await run_import(postgres, who, BAD)

    assert result.summary is None
    assert [p.line for p in result.problems] == [3, 4, 5, 6, 7]
    assert "unknown sku 'NOPE'" in result.problems[0].message
    assert "unknown location 'NOWHERE'" in result.problems[1].message
    assert await snapshot(postgres, who, ids) == {"levels": {}, "ledger": []}


async def test_a_count_import_sets_on_hand_and_refuses_duplicates(postgres: Backend) -> None:
    who = admin()
    ids = await catalog(postgres, who)
    await run_import(postgres, who, RECEIPT)

    refused = await run_import(
        postgres, who, "sku,location_code,quantity\nSKU-A,MAIN,2\nsku-a,main,4\n", ImportMode.COUNT
    )
    counted = await run_import(
        postgres, who, "sku,location_code,quantity\nSKU-A,MAIN,2\nSKU-B,SIDE,0\n", ImportMode.COUNT
    )

    assert [(p.line, p.message.split(" (")[0]) for p in refused.problems] == [
        (3, "duplicate of line 2")
    ]
    assert counted.summary is not None
    state = await snapshot(postgres, who, ids)
    assert state["levels"][("A", "main")] == (2, 0, 3)
    assert state["levels"][("B", "side")] == (0, 0, 1)
    assert state["ledger"][1] == ("count", "PO-1", [("A", "main", -6, 2), ("B", "side", 0, 0)])


async def test_a_count_below_reserved_is_refused(postgres: Backend) -> None:
    who = admin()
    ids = await catalog(postgres, who)
    await run_import(postgres, who, RECEIPT)
    await builders.reserve(postgres.deps, who, ids["A"].id, ids["main"].id, 6)

    result = await run_import(
        postgres, who, "sku,location_code,quantity\nSKU-A,MAIN,5\n", ImportMode.COUNT
    )

    assert [p.line for p in result.problems] == [2]
    assert "below the 6 reserved" in result.problems[0].message


async def test_a_member_may_receive_but_not_count(postgres: Backend) -> None:
    member = Principal.from_claims(user_id="m", org_id="org-m", raw_role="member")
    with pytest.raises(PermissionDenied):
        await run_import(postgres, member, RECEIPT, ImportMode.COUNT)


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        (RECEIPT, ImportMode.RECEIPT),
        (BAD, ImportMode.RECEIPT),
        (
            "sku,location_code,quantity\nSKU-A,MAIN,2\nSKU-A,MAIN,3\nSKU-B,SIDE,1\n",
            ImportMode.COUNT,
        ),
    ],
)
async def test_memory_and_postgres_importers_agree(
    postgres: Backend, text: str, mode: ImportMode
) -> None:
    results = []
    for backend in (postgres, memory()):
        who = admin()
        ids = await catalog(backend, who)
        await run_import(backend, who, RECEIPT)
        result = await run_import(backend, who, text, mode)
        results.append((result.problems, await snapshot(backend, who, ids)))

    assert results[0] == results[1]


async def test_a_hold_past_its_expiry_never_blocks_a_count_on_either_backend(
    postgres: Backend,
) -> None:
    results = []
    for backend in (postgres, memory()):
        clock = ManualClock(datetime.now(UTC))
        deps = Deps(backend.deps.uow, clock, backend.deps.ids)
        timed = Backend(deps, backend.importer)
        who = admin()
        ids = await catalog(timed, who)
        await run_import(timed, who, RECEIPT)
        await builders.reserve(deps, who, ids["A"].id, ids["main"].id, 6, ttl_seconds=60)
        clock.advance(61)  # expired, and the expiry job has not run

        result = await run_import(
            timed, who, "sku,location_code,quantity\nSKU-A,MAIN,5\n", ImportMode.COUNT
        )

        assert result.problems == []
        results.append(await snapshot(timed, who, ids))
    assert results[0]["levels"][("A", "main")][:2] == (5, 0)  # counted, nothing held
    assert results[0] == results[1]
