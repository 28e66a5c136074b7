"""The list statements of lots (GET /v1/lots) and lot positions (GET /v1/stock-levels?by=lot).

One statement per filter combination, built once and cached, as for stock levels: a catch-all
``(%(x)s IS NULL OR col = %(x)s)`` would let a prepared statement's generic plan serve every
combination with the plan of none (lots_item_idx unused for an item's lots). Both discount
what holds past expiry still hold, like every lot read (``lot_sql._discounting``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import LiteralString

from psycopg import sql

from adapters.postgres.expiry_sql import expired_lot_held

_HELD = expired_lot_held("ll")

# A lot's figures across the org; lot_levels_lot_idx serves the lateral per lot.
_LOTS = sql.SQL("""
SELECT t.id, t.item_id, t.code, t.expires_on, t.created_at, s.on_hand, s.reserved
FROM lots t
LEFT JOIN LATERAL (
    SELECT coalesce(sum(ll.on_hand), 0)::bigint AS on_hand,
           coalesce(sum(ll.reserved - {held}), 0)::bigint AS reserved
    FROM lot_levels ll WHERE ll.org_id = t.org_id AND ll.lot_id = t.id
) s ON true
WHERE t.org_id = %(org_id)s""").format(held=_HELD)

_LOT_LEVELS = sql.SQL("""
SELECT ll.location_id, ll.on_hand, ll.reserved - {held} AS reserved, t.id, t.item_id,
       t.code, t.expires_on, t.created_at
FROM lot_levels ll JOIN lots t ON t.org_id = ll.org_id AND t.id = ll.lot_id
WHERE ll.org_id = %(org_id)s""").format(held=_HELD)


# A lot's stock across the org (available, which leaves out what has expired, in Python).
LOT_STOCK = sql.Composed([_LOTS, sql.SQL(" AND t.id = %(id)s")])


def _query(
    head: sql.Composed, conditions: list[LiteralString], tail: LiteralString
) -> sql.Composed:
    where = sql.SQL("").join(sql.SQL(f"\n  AND {c}") for c in conditions)
    return sql.Composed([head, where, sql.SQL(tail)])


@lru_cache(maxsize=8)
def list_lots(item: bool, expires_before: bool, after: bool) -> sql.Composed:
    """Lots in id order; with ``item``, lots_item_idx (org_id, item_id, id) seeks and orders."""
    conditions: list[LiteralString] = []
    if item:
        conditions.append("t.item_id = %(item_id)s::uuid")
    if expires_before:
        conditions.append("t.expires_on < %(expires_before)s::date")
    if after:
        conditions.append("t.id > %(after)s::uuid")
    return _query(_LOTS, conditions, "\nORDER BY t.id LIMIT %(limit)s")


@lru_cache(maxsize=8)
def list_lot_levels(item: bool, location: bool, after: bool) -> sql.Composed:
    """Lot positions in (item, location, lot) order, the primary key's."""
    conditions: list[LiteralString] = []
    if item:
        conditions.append("ll.item_id = %(item_id)s::uuid")
    if location:
        conditions.append("ll.location_id = %(location_id)s::uuid")
    if after:
        conditions.append(
            "(ll.item_id, ll.location_id, ll.lot_id)"
            " > (%(after_item)s::uuid, %(after_location)s::uuid, %(after_lot)s::uuid)"
            " AND ll.item_id >= %(after_item)s::uuid"
        )
    return _query(
        _LOT_LEVELS, conditions, "\nORDER BY ll.item_id, ll.location_id, ll.lot_id LIMIT %(limit)s"
    )
