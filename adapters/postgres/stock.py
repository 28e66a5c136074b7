"""Stock levels of one org: conditional writes, effective ``reserved`` on every read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any, LiteralString
from uuid import UUID

from psycopg import sql

from adapters.postgres.cursors import uuid_part
from adapters.postgres.expiry_sql import NOW
from adapters.postgres.lot_sql import EXPIRED_FIGURES, HOLDS_ANY
from adapters.postgres.repository import Repository, Row, Rows, compiled, utc
from adapters.postgres.stock_sql import conditional, key_params
from adapters.postgres.wire import Compiled, generic_plan
from application.pagination import PageRequest
from application.ports import LevelChange, StockFilter, StockLevels
from domain.lots import today_of
from domain.stock import LevelKey, StockChange, StockLevel

LOCK_LEVEL = """
SELECT on_hand, reserved, incoming, version, updated_at FROM stock_levels
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
FOR UPDATE
"""
WRITE_LEVEL = """
UPDATE stock_levels SET on_hand = %(on_hand)s, reserved = %(reserved)s, incoming = %(incoming)s,
       version = %(version)s, updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
RETURNING on_hand, reserved, incoming, version, updated_at, %(previous)s::bigint AS previous
"""
INSERT_LEVEL = """
INSERT INTO stock_levels (org_id, item_id, location_id, on_hand, reserved, incoming, version,
                          updated_at)
VALUES (%(org_id)s, %(item_id)s, %(location_id)s, %(on_hand)s, %(reserved)s, %(incoming)s,
        %(version)s, %(now)s)
ON CONFLICT (org_id, item_id, location_id) DO NOTHING
RETURNING on_hand, reserved, incoming, version, updated_at, 0::bigint AS previous
"""
# A count's snapshot; stock_levels_location_idx serves both.
ON_HAND_AT = """
SELECT item_id, on_hand FROM stock_levels
WHERE org_id = %(org_id)s AND location_id = %(location_id)s ORDER BY item_id LIMIT %(limit)s
"""
ON_HAND_OF_ITEMS_AT = """
SELECT item_id, on_hand FROM stock_levels
WHERE org_id = %(org_id)s AND location_id = %(location_id)s AND item_id = ANY(%(item_ids)s)
ORDER BY item_id LIMIT %(limit)s
"""
# Invariant 3 in docs/design.md: open quantities of expired holds never count as reserved. A
# level with nothing reserved has no open line (invariant 3: stored reserved = open holds), so
# only a level with something reserved asks expired_held (migration 0028) for what its expired
# lines still hold, through reservation_lines_expiring_idx. A function rather than a lateral
# subquery: the executor sets a subquery up on every read, reserved or not, which was a fifth
# of the read's server CPU; a function call costs nothing where it is not made (ADR 0040).
_EFFECTIVE = sql.SQL("""
SELECT s.item_id, s.location_id, s.on_hand,
       s.reserved - CASE WHEN s.reserved > 0
                         THEN expired_held(s.org_id, s.item_id, s.location_id, {now})
                         ELSE 0 END AS reserved,
       s.incoming, s.version, s.updated_at, s.lots
FROM stock_levels s
WHERE
""").format(now=NOW)
_ORG = "s.org_id = %(org_id)s"
_KEY = "s.item_id = %(item_id)s AND s.location_id = %(location_id)s"
_ITEM = "s.item_id = %(item_id)s"
_LOCATION = "s.location_id = %(location_id)s"
_BELOW_REORDER_POINT = """EXISTS (
    SELECT 1 FROM items i
    WHERE i.org_id = s.org_id AND i.id = s.item_id AND s.on_hand < i.reorder_point)"""
# The redundant item_id >= bound lets an index on (org_id, location_id, item_id) seek too.
_AFTER = """(s.item_id, s.location_id) > (%(after_item)s::uuid, %(after_location)s::uuid)
    AND s.item_id >= %(after_item)s::uuid"""
_ORDER = "ORDER BY s.item_id, s.location_id LIMIT %(limit)s"


def level_query(conditions: list[LiteralString], tail: LiteralString = "") -> sql.Composed:
    """The effective-level SELECT with constant conditions joined by AND."""
    where = sql.SQL(" AND ").join(sql.SQL(c) for c in conditions)
    return sql.Composed([_EFFECTIVE, where, sql.SQL(" "), sql.SQL(tail)])


# A key lookup: the same plan for every org and item, so it runs on its generic plan. Left to
# choose, PostgreSQL kept planning it afresh (about 100 us each time) in an org much smaller
# than the table's average, as most orgs are (ADR 0039).
GET_LEVEL = generic_plan(compiled(level_query([_ORG, _KEY])))


def list_query(filters: StockFilter, after: bool) -> Compiled:
    """The list statement for a filter combination (each combination plans with its index)."""
    return _list_query(
        filters.item_id is not None,
        filters.location_id is not None,
        filters.below_reorder_point,
        after,
    )


@lru_cache(maxsize=16)
def _list_query(item: bool, location: bool, below_reorder_point: bool, after: bool) -> Compiled:
    conditions = [_ORG]
    if item:
        conditions.append(_ITEM)
    if location:
        conditions.append(_LOCATION)
    if below_reorder_point:
        conditions.append(_BELOW_REORDER_POINT)
    if after:
        conditions.append(_AFTER)
    query = compiled(level_query(conditions, _ORDER))
    # By item (and location): a prefix of the primary key, whatever the values (ADR 0039).
    return generic_plan(query) if item and not below_reorder_point else query


def level_from_row(row: Row, key: LevelKey | None = None) -> StockLevel:
    """Rebuild a StockLevel; ``key`` when the row does not carry it."""
    return StockLevel(
        item_id=key.item_id if key else row["item_id"],
        location_id=key.location_id if key else row["location_id"],
        on_hand=row["on_hand"],
        reserved=row["reserved"],
        version=row["version"],
        updated_at=utc(row["updated_at"]),
        incoming=row["incoming"],
    )


_Levels = list[StockLevel]


def expiry_params(tracked: Sequence[StockLevel], now: datetime) -> dict[str, Any]:
    """EXPIRED_FIGURES's parameters for the levels that have lots."""
    return {
        "item_ids": [level.item_id for level in tracked],
        "location_ids": [level.location_id for level in tracked],
        "today": today_of(now),
        "now": now,
    }


