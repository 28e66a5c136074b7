"""SQL of the bulk stock import (adapters/postgres/importer.py), set-based over temp tables.

The temp tables live in the import's transaction only (ON COMMIT DROP; a rollback drops them
too), so nothing is left in the session: safe on a transaction-mode pooler.
"""

from __future__ import annotations

from psycopg import sql

from adapters.postgres.expiry_sql import release_expired_holds

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
_ROW_LEVELS = sql.SQL(
    "SELECT item_id, location_id FROM import_lines"
    " WHERE item_id IS NOT NULL AND location_id IS NOT NULL"
)
_ALL_LEVELS = sql.SQL("{} UNION SELECT item_id, location_id FROM import_expired").format(
    _ROW_LEVELS
)
# Levels are locked in (item_id, location_id) order, like every other multi-level write, new
# ones included: locking the existing ones and creating the missing ones in two passes would
# hold a later level while waiting for an earlier one, and deadlock with an API write that
# takes them in order. When every level exists (a re-import, the usual case) one ordered
# SELECT ... FOR UPDATE locks them; otherwise one ordered INSERT creates the missing ones at
# zero (zero is the empty sum: no ledger line needed) and locks the others, which
# ON CONFLICT DO UPDATE ... WHERE false does without writing them (it costs a probe per
# existing level, so it is kept for imports that need it).
ANY_LEVEL_MISSING = """
SELECT EXISTS (
    SELECT 1 FROM import_lines l
    WHERE l.item_id IS NOT NULL AND l.location_id IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM stock_levels s
          WHERE s.org_id = %(org_id)s AND s.item_id = l.item_id AND s.location_id = l.location_id)
) AS missing
"""
_LOCK_LEVELS = sql.SQL("""
INSERT INTO import_levels (item_id, location_id, on_hand, reserved)
SELECT s.item_id, s.location_id, s.on_hand, s.reserved
FROM stock_levels s
WHERE s.org_id = %(org_id)s AND (s.item_id, s.location_id) IN ({targets})
ORDER BY s.item_id, s.location_id
FOR UPDATE OF s
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


def lock_levels(*, missing: bool, released: bool, lots: bool = False) -> list[sql.Composed]:
    """The statements that lock (and, where ``missing``, create) every target level in key
    order and copy them into import_levels; ``released``: expired holds were released;
    ``lots``: rows name lots (their levels are in import_lot_lines)."""
    targets: sql.Composable = _ALL_LEVELS if released else _ROW_LEVELS
    if lots:
        targets = sql.Composed([targets, _LOT_LEVELS])
    if not missing:
        return [_LOCK_LEVELS.format(targets=targets)]
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
_EXPIRED_LINES = sql.SQL("""
SELECT e.reservation_id, e.item_id, e.location_id, e.open,
       (e.item_id, e.location_id) IN ({targets}) AS imported
FROM import_expired_lines e
ORDER BY e.reservation_id, e.item_id, e.location_id
""")
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
# Each ledger line counts as one change of the level (version), as in the in-memory adapter.
UPDATE_LEVELS = """
UPDATE stock_levels s
SET on_hand = CASE WHEN %(receipt)s THEN s.on_hand + t.total ELSE t.counted END,
    version = s.version + t.changes,
    updated_at = %(now)s
FROM (SELECT item_id, location_id, sum(quantity) AS total, max(quantity) AS counted,
             count(*) AS changes
      FROM import_lines GROUP BY item_id, location_id) t
WHERE s.org_id = %(org_id)s AND s.item_id = t.item_id AND s.location_id = t.location_id
"""


# Rows that name a lot (ADR 0033): only when some row does. They are moved out of
# import_lines into import_lot_lines, so every statement above stays as it was, and checked
# and applied by the set-based statements below, over those rows only.
CREATE_IMPORT_LOT_ROWS = """
CREATE TEMP TABLE import_lot_rows (
    line_no    bigint NOT NULL,
    lot_code   text   NOT NULL,
    expires_on date
) ON COMMIT DROP
"""
CREATE_IMPORT_LOT_LINES = """
CREATE TEMP TABLE import_lot_lines (
    line_no           bigint  NOT NULL,
    sku               text    NOT NULL,
    location_code     text    NOT NULL,
    quantity          bigint  NOT NULL,
    item_id           uuid,
    item_sku          text,
    item_archived     boolean,
    item_tracked      boolean,
    location_id       uuid,
    stored_code       text,
    location_archived boolean,
    lot_code          text    NOT NULL,
    expires_on        date,
    item_serial       boolean NOT NULL DEFAULT false,
    lot_known         boolean NOT NULL DEFAULT false,
    lot_id            uuid,
    lot_stored_code   text,
    lot_expires       date,
    new_expires       date,
    lot_on_hand       bigint  NOT NULL DEFAULT 0,
    lot_reserved      bigint  NOT NULL DEFAULT 0,
    delta             bigint
) ON COMMIT DROP
"""
COPY_LOT_ROWS = "COPY import_lot_rows (line_no, lot_code, expires_on) FROM STDIN"
MOVE_LOT_LINES = """
WITH moved AS (
    DELETE FROM import_lines l USING import_lot_rows r
    WHERE l.line_no = r.line_no
    RETURNING l.*, r.lot_code, r.expires_on
)
INSERT INTO import_lot_lines (line_no, sku, location_code, quantity, item_id, item_sku,
                              item_archived, item_tracked, location_id, stored_code,
                              location_archived, lot_code, expires_on, item_serial)
SELECT m.line_no, m.sku, m.location_code, m.quantity, m.item_id, m.item_sku, m.item_archived,
       m.item_tracked, m.location_id, m.stored_code, m.location_archived, m.lot_code,
       m.expires_on, coalesce(i.tracking = 'serial', false)
FROM moved m
LEFT JOIN items i ON i.org_id = %(org_id)s AND i.id = m.item_id
"""
# A lot is its item's, by code ignoring case (lots_item_code_key).
RESOLVE_LOTS = """
UPDATE import_lot_lines l
SET lot_known = true, lot_id = t.id, lot_stored_code = t.code, lot_expires = t.expires_on
FROM lots t
WHERE t.org_id = %(org_id)s AND t.item_id = l.item_id AND lower(t.code) = lower(l.lot_code)
"""
# A new lot takes the date of the first row that gives one.
NEW_LOT_DATES = """
UPDATE import_lot_lines l SET new_expires = d.expires_on
FROM (SELECT DISTINCT ON (item_id, lower(lot_code)) item_id, lower(lot_code) AS code, expires_on
      FROM import_lot_lines
      WHERE NOT lot_known AND item_id IS NOT NULL AND expires_on IS NOT NULL
      ORDER BY item_id, lower(lot_code), line_no) d
WHERE NOT l.lot_known AND l.item_id = d.item_id AND lower(l.lot_code) = d.code
"""
# The levels of these rows are locked with the others (lock_levels, key order); then the lot
# rows, in (item_id, location_id, lot_id) order (ADRs 0017, 0025).
_LOT_LEVELS = sql.SQL(
    " UNION SELECT item_id, location_id FROM import_lot_lines"
    " WHERE item_id IS NOT NULL AND location_id IS NOT NULL"
)
LOCK_LOT_LEVELS = """
UPDATE import_lot_lines l SET lot_on_hand = p.on_hand, lot_reserved = p.reserved
FROM (SELECT ll.item_id, ll.location_id, ll.lot_id, ll.on_hand, ll.reserved
      FROM lot_levels ll
      WHERE ll.org_id = %(org_id)s
        AND (ll.item_id, ll.location_id, ll.lot_id) IN (
            SELECT item_id, location_id, lot_id FROM import_lot_lines WHERE lot_id IS NOT NULL)
      ORDER BY ll.item_id, ll.location_id, ll.lot_id
      FOR UPDATE OF ll) p
WHERE l.item_id = p.item_id AND l.location_id = p.location_id AND l.lot_id = p.lot_id
"""
# Only the rows that may have a problem; importer.py names it (the same order as memory's).
LOT_PROBLEMS = """
SELECT * FROM (
    SELECT l.*, min(l.line_no) OVER (PARTITION BY l.item_id, l.location_id, lower(l.lot_code))
                AS first_line
    FROM import_lot_lines l) d
WHERE d.item_id IS NULL OR d.location_id IS NULL OR NOT d.item_tracked
   OR (%(receipt)s AND (d.item_archived OR d.location_archived))
   OR (NOT d.lot_known AND d.new_expires IS NULL)
   OR (d.expires_on IS NOT NULL
       AND d.expires_on IS DISTINCT FROM CASE WHEN d.lot_known THEN d.lot_expires
                                              ELSE d.new_expires END)
   OR (NOT %(receipt)s AND (d.line_no <> d.first_line OR d.quantity < d.lot_reserved
                            OR (d.quantity > d.lot_on_hand
                                AND (d.item_archived OR d.location_archived))))
"""
# Serial lots (ADR 0033): the new ones a row gives a date are created before anything is
# locked, like a receipt's, so that every serial lot the file names can be locked first, in id
# order (lots before levels, ADR 0025); no other writer then adds to them until we commit.
# FOR NO KEY UPDATE, as the API's serial lock: rows that only reference a lot (FOR KEY SHARE)
# never wait on it.
CREATE_SERIAL_LOTS = """
INSERT INTO lots (org_id, id, item_id, code, expires_on, created_at)
SELECT * FROM (
    SELECT DISTINCT ON (item_id, lower(lot_code))
           %(org_id)s, gen_random_uuid(), item_id, lot_code, new_expires, %(now)s::timestamptz
    FROM import_lot_lines
    WHERE item_serial AND NOT lot_known AND new_expires IS NOT NULL
    ORDER BY item_id, lower(lot_code), expires_on IS NULL, line_no) n
ON CONFLICT (org_id, item_id, lower(code)) DO NOTHING
"""
RESOLVE_SERIAL_LOTS = """
UPDATE import_lot_lines l SET lot_id = t.id
FROM lots t
WHERE l.item_serial AND l.lot_id IS NULL
  AND t.org_id = %(org_id)s AND t.item_id = l.item_id AND lower(t.code) = lower(l.lot_code)
"""
LOCK_SERIAL_LOTS = """
SELECT t.id FROM lots t
WHERE t.org_id = %(org_id)s
  AND t.id IN (SELECT lot_id FROM import_lot_lines WHERE item_serial AND lot_id IS NOT NULL)
ORDER BY t.id FOR NO KEY UPDATE
"""
# The serial rows, with their lot's code and what it holds at the row's location (locked).
SERIAL_ROWS = """
SELECT l.line_no, l.lot_id, t.code, l.quantity, l.lot_on_hand
FROM import_lot_lines l JOIN lots t ON t.org_id = %(org_id)s AND t.id = l.lot_id
WHERE l.item_serial
"""
# New lots, in (item_id, code) order; a lot a concurrent writer just created under the same
# code is taken as it is.
INSERT_NEW_LOTS = """
INSERT INTO lots (org_id, id, item_id, code, expires_on, created_at)
SELECT * FROM (
    SELECT DISTINCT ON (item_id, lower(lot_code))
           %(org_id)s, gen_random_uuid(), item_id, lot_code, new_expires, %(now)s::timestamptz
    FROM import_lot_lines
    WHERE NOT lot_known
    ORDER BY item_id, lower(lot_code), expires_on IS NULL, line_no) n
ON CONFLICT (org_id, item_id, lower(code)) DO NOTHING
"""
LOT_DELTAS = """
UPDATE import_lot_lines l
SET lot_id = coalesce(l.lot_id, t.id),
    delta = CASE WHEN %(receipt)s THEN l.quantity ELSE l.quantity - l.lot_on_hand END
FROM lots t
WHERE t.org_id = %(org_id)s AND t.item_id = l.item_id AND lower(t.code) = lower(l.lot_code)
"""
# Ledger lines after the untracked rows' (``first``), in file order; on_hand_after is the
# level's, as on every line of a tracked item.
INSERT_LOT_LINES = """
INSERT INTO movement_lines (org_id, movement_id, line_no, item_id, location_id, delta,
                            on_hand_after, lot_id)
SELECT %(org_id)s, %(movement_id)s, %(first)s::bigint + row_number() OVER (ORDER BY l.line_no),
       l.item_id, l.location_id, l.delta,
       v.on_hand + sum(l.delta) OVER (PARTITION BY l.item_id, l.location_id ORDER BY l.line_no),
       l.lot_id
FROM import_lot_lines l
JOIN import_levels v USING (item_id, location_id)
"""
# Each position's new on_hand, from the one read under the lock (a candidate row is checked
# before its conflict is found, so it carries the result, never a negative delta).
WRITE_LOT_POSITIONS = """
INSERT INTO lot_levels AS ll (org_id, item_id, location_id, lot_id, on_hand, reserved)
SELECT %(org_id)s, item_id, location_id, lot_id, max(lot_on_hand) + sum(delta), 0
FROM import_lot_lines
GROUP BY item_id, location_id, lot_id
ORDER BY item_id, location_id, lot_id
ON CONFLICT (org_id, item_id, location_id, lot_id) DO UPDATE SET on_hand = EXCLUDED.on_hand
"""
UPDATE_LOT_LEVELS = """
UPDATE stock_levels s
SET on_hand = s.on_hand + t.total, version = s.version + t.changes, lots = true,
    updated_at = %(now)s
FROM (SELECT item_id, location_id, sum(delta) AS total, count(*) AS changes
      FROM import_lot_lines GROUP BY item_id, location_id) t
WHERE s.org_id = %(org_id)s AND s.item_id = t.item_id AND s.location_id = t.location_id
"""


# The import's events (ADR 0021): written to a temp table by COPY (COPY cannot write a table
# under row-level security), then into the outbox by one INSERT in their order.
CREATE_IMPORT_EVENTS = """
CREATE TEMP TABLE import_events (
    n           bigint      NOT NULL,
    id          uuid        NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    subject_id  text        NOT NULL,
    data        jsonb       NOT NULL
) ON COMMIT DROP
"""
COPY_IMPORT_EVENTS = "COPY import_events (n, id, type, occurred_at, subject_id, data) FROM STDIN"
INSERT_IMPORT_EVENTS = """
INSERT INTO events (org_id, id, type, occurred_at, subject_id, data)
SELECT %(org_id)s, id, type, occurred_at, subject_id, data FROM import_events ORDER BY n
"""
# Every level the import changed, after it, with how far its on_hand moved (import_levels
# holds what it was under the lock) and its item's reorder point.
_CHANGED_LEVELS = sql.SQL("""
SELECT s.item_id, s.location_id, s.on_hand, s.reserved, s.incoming, s.version, s.updated_at,
       s.lots, s.on_hand - v.on_hand AS on_hand_delta, i.reorder_point
FROM import_levels v
JOIN stock_levels s
  ON s.org_id = %(org_id)s AND s.item_id = v.item_id AND s.location_id = v.location_id
JOIN items i ON i.org_id = %(org_id)s AND i.id = v.item_id
WHERE (v.item_id, v.location_id) IN ({targets})
ORDER BY v.item_id, v.location_id
""")


def _row_levels(lots: bool) -> sql.Composable:
    return sql.Composed([_ROW_LEVELS, _LOT_LEVELS]) if lots else _ROW_LEVELS


def changed_levels(lots: bool) -> sql.Composed:
    """The levels the file's rows changed (not those whose expired holds it only released)."""
    return _CHANGED_LEVELS.format(targets=_row_levels(lots))


def expired_lines(lots: bool) -> sql.Composed:
    """Each line the release of holds past expiry gave back, and whether a row's level."""
    return _EXPIRED_LINES.format(targets=_row_levels(lots))


# Levels only the release of holds past expiry changed, after the import (by key).
LEVELS_AT = """
SELECT s.item_id, s.location_id, s.on_hand, s.reserved, s.incoming, s.version, s.updated_at,
       s.lots, 0::bigint AS on_hand_delta, i.reorder_point
FROM stock_levels s JOIN items i ON i.org_id = %(org_id)s AND i.id = s.item_id
WHERE s.org_id = %(org_id)s
  AND (s.item_id, s.location_id) IN (
      SELECT * FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[]))
ORDER BY s.item_id, s.location_id
"""
