"""SQL of the bulk stock import (adapters/postgres/importer.py), set-based over temp tables.

The temp tables live in the import's transaction only (ON COMMIT DROP; a rollback drops them
too), so nothing is left in the session: safe on a transaction-mode pooler.
"""

from __future__ import annotations

from psycopg import sql

from adapters.postgres.expiry_sql import release_expired_holds
from adapters.postgres.import_lot_sql import LOT_ROW_LEVELS

# Sorts and hashes over a million rows spill to disk at the default work_mem (4MB); the import's
# transaction gets more (ADR 0021, amended: INSERT_LINES about 7 s faster at 1M lines). SET
# LOCAL ends with the transaction: nothing stays in the session behind a pooler.
IMPORT_WORK_MEM = "SET LOCAL work_mem = '64MB'"

CREATE_IMPORT_ROWS = """
CREATE TEMP TABLE import_rows (
    line_no       bigint NOT NULL,
    sku           text   NOT NULL,
    location_code text   NOT NULL,
    quantity      bigint NOT NULL
) ON COMMIT DROP
"""
CREATE_IMPORT_LINES = """
CREATE TEMP TABLE import_lines (
    line_no           bigint NOT NULL,
    sku               text   NOT NULL,
    location_code     text   NOT NULL,
    quantity          bigint NOT NULL,
    item_id           uuid,
    item_sku          text,
    item_archived     boolean,
    item_tracked      boolean,
    location_id       uuid,
    stored_code       text,
    location_archived boolean
) ON COMMIT DROP
"""
CREATE_IMPORT_LEVELS = """
CREATE TEMP TABLE import_levels (
    item_id     uuid   NOT NULL,
    location_id uuid   NOT NULL,
    on_hand     bigint NOT NULL,
    reserved    bigint NOT NULL,
    PRIMARY KEY (item_id, location_id)
) ON COMMIT DROP
"""
COPY_ROWS = "COPY import_rows (line_no, sku, location_code, quantity) FROM STDIN"

# Skus and codes are unique case-insensitively per org (items_org_sku_key, locations_org_code_key).
RESOLVE = """
INSERT INTO import_lines
SELECT r.line_no, r.sku, r.location_code, r.quantity,
       i.id, i.sku, i.archived, i.tracking <> 'none', l.id, l.code, l.archived
FROM import_rows r
LEFT JOIN items i ON i.org_id = %(org_id)s AND lower(i.sku) = lower(r.sku)
LEFT JOIN locations l ON l.org_id = %(org_id)s AND lower(l.code) = lower(r.location_code)
"""
ANALYZE_LINES = "ANALYZE import_lines"

CATALOG_PROBLEMS = """
SELECT line_no, sku, location_code, item_sku, item_archived, item_tracked, stored_code,
       location_archived
FROM import_lines
WHERE item_id IS NULL OR location_id IS NULL OR item_tracked
   OR (%(receipt)s AND (item_archived OR location_archived))
"""