def with_expiry(levels: _Levels, figures: Rows) -> _Levels:
    """``levels`` with the expiry figures EXPIRED_FIGURES found for them (none: unchanged)."""
    found = {(r["item_id"], r["location_id"]): r for r in figures}
    out = []
    for level in levels:
        row = found.get((level.item_id, level.location_id))
        if row is not None:
            level = replace(
                level, expired=row["expired"], expired_unreserved=row["expired_unreserved"]
            )
        out.append(level)
    return out


class PostgresStockLevels(Repository, StockLevels):
    """Stock levels of one org. A change is one conditional statement; when it matches no row
    the level is locked and ``StockLevel.apply`` raises exactly the domain's refusal."""

    async def change(self, key: LevelKey, change: StockChange, now: datetime) -> LevelChange:
        statement, params = conditional(change)
        row = await self._one(statement, {**params, **key_params(key), "now": now})
        while row is None:
            row = await self._apply_locked(key, change, now)
        return LevelChange(level_from_row(row, key), row["on_hand"] - row["previous"])

    async def _apply_locked(self, key: LevelKey, change: StockChange, now: datetime) -> Row | None:
        # Refused, or the level does not exist yet, or it changed between the statement's
        # snapshot and now: lock it, let the domain rule decide, write what it computed.
        stored = await self._one(LOCK_LEVEL, key_params(key))
        before = StockLevel.empty(key, now) if stored is None else level_from_row(stored, key)
        after = before.apply(change, now)
        params: dict[str, Any] = {
            **key_params(key),
            "on_hand": after.on_hand,
            "reserved": after.reserved,
            "incoming": after.incoming,
            "version": after.version,
            "now": now,
            "previous": before.on_hand,
        }
        if stored is None:
            return await self._one(INSERT_LEVEL, params)  # None: a concurrent insert won
        return await self._one(WRITE_LEVEL, params)

    async def get(self, key: LevelKey, now: datetime) -> StockLevel | None:
        row = await self._one(GET_LEVEL, {**key_params(key), "now": now})
        if row is None:
            return None
        level = level_from_row(row)
        return (await self._with_figures([level], [row], now))[0] if row["lots"] else level

    async def holds_any(self, item_id: UUID) -> bool:
        row = await self._one(HOLDS_ANY, {"item_id": item_id})
        return bool(row and row["holds"])

    async def on_hand_at(
        self, location_id: UUID, item_ids: Sequence[UUID] | None, limit: int
    ) -> dict[UUID, int]:
        # One statement: one snapshot of every level, which is what a count compares with.
        query = ON_HAND_AT if item_ids is None else ON_HAND_OF_ITEMS_AT
        params = {"location_id": location_id, "item_ids": list(item_ids or ()), "limit": limit}
        return {row["item_id"]: row["on_hand"] for row in await self._all(query, params)}

    async def list(
        self, filters: StockFilter, page: PageRequest, now: datetime
    ) -> list[StockLevel]:
        params: dict[str, Any] = {
            "item_id": filters.item_id,
            "location_id": filters.location_id,
            "now": now,
            "limit": page.limit + 1,
        }
        if page.after is not None:
            params["after_item"] = uuid_part(page.after[0])
            params["after_location"] = uuid_part(page.after[1])
        rows = await self._all(list_query(filters, page.after is not None), params)
        levels = [level_from_row(row) for row in rows]
        for row in rows:
            if row["lots"]:  # one statement more, only for a page with lots (ADR 0024)
                return await self._with_figures(levels, rows, now)
        return levels

    async def _with_figures(self, levels: _Levels, rows: Rows, now: datetime) -> _Levels:
        """The levels, with the expiry figures of those that have lots."""
        tracked = [level for level, row in zip(levels, rows, strict=True) if row["lots"]]
        return with_expiry(levels, await self._all(EXPIRED_FIGURES, expiry_params(tracked, now)))
