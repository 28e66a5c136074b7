"""One conditional statement per stock change: the rule of ``StockLevel.apply`` in SQL.

Each statement returns the level after the change and ``previous`` (on_hand before it), or no
row when the rule refuses the change (or the level does not exist yet). ``RETURNING`` sees the
new values, so ``previous`` is derived from them.
"""

from __future__ import annotations

from typing import Any, LiteralString

from domain.stock import (
    Adjust,
    Arrive,
    Count,
    Expect,
    Fulfil,
    LevelKey,
    Receive,
    Recount,
    Release,
    Reserve,
    Return,
    Ship,
    StockChange,
)

# No level holds more than bigint can (rules.MAX_ON_HAND): past it, no row, and the domain
# rule says why (quantity_out_of_range) instead of the statement failing on the overflow.
ADD_ON_HAND = """
INSERT INTO stock_levels AS s (org_id, item_id, location_id, on_hand, reserved, version, updated_at)
VALUES (%(org_id)s, %(item_id)s, %(location_id)s, %(quantity)s, 0, 1, %(now)s)
ON CONFLICT (org_id, item_id, location_id) DO UPDATE
SET on_hand = s.on_hand + EXCLUDED.on_hand, version = s.version + 1, updated_at = EXCLUDED.updated_at
WHERE s.on_hand <= 9223372036854775807 - EXCLUDED.on_hand
RETURNING s.on_hand, s.reserved, s.incoming, s.version, s.updated_at,
          s.on_hand - %(quantity)s AS previous
"""
SHIP = """
UPDATE stock_levels SET on_hand = on_hand - %(quantity)s, version = version + 1,
       updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND on_hand - reserved >= %(quantity)s
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand + %(quantity)s AS previous
"""
# A decrease may not take on_hand below reserved (nor, therefore, below zero).
REMOVE_ON_HAND = """
UPDATE stock_levels SET on_hand = on_hand - %(quantity)s, version = version + 1,
       updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND on_hand - %(quantity)s >= reserved
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand + %(quantity)s AS previous
"""
# reservation_sql.RESERVE_FIRST repeats this condition (ADR 0035): change both together.
RESERVE = """
UPDATE stock_levels SET reserved = reserved + %(quantity)s, version = version + 1,
       updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND on_hand - reserved >= %(quantity)s
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand AS previous
"""
RELEASE = """
UPDATE stock_levels SET reserved = reserved - %(quantity)s, version = version + 1,
       updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND reserved >= %(quantity)s
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand AS previous
"""
FULFIL = """
UPDATE stock_levels SET on_hand = on_hand - %(quantity)s, reserved = reserved - %(quantity)s,
       version = version + 1, updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND reserved >= %(quantity)s
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand + %(quantity)s AS previous
"""
# The CTE locks the row and reads the on_hand the count replaces (and its guard compares with).
COUNT = """
WITH previous AS (
    SELECT on_hand FROM stock_levels
    WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
    FOR UPDATE
)
UPDATE stock_levels s SET on_hand = %(counted)s, version = s.version + 1, updated_at = %(now)s
FROM previous p
WHERE s.org_id = %(org_id)s AND s.item_id = %(item_id)s AND s.location_id = %(location_id)s
  AND (%(expected)s::bigint IS NULL OR p.on_hand = %(expected)s::bigint)
  AND %(counted)s >= s.reserved
RETURNING s.on_hand, s.reserved, s.incoming, s.version, s.updated_at, p.on_hand AS previous
"""

# In transit towards a level: created at a destination that never held the item.
EXPECT = """
INSERT INTO stock_levels AS s (org_id, item_id, location_id, on_hand, reserved, incoming, version,
                               updated_at)
VALUES (%(org_id)s, %(item_id)s, %(location_id)s, 0, 0, %(quantity)s, 1, %(now)s)
ON CONFLICT (org_id, item_id, location_id) DO UPDATE
SET incoming = s.incoming + EXCLUDED.incoming, version = s.version + 1,
    updated_at = EXCLUDED.updated_at
RETURNING s.on_hand, s.reserved, s.incoming, s.version, s.updated_at, s.on_hand AS previous
"""
UNEXPECT = """
UPDATE stock_levels SET incoming = incoming - %(quantity)s, version = version + 1,
       updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND incoming >= %(quantity)s
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand AS previous
"""
ARRIVE = """
UPDATE stock_levels SET on_hand = on_hand + %(quantity)s, incoming = incoming - %(quantity)s,
       version = version + 1, updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
  AND incoming >= %(quantity)s
RETURNING on_hand, reserved, incoming, version, updated_at, on_hand - %(quantity)s AS previous
"""


def conditional(change: StockChange) -> tuple[LiteralString, dict[str, Any]]:
    """The statement that applies ``change`` only if the domain rule allows it, and its
    parameters besides org_id, the level key and now."""
    match change:
        case Receive(quantity):
            return ADD_ON_HAND, {"quantity": quantity}
        case Ship(quantity):
            return SHIP, {"quantity": quantity}
        case Adjust(delta) if delta > 0:
            return ADD_ON_HAND, {"quantity": delta}
        case Adjust(delta):
            return REMOVE_ON_HAND, {"quantity": -delta}
        case Count(counted, expected):
            return COUNT, {"counted": counted, "expected": expected}
        case Reserve(quantity):
            return RESERVE, {"quantity": quantity}
        case Release(quantity):
            return RELEASE, {"quantity": quantity}
        case Fulfil(quantity):
            return FULFIL, {"quantity": quantity}
        case Expect(delta) if delta > 0:
            return EXPECT, {"quantity": delta}
        case Expect(delta):
            return UNEXPECT, {"quantity": -delta}
        case Arrive(quantity):
            return ARRIVE, {"quantity": quantity}
        case Return(quantity):
            return ADD_ON_HAND, {"quantity": quantity}
        case Recount(delta) if delta >= 0:
            return ADD_ON_HAND, {"quantity": delta}
        case Recount(delta):
            return REMOVE_ON_HAND, {"quantity": -delta}
    raise TypeError(f"unknown stock change {change!r}")


def key_params(key: LevelKey) -> dict[str, Any]:
    """The level key as statement parameters."""
    return {"item_id": key.item_id, "location_id": key.location_id}
