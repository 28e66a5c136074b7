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
# The import's events (ADR 0021), gathered in a temp table, then moved into the outbox by one
# INSERT in their order: the document and the expiry announcements first (by n, COPYed from
# Python: COPY cannot write a table under row-level security), then every level's events
# by (item_id, location_id), the change before its signals (ord).
CREATE_IMPORT_EVENTS = """
CREATE TEMP TABLE import_events (
    n           bigint      NOT NULL,
    item_id     uuid,
    location_id uuid,
    ord         integer,
    id          uuid        NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    subject_id  text        NOT NULL,
    data        jsonb       NOT NULL
) ON COMMIT DROP
"""
COPY_IMPORT_EVENTS = (
    "COPY import_events (n, item_id, location_id, ord, id, type, occurred_at, subject_id, data)"
    " FROM STDIN"
)
INSERT_IMPORT_EVENTS = """
INSERT INTO events (org_id, id, type, occurred_at, subject_id, data)
SELECT %(org_id)s, id, type, occurred_at, subject_id, data FROM import_events
ORDER BY item_id NULLS FIRST, location_id, ord, n
"""
# A level's events as application.events writes them for a level an import changed
# (``level_data`` with the import as cause; ``stock_signals`` on available before and after,
# an import moving on_hand only), rendered in SQL: a million of them would cost a minute
# through Python. ``{levels}`` gives one row per untracked level: its figures after the
# import, ``before`` (available before it), ``after`` and its item's reorder point. The
# contract suite holds the two equal (tests/contract/test_import_events_contract.py). Tracked
# levels, whose available needs their lots, go through Python (``changed_levels``).
LEVEL_EVENTS = sql.SQL("""
SELECT {first} gen_random_uuid(), e.type, %(now)s,
       c.item_id::text || ':' || c.location_id::text,
       jsonb_build_object(
           'item_id', c.item_id, 'location_id', c.location_id, 'on_hand', c.on_hand,
           'reserved', c.reserved, 'available', c.after, 'expired', 0,
           'incoming', c.incoming, 'version', c.version,
           'updated_at', %(updated_at)s::text,
           'cause', jsonb_build_object('movement_id', %(movement_id)s::text))
FROM ({levels}) c
CROSS JOIN LATERAL (
    SELECT 0 AS ord, 'stock_level.changed' AS type
    UNION ALL
    SELECT 1, 'stock_level.low' WHERE c.before >= c.reorder_point AND c.reorder_point > c.after
    UNION ALL
    SELECT 2, 'stock_level.out' WHERE c.before > 0 AND c.after <= 0
    UNION ALL
    SELECT 3, 'stock_level.restocked' WHERE c.before <= 0 AND 0 < c.after
) e
""")
# The untracked levels the rows changed, read back after the import (import_levels holds
# what on_hand was under the lock).
_UNTRACKED_LEVELS = sql.SQL("""
SELECT s.item_id, s.location_id, s.on_hand, s.reserved, s.incoming, s.version,
       v.on_hand - s.reserved AS before, s.on_hand - s.reserved AS after, i.reorder_point
FROM import_levels v
JOIN stock_levels s
  ON s.org_id = %(org_id)s AND s.item_id = v.item_id AND s.location_id = v.location_id
JOIN items i ON i.org_id = %(org_id)s AND i.id = v.item_id
WHERE NOT s.lots AND (v.item_id, v.location_id) IN ({targets})
""")
# Every tracked level the rows changed, after the import, with how far its on_hand moved
# (import_levels holds what it was under the lock) and its item's reorder point.
_CHANGED_LEVELS = sql.SQL("""
SELECT s.item_id, s.location_id, s.on_hand, s.reserved, s.incoming, s.version, s.updated_at,
       s.lots, s.on_hand - v.on_hand AS on_hand_delta, i.reorder_point
FROM import_levels v
JOIN stock_levels s
  ON s.org_id = %(org_id)s AND s.item_id = v.item_id AND s.location_id = v.location_id
JOIN items i ON i.org_id = %(org_id)s AND i.id = v.item_id
WHERE s.lots AND (v.item_id, v.location_id) IN ({targets})
ORDER BY v.item_id, v.location_id
""")


def _row_levels(lots: bool) -> sql.Composable:
    return sql.Composed([ROW_LEVELS, LOT_ROW_LEVELS]) if lots else ROW_LEVELS


def changed_levels(lots: bool) -> sql.Composed:
    """The tracked levels the file's rows changed (not those it only released holds at)."""
    return _CHANGED_LEVELS.format(targets=_row_levels(lots))


def untracked_level_events(lots: bool) -> sql.Composed:
    """The events of the untracked levels the file's rows changed, read back after the import,
    into import_events, to be moved into the outbox in level order with the rest."""
    return sql.SQL("{insert} {events}").format(
        insert=sql.SQL(
            "INSERT INTO import_events (n, item_id, location_id, ord, id, type, occurred_at,"
            " subject_id, data)"
        ),
        events=LEVEL_EVENTS.format(
            first=sql.SQL("0, c.item_id, c.location_id, e.ord,"),
            levels=_UNTRACKED_LEVELS.format(targets=_row_levels(lots)),
        ),
    )


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
