"""Statements of lots and their positions (ADRs 0024, 0025).

A change of a tracked item's stock locks its level row first (``LOCK_LEVEL``, creating it on
a first receipt), reads the level's lots in a statement of its own (its snapshot is taken
after the lock, so it sees every committed change), and writes the lots and the level in one
statement. Every writer of ``lot_levels`` holds the level row, so lot rows are never fought
over without it: the lock order stays levels in (item_id, location_id) order.
"""

from __future__ import annotations

from typing import LiteralString

from psycopg import sql

from adapters.postgres.expiry_sql import expired_lot_held


def _discounting(text: LiteralString) -> sql.Composed:
    """A lot read whose ``{expired_held}`` is what holds past expiry still hold in ``ll``'s
    position: reads see them holding nothing (invariant 3), before anything releases them."""
    return sql.SQL(text).format(expired_held=expired_lot_held("ll"))


# Returns the stored lot (ours, or the one a concurrent receipt created under the same code).
INSERT_LOT = """
INSERT INTO lots (org_id, id, item_id, code, expires_on, created_at)
VALUES (%(org_id)s, %(id)s, %(item_id)s, %(code)s, %(expires_on)s, %(created_at)s)
ON CONFLICT (org_id, item_id, lower(code)) DO NOTHING
"""
SELECT_LOT = """
SELECT t.id, t.item_id, t.code, t.expires_on, t.created_at FROM lots t
WHERE t.org_id = %(org_id)s AND t.id = %(id)s
"""
SELECT_LOT_FOR_UPDATE = """
SELECT t.id, t.item_id, t.code, t.expires_on, t.created_at FROM lots t
WHERE t.org_id = %(org_id)s AND t.id = %(id)s FOR UPDATE
"""
SELECT_LOT_BY_CODE = """
SELECT t.id, t.item_id, t.code, t.expires_on, t.created_at FROM lots t
WHERE t.org_id = %(org_id)s AND t.item_id = %(item_id)s AND lower(t.code) = lower(%(code)s)
"""
UPDATE_LOT = """
UPDATE lots SET expires_on = %(expires_on)s WHERE org_id = %(org_id)s AND id = %(id)s
"""
# Serial lots gaining stock: locked in id order, before any level (ADR 0025); the totals are
# read by a statement of their own, whose snapshot sees what committed while we waited. FOR NO
# KEY UPDATE serialises these writers and nothing else: a row that references the lot (a
# transfer's or reservation's lot line, written after its levels are locked) takes FOR KEY
# SHARE on it, which must not wait here, or the two would wait on each other (ADR 0034).
LOCK_LOTS = """
SELECT id FROM lots WHERE org_id = %(org_id)s AND id = ANY(%(ids)s) ORDER BY id
FOR NO KEY UPDATE
"""
# A unit in transit still counts (ADR 0034): it left one location and arrives at another.
LOT_TOTALS = """
SELECT lot_id, sum(on_hand)::bigint AS on_hand FROM (
    SELECT lot_id, on_hand FROM lot_levels
    WHERE org_id = %(org_id)s AND lot_id = ANY(%(ids)s)
    UNION ALL
    SELECT lot_id, shipped - received - cancelled FROM transfer_lot_lines
    WHERE org_id = %(org_id)s AND lot_id = ANY(%(ids)s) AND shipped > received + cancelled
) t GROUP BY lot_id
"""

# The level row, locked (created empty on a first receipt; ``created`` says so).
LOCK_LEVEL = """
INSERT INTO stock_levels AS s (org_id, item_id, location_id, on_hand, reserved, incoming, version,
                               updated_at, lots)
VALUES (%(org_id)s, %(item_id)s, %(location_id)s, 0, 0, 0, 1, %(now)s, true)
ON CONFLICT (org_id, item_id, location_id) DO UPDATE SET lots = true
RETURNING s.on_hand, s.reserved, s.incoming, s.version, s.updated_at, (s.xmax = 0) AS created
"""
# The level's lots that hold stock, and the one the step names.
# A count session's snapshot of lot positions at one location (ADR 0032).
ON_HAND_AT = """
SELECT lot_id, on_hand FROM lot_levels
WHERE org_id = %(org_id)s AND item_id = ANY(%(item_ids)s) AND location_id = %(location_id)s
  AND lot_id = ANY(%(lot_ids)s)
"""
LEVEL_LOTS = """
SELECT t.id, t.item_id, t.code, t.expires_on, t.created_at, ll.on_hand, ll.reserved
FROM lot_levels ll JOIN lots t ON t.org_id = ll.org_id AND t.id = ll.lot_id
WHERE ll.org_id = %(org_id)s AND ll.item_id = %(item_id)s AND ll.location_id = %(location_id)s
  AND (ll.on_hand > 0 OR ll.lot_id = %(lot_id)s::uuid)
ORDER BY ll.lot_id FOR UPDATE OF ll
"""
WRITE_LOTS = """
WITH written AS (
    INSERT INTO lot_levels AS ll (org_id, item_id, location_id, lot_id, on_hand, reserved)
    SELECT %(org_id)s, %(item_id)s, %(location_id)s, u.lot_id, u.on_hand, u.reserved
    FROM unnest(%(lot_ids)s::uuid[], %(on_hands)s::bigint[], %(reserveds)s::bigint[])
         AS u(lot_id, on_hand, reserved)
    ON CONFLICT (org_id, item_id, location_id, lot_id) DO UPDATE
    SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved
)
UPDATE stock_levels SET on_hand = %(on_hand)s, reserved = %(reserved)s, incoming = %(incoming)s,
       version = %(version)s, updated_at = %(now)s
WHERE org_id = %(org_id)s AND item_id = %(item_id)s AND location_id = %(location_id)s
"""

# Expiry figures of the levels on a page that have lots (stock_levels.lots): on_hand in
# expired lots and what of it nothing holds. Only run when such a level is on the page.
EXPIRED_FIGURES = _discounting("""
SELECT ll.item_id, ll.location_id, sum(ll.on_hand)::bigint AS expired,
       sum(ll.on_hand - ll.reserved + {expired_held})::bigint AS expired_unreserved
FROM lot_levels ll JOIN lots t ON t.org_id = ll.org_id AND t.id = ll.lot_id
WHERE ll.org_id = %(org_id)s
  AND (ll.item_id, ll.location_id) IN (
      SELECT * FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[]))
  AND ll.on_hand > 0 AND t.expires_on < %(today)s
GROUP BY ll.item_id, ll.location_id
""")
HOLDS_ANY = """
SELECT EXISTS (
    SELECT 1 FROM stock_levels WHERE org_id = %(org_id)s AND item_id = %(item_id)s
      AND (on_hand <> 0 OR reserved <> 0 OR incoming <> 0)
) AS holds
"""
