"""SQL of what the import announces (ADR 0021): the levels it changed and the holds past
expiry it released, read back under its locks, and its events copied into the outbox.
"""

from __future__ import annotations

from psycopg import sql

from adapters.postgres.import_lot_sql import LOT_ROW_LEVELS
from adapters.postgres.import_sql import ROW_LEVELS

_EXPIRED_LINES = sql.SQL("""
SELECT e.reservation_id, e.item_id, e.location_id, e.open,
       (e.item_id, e.location_id) IN ({targets}) AS imported
FROM import_expired_lines e
ORDER BY e.reservation_id, e.item_id, e.location_id
""")
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
    return sql.Composed([ROW_LEVELS, LOT_ROW_LEVELS]) if lots else ROW_LEVELS


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