# Every level the import writes: its rows' levels and, when it released expired holds, the
# levels those held stock at (a union only then: it costs a pass over a million rows).
ROW_LEVELS = sql.SQL(
    "SELECT item_id, location_id FROM import_lines"
    " WHERE item_id IS NOT NULL AND location_id IS NOT NULL"
)
_ALL_LEVELS = sql.SQL("{} UNION SELECT item_id, location_id FROM import_expired").format(ROW_LEVELS)
# Levels are locked in (item_id, location_id) order, like every other multi-level write, new
# ones included: locking the existing ones and creating the missing ones in two passes would
# hold a later level while waiting for an earlier one, and deadlock with an API write that
# takes them in order. An import without lots first locks the levels that exist, in order,
# inside a savepoint, and counts them against its distinct targets (LOCK_EXISTING_LEVELS): when
# every level exists (a re-import, the usual case) that one pass is all, where a separate
# check for a missing level cost as much again (4.4 s of a 1M-line import). When some are
# missing, rolling back to the savepoint releases those locks, and one ordered INSERT creates
# the missing levels at zero (zero is the empty sum: no ledger line needed) and locks the
# others, which ON CONFLICT DO UPDATE ... WHERE false does without writing them.
LOCK_SAVEPOINT = "SAVEPOINT import_lock_levels"
UNDO_LOCKS = "ROLLBACK TO SAVEPOINT import_lock_levels"
KEEP_LOCKS = "RELEASE SAVEPOINT import_lock_levels"
_LOCK_LEVELS = sql.SQL("""
INSERT INTO import_levels (item_id, location_id, on_hand, reserved)
SELECT s.item_id, s.location_id, s.on_hand, s.reserved
FROM stock_levels s
WHERE s.org_id = %(org_id)s AND (s.item_id, s.location_id) IN ({targets})
ORDER BY s.item_id, s.location_id
FOR UPDATE OF s
""")
_LOCK_EXISTING_LEVELS = sql.SQL("""
WITH locked AS ({lock} RETURNING 1)
SELECT (SELECT count(*) FROM locked) AS locked,
       (SELECT count(*) FROM (SELECT DISTINCT item_id, location_id FROM ({targets}) t) d)
           AS targets
""")
_CREATE_AND_LOCK_LEVELS = sql.SQL("""
INSERT INTO stock_levels AS s (org_id, item_id, location_id, on_hand, reserved, version, updated_at)
SELECT DISTINCT %(org_id)s, t.item_id, t.location_id, 0::bigint, 0::bigint, 0, %(now)s::timestamptz
FROM ({targets}) AS t
ORDER BY 2, 3
ON CONFLICT ON CONSTRAINT stock_levels_pkey DO UPDATE SET version = s.version WHERE false
""")
# After the ordered INSERT: the levels, read under the locks this transaction holds.
_READ_LOCKED_LEVELS = sql.SQL("""
INSERT INTO import_levels (item_id, location_id, on_hand, reserved)
SELECT s.item_id, s.location_id, s.on_hand, s.reserved
FROM stock_levels s
WHERE s.org_id = %(org_id)s AND (s.item_id, s.location_id) IN ({targets})
""")


def _targets(*, released: bool, lots: bool) -> sql.Composable:
    """Every level the import writes; ``released``: expired holds were released; ``lots``:
    rows name lots (their levels are in import_lot_lines)."""
    targets: sql.Composable = _ALL_LEVELS if released else ROW_LEVELS
    return sql.Composed([targets, LOT_ROW_LEVELS]) if lots else targets


def lock_existing_levels(*, released: bool) -> sql.Composed:
    """Lock (in key order) and copy into import_levels the target levels that exist; answers
    ``locked`` and ``targets``, the count of distinct target levels (run in LOCK_SAVEPOINT)."""
    targets = _targets(released=released, lots=False)
    lock = _LOCK_LEVELS.format(targets=targets)
    return _LOCK_EXISTING_LEVELS.format(lock=lock, targets=targets)


def create_and_lock_levels(*, released: bool, lots: bool = False) -> list[sql.Composed]:
    """The statements that create the missing target levels and lock every one in key order,
    then copy them into import_levels."""
    targets = _targets(released=released, lots=lots)
    return [
        _CREATE_AND_LOCK_LEVELS.format(targets=targets),
        _READ_LOCKED_LEVELS.format(targets=targets),
    ]


