"""The import takes level locks in (item_id, location_id) order like every other writer, new
levels included, so a concurrent API write cannot deadlock with it.

Replayed deterministically with two connections: an API-style transaction holds an existing
level whose key sorts first; the import must wait for it before touching a level that does not
exist yet, so that the API transaction can then create that level and commit.
"""

from __future__ import annotations

import asyncio
import secrets

from psycopg import AsyncConnection

from adapters.postgres.importer import PostgresStockImporter
from adapters.postgres.stock_sql import ADD_ON_HAND
from application.importing import ImportMode, ImportStock, ImportStockHandler
from application.principal import Principal
from application.use_cases.base import Deps
from domain.stock import LevelKey
from tests.contract import builders
from tests.postgres.invariants import audit
from tests.postgres.test_expiry_races import until_waiting
from tests.postgres_fixtures import PostgresBackend, app_url

LOCK = """
SELECT 1 FROM stock_levels
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s FOR UPDATE
"""


async def test_an_import_creating_a_level_waits_in_key_order_and_never_deadlocks_an_api_write(
    wide_backend: PostgresBackend, wide_deps: Deps, database_url: str
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
    item = await builders.item(wide_deps, who, "IMP-1")
    places = sorted([await builders.location(wide_deps, who) for _ in range(2)], key=lambda p: p.id)
    first, later = LevelKey(item.id, places[0].id), LevelKey(item.id, places[1].id)
    await builders.receive(wide_deps, who, item.id, places[0].id, 5)  # `later` does not exist
    csv = ["sku,location_code,quantity\n"] + [f"IMP-1,{p.code},10\n" for p in places]
    handler = ImportStockHandler(
        PostgresStockImporter(wide_backend.pool), wide_deps.clock, wide_deps.ids
    )

    async with await AsyncConnection.connect(app_url(database_url), prepare_threshold=None) as api:
        params = {"org_id": org, "item_id": first.item_id, "location_id": first.location_id}
        await api.execute("SELECT set_config('app.org_id', %s, true)", [org])
        await api.execute(LOCK, params)  # an API write holds the first level...
        imported = asyncio.create_task(
            handler(who, ImportStock(lines=csv, mode=ImportMode.RECEIPT))
        )
        await until_waiting(database_url, 1)
        # ...and, in key order, goes on to create the later one, then commits.
        await api.execute(
            ADD_ON_HAND,
            {
                **params,
                "location_id": later.location_id,
                "quantity": 3,
                "now": wide_deps.clock.now(),
            },
        )
        await api.commit()
        result = await asyncio.wait_for(imported, timeout=10)

    assert result.problems == [] and result.summary is not None, result.problems
    async with wide_deps.uow(org) as uow:
        now = wide_deps.clock.now()
        on_hand = [(await uow.stock.get(key, now)).on_hand for key in (first, later)]  # type: ignore[union-attr]
    assert on_hand == [15, 13]  # both writers' stock, nothing lost


async def test_an_import_that_meets_a_missing_level_lets_go_of_the_later_ones_it_locked(
    wide_backend: PostgresBackend, wide_deps: Deps, database_url: str
) -> None:
    """The import locks the levels that exist first (ADR 0017, amended); when one is missing,
    it must release those before it creates it, or an API write creating the missing level
    (earlier in key order) and then taking an existing one deadlocks with it."""
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
    item = await builders.item(wide_deps, who, "IMP-2")
    places = sorted([await builders.location(wide_deps, who) for _ in range(2)], key=lambda p: p.id)
    first, later = LevelKey(item.id, places[0].id), LevelKey(item.id, places[1].id)
    await builders.receive(wide_deps, who, item.id, places[1].id, 5)  # `first` does not exist
    csv = ["sku,location_code,quantity\n"] + [f"IMP-2,{p.code},10\n" for p in places]
    handler = ImportStockHandler(
        PostgresStockImporter(wide_backend.pool), wide_deps.clock, wide_deps.ids
    )

    async with await AsyncConnection.connect(app_url(database_url), prepare_threshold=None) as api:
        now = wide_deps.clock.now()
        params = {"org_id": org, "item_id": item.id, "quantity": 3, "now": now}
        await api.execute("SELECT set_config('app.org_id', %s, true)", [org])
        # An API write creates the first level (not committed: the import cannot see it)...
        await api.execute(ADD_ON_HAND, {**params, "location_id": first.location_id})
        imported = asyncio.create_task(
            handler(who, ImportStock(lines=csv, mode=ImportMode.RECEIPT))
        )
        await until_waiting(database_url, 1)  # the import waits to create the first level
        # ...then, in key order, takes the later one, which the import must not be holding.
        await asyncio.wait_for(
            api.execute(ADD_ON_HAND, {**params, "location_id": later.location_id}), timeout=10
        )
        await api.commit()
        result = await asyncio.wait_for(imported, timeout=10)

    assert result.problems == [] and result.summary is not None, result.problems
    async with wide_deps.uow(org) as uow:
        on_hand = [(await uow.stock.get(key, now)).on_hand for key in (first, later)]  # type: ignore[union-attr]
    assert on_hand == [13, 18]  # both writers' stock, nothing lost


async def test_imports_and_api_writes_on_crossing_levels_all_complete(
    wide_backend: PostgresBackend, wide_deps: Deps, database_url: str
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
    items = [await builders.item(wide_deps, who, f"X-{n}") for n in range(3)]
    places = [await builders.location(wide_deps, who) for _ in range(3)]
    await builders.receive(wide_deps, who, items[0].id, places[0].id, 100)  # the rest are new
    rows = [f"X-{n},{p.code},1\n" for n in range(3) for p in places]
    handler = ImportStockHandler(
        PostgresStockImporter(wide_backend.pool), wide_deps.clock, wide_deps.ids
    )

    async def imports(k: int) -> object:
        lines = ["sku,location_code,quantity\n", *rows[k:], *rows[:k]]
        return await handler(who, ImportStock(lines=lines, mode=ImportMode.RECEIPT))

    async def moves(k: int) -> object:
        item, here, there = items[k % 3], places[k % 3], places[(k + 1) % 3]
        await builders.receive(wide_deps, who, item.id, there.id, 2)
        return await builders.receive(wide_deps, who, item.id, here.id, 1)

    done = await asyncio.gather(
        *(imports(k) for k in range(4)), *(moves(k) for k in range(12)), return_exceptions=True
    )

    assert not [d for d in done if isinstance(d, BaseException)], done
    audit(database_url, org)  # every level equals its ledger
