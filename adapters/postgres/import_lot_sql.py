"""SQL of the import's pass over the rows that name a lot (ADR 0033), set-based over the
temp tables import_lot_rows and import_lot_lines; only run when some row names one, so a
file of untracked items runs exactly the statements of adapters/postgres/import_sql.py.
"""

from __future__ import annotations

from psycopg import sql

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
# The levels of these rows are locked with the others (create_and_lock_levels, key order); then the lot
# rows, in (item_id, location_id, lot_id) order (ADRs 0017, 0025).
LOT_ROW_LEVELS = sql.SQL(
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
