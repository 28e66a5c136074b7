"""Archiving races the writes that bring stock in: whatever commits first, no stock arrives at
an archived item after its archive has committed (API receipts and imports alike).

Replayed with two connections: another transaction holds the level, so the receipt (or the
import) has read the catalog and waits; the archive is asked for meanwhile; then the level is
let go. Either the archive waits for the receipt (which then came first) or the receipt sees
the archive and is refused; never an archive done first and stock taken after it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from psycopg import AsyncConnection

from adapters.postgres.importer import PostgresStockImporter
from application.importing import ImportMode, ImportStock, ImportStockHandler
from application.principal import Principal
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import Conflict
from domain.movements import MovementRequest, MovementType, QuantityLine
from tests.contract import builders
from tests.postgres.test_expiry_races import until_waiting
from tests.postgres_fixtures import PostgresBackend, app_url

LOCK = """
SELECT 1 FROM stock_levels
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s FOR UPDATE
"""
Intake = Callable[[PostgresBackend, Deps, Principal, Any, Any], Awaitable[object]]


async def receipt(
    backend: PostgresBackend, deps: Deps, who: Principal, item: Any, place: Any
) -> object:
    request = MovementRequest(
        type=MovementType.RECEIPT, lines=(QuantityLine(item.id, place.id, 3),)
    )
    return await PostMovementHandler(deps)(who, request)


async def stock_import(
    backend: PostgresBackend, deps: Deps, who: Principal, item: Any, place: Any
) -> object:
    handler = ImportStockHandler(PostgresStockImporter(backend.pool), deps.clock, deps.ids)
    lines = ["sku,location_code,quantity\n", f"{item.sku},{place.code},3\n"]
    result = await handler(who, ImportStock(lines=lines, mode=ImportMode.RECEIPT))
    if result.problems:
        raise Conflict(result.problems[0].message)
    return result


@pytest.mark.parametrize("intake", [receipt, stock_import], ids=["receipt", "import"])
async def test_no_stock_arrives_at_an_item_after_its_archive_committed(
    wide_backend: PostgresBackend, wide_deps: Deps, database_url: str, intake: Intake
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
    item, place = await builders.item(wide_deps, who), await builders.location(wide_deps, who)
    await builders.receive(wide_deps, who, item.id, place.id, 5)
    finished: list[str] = []

    async def track(name: str, work: Awaitable[object]) -> object:
        try:
            return await work
        finally:
            finished.append(name)

    async with await AsyncConnection.connect(
        app_url(database_url), prepare_threshold=None
    ) as other:
        await other.execute("SELECT set_config('app.org_id', %s, true)", [org])
        await other.execute(LOCK, {"org_id": org, "item_id": item.id, "location_id": place.id})
        taking = asyncio.create_task(
            track("intake", intake(wide_backend, wide_deps, who, item, place))
        )
        await until_waiting(database_url, 1)  # it read the catalog and waits for the level
        archiving = asyncio.create_task(
            track("archive", ArchiveItemHandler(wide_deps)(who, ArchiveItem(item_id=item.id)))
        )
        await asyncio.sleep(0.3)
        await other.rollback()
        took, archived = await asyncio.gather(taking, archiving, return_exceptions=True)

    assert not isinstance(archived, BaseException), archived
    if not isinstance(took, BaseException):  # stock came in: it must have come first
        assert finished == ["intake", "archive"], finished
    else:
        assert isinstance(took, Conflict), took