# Holds past expiry on the target levels are released before anything is checked
# (invariant 5 in docs/design.md: an expired reservation never blocks a count): their
# reservations and lines are locked first, the levels afterwards, as every writer does.
CREATE_EXPIRED_HOLDS = """
CREATE TEMP TABLE import_expired (
    item_id     uuid   NOT NULL,
    location_id uuid   NOT NULL,
    open        bigint NOT NULL
) ON COMMIT DROP
"""
# The same release as every other write's (adapters/postgres/expiry_sql.py), at the import's
# levels, summed per level.
_IMPORT_LEVELS = sql.SQL(
    "(SELECT DISTINCT item_id, location_id FROM import_lines"
    " WHERE item_id IS NOT NULL AND location_id IS NOT NULL)"
)
# What lots held of those holds (ADR 0031), summed per lot position.
CREATE_EXPIRED_LOT_HOLDS = """
CREATE TEMP TABLE import_expired_lots (
    item_id     uuid   NOT NULL,
    location_id uuid   NOT NULL,
    lot_id      uuid   NOT NULL,
    open        bigint NOT NULL
) ON COMMIT DROP
"""
# And each line released: the import announces its reservation and the levels only the
# release touched (ADR 0021), as a write that meets a hold past expiry does.
CREATE_EXPIRED_LINES = """
CREATE TEMP TABLE import_expired_lines (
    reservation_id uuid   NOT NULL,
    item_id        uuid   NOT NULL,
    location_id    uuid   NOT NULL,
    open           bigint NOT NULL
) ON COMMIT DROP
"""
RELEASE_EXPIRED_HOLDS = release_expired_holds(
    _IMPORT_LEVELS,
    into=sql.Identifier("import_expired"),
    lots_into=sql.Identifier("import_expired_lots"),
    lines_into=sql.Identifier("import_expired_lines"),
)
# Under the levels' locks: the lots give back what they held, locked in lot id order.
RELEASE_EXPIRED_LOT_RESERVED = """
WITH locked AS (
    SELECT ll.item_id, ll.location_id, ll.lot_id FROM lot_levels ll
    WHERE ll.org_id = %(org_id)s AND (ll.item_id, ll.location_id, ll.lot_id) IN (
        SELECT item_id, location_id, lot_id FROM import_expired_lots)
    ORDER BY ll.item_id, ll.location_id, ll.lot_id
    FOR UPDATE OF ll
)
UPDATE lot_levels ll SET reserved = ll.reserved - e.open
FROM import_expired_lots e JOIN locked k USING (item_id, location_id, lot_id)
WHERE ll.org_id = %(org_id)s AND ll.item_id = e.item_id AND ll.location_id = e.location_id
  AND ll.lot_id = e.lot_id
"""
RELEASE_EXPIRED_RESERVED = """
WITH released AS (
    UPDATE stock_levels s
    SET reserved = s.reserved - e.open, version = s.version + 1, updated_at = %(now)s
    FROM import_expired e
    WHERE s.org_id = %(org_id)s AND s.item_id = e.item_id AND s.location_id = e.location_id
    RETURNING s.item_id, s.location_id, s.reserved
)
UPDATE import_levels v SET reserved = r.reserved
FROM released r WHERE v.item_id = r.item_id AND v.location_id = r.location_id
"""

# Counts: each level once, never below what is reserved, and never above on_hand at an
# archived item or location (it takes no new stock; a count may still write stock off).
# Checked under the level locks, with the archive flags read under the intake lock.
COUNT_PROBLEMS = """
SELECT d.line_no, d.first_line, d.quantity, v.reserved, v.on_hand,
       d.item_archived, d.item_sku, d.stored_code
FROM (SELECT line_no, quantity, item_id, location_id, item_archived, location_archived,
             item_sku, stored_code,
             min(line_no) OVER (PARTITION BY item_id, location_id) AS first_line
      FROM import_lines
      WHERE item_id IS NOT NULL AND location_id IS NOT NULL) d
JOIN import_levels v USING (item_id, location_id)
WHERE d.line_no <> d.first_line OR d.quantity < v.reserved
   OR (d.quantity > v.on_hand AND (d.item_archived OR d.location_archived))
"""

INSERT_MOVEMENT = """
INSERT INTO movements (org_id, id, type, reason, reference, note, actor, created_at)
VALUES (%(org_id)s, %(movement_id)s, %(type)s, NULL, %(reference)s, %(note)s, %(actor)s,
        %(now)s)
"""
# One ledger line per row, in file order. A receipt's on_hand_after is the running total per
# level; a count's delta is counted minus the locked on_hand.
INSERT_LINES = """
INSERT INTO movement_lines (org_id, movement_id, line_no, item_id, location_id, delta,
                            on_hand_after)
SELECT %(org_id)s, %(movement_id)s, row_number() OVER (ORDER BY l.line_no),
       l.item_id, l.location_id,
       CASE WHEN %(receipt)s THEN l.quantity ELSE l.quantity - v.on_hand END,
       CASE WHEN %(receipt)s
            THEN v.on_hand + sum(l.quantity) OVER (PARTITION BY l.item_id, l.location_id
                                                   ORDER BY l.line_no)
            ELSE l.quantity END
FROM import_lines l
JOIN import_levels v USING (item_id, location_id)
"""
# Each ledger line counts as one change of the level (version), as in the in-memory adapter;
# ``t`` holds the file's totals per level (import_level_events_sql.py reads more there).
SET_LEVELS = sql.SQL("""
SET on_hand = CASE WHEN %(receipt)s THEN s.on_hand + t.total ELSE t.counted END,
    version = s.version + t.changes,
    updated_at = %(now)s
""")
UPDATE_LEVELS = sql.SQL("""
UPDATE stock_levels s {set}
FROM (SELECT item_id, location_id, sum(quantity) AS total, max(quantity) AS counted,
             count(*) AS changes
      FROM import_lines GROUP BY item_id, location_id) t
WHERE s.org_id = %(org_id)s AND s.item_id = t.item_id AND s.location_id = t.location_id
""").format(set=SET_LEVELS)
