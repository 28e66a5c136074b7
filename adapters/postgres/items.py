"""Items of one org."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from psycopg import errors as pg_errors

from adapters.postgres.errors import conflict_for
from adapters.postgres.intake_sql import HOLD_INTAKE_EXCLUSIVE
from adapters.postgres.repository import Repository, Row, utc
from application.pagination import PageRequest
from application.ports import Items
from domain.catalog import Item
from domain.lots import Tracking

INSERT_ITEM = """
INSERT INTO items (org_id, id, sku, name, description, unit, reorder_point, tracking, archived,
                   version, created_at, updated_at)
VALUES (%(org_id)s, %(id)s, %(sku)s, %(name)s, %(description)s, %(unit)s, %(reorder_point)s,
        %(tracking)s, %(archived)s, %(version)s, %(created_at)s, %(updated_at)s)
"""
UPDATE_ITEM = """
UPDATE items SET name = %(name)s, description = %(description)s, unit = %(unit)s,
       reorder_point = %(reorder_point)s, tracking = %(tracking)s, archived = %(archived)s,
       version = %(version)s, updated_at = %(updated_at)s
WHERE org_id = %(org_id)s AND id = %(id)s
"""
SELECT_ITEM = """
SELECT id, sku, name, description, unit, reorder_point, tracking, archived, version, created_at,
       updated_at
FROM items WHERE org_id = %(org_id)s AND id = %(id)s
"""
SELECT_ITEM_FOR_UPDATE = """
SELECT id, sku, name, description, unit, reorder_point, tracking, archived, version, created_at,
       updated_at
FROM items WHERE org_id = %(org_id)s AND id = %(id)s FOR UPDATE
"""
# Held until the transaction ends against an archive (its FOR UPDATE waits): a write that
# brings stock in has read them (adapters/postgres/intake_sql.py). In id order: no deadlock.
SELECT_ITEMS = """
SELECT id, sku, name, description, unit, reorder_point, tracking, archived, version, created_at,
       updated_at
FROM items WHERE org_id = %(org_id)s AND id = ANY(%(ids)s) ORDER BY id FOR KEY SHARE
"""
# lower(sku) is in the "C" collation (migration 0002): the code-point order of the cursors.
# First page and later pages are separate statements so each gets its index range scan.
LIST_ITEMS = """
SELECT id, sku, name, description, unit, reorder_point, tracking, archived, version, created_at,
       updated_at
FROM items WHERE org_id = %(org_id)s ORDER BY lower(sku) LIMIT %(limit)s
"""
LIST_ITEMS_AFTER = """
SELECT id, sku, name, description, unit, reorder_point, tracking, archived, version, created_at,
       updated_at
FROM items WHERE org_id = %(org_id)s AND lower(sku) > %(after)s
ORDER BY lower(sku) LIMIT %(limit)s
"""


def item_from_row(row: Row) -> Item:
    """Rebuild an Item from a selected row."""
    return Item(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        description=row["description"],
        unit=row["unit"],
        reorder_point=row["reorder_point"],
        tracking=Tracking(row["tracking"]),
        archived=row["archived"],
        version=row["version"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )


def _params(item: Item) -> dict[str, object]:
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "unit": item.unit,
        "reorder_point": item.reorder_point,
        "tracking": item.tracking.value,
        "archived": item.archived,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


class PostgresItems(Repository, Items):
    """Items of one org; a duplicate SKU is a Conflict, mapped from the unique index's name."""

    async def add(self, item: Item) -> None:
        try:
            await self._run(INSERT_ITEM, _params(item))
        except pg_errors.UniqueViolation as exc:
            conflict = conflict_for(exc)
            if conflict is None:
                raise
            raise conflict from None

    async def get(self, item_id: UUID, *, for_update: bool = False) -> Item | None:
        row = await self._one(
            SELECT_ITEM_FOR_UPDATE if for_update else SELECT_ITEM, {"id": item_id}
        )
        return None if row is None else item_from_row(row)

    async def lock_to_archive(self, item_id: UUID) -> Item | None:
        self._defer(HOLD_INTAKE_EXCLUSIVE)  # flies with the row lock: no import is running
        return await self.get(item_id, for_update=True)

    async def get_many(self, item_ids: Sequence[UUID]) -> dict[UUID, Item]:
        rows = await self._all(SELECT_ITEMS, {"ids": list(item_ids)})
        return {row["id"]: item_from_row(row) for row in rows}

    async def save(self, item: Item) -> None:
        await self._run(UPDATE_ITEM, _params(item))

    async def list(self, page: PageRequest) -> list[Item]:
        if page.after is None:
            rows = await self._all(LIST_ITEMS, {"limit": page.limit + 1})
        else:
            rows = await self._all(
                LIST_ITEMS_AFTER, {"after": page.after[0], "limit": page.limit + 1}
            )
        return [item_from_row(row) for row in rows]
