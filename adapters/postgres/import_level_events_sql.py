"""The level UPDATE of an import without lots, writing its levels' events as it goes (ADR 0021):
one pass over the levels instead of an UPDATE and a read-back of a million rows after it.
"""

from __future__ import annotations

from psycopg import sql

from adapters.postgres.import_events_sql import LEVEL_EVENTS
from adapters.postgres.import_sql import SET_LEVELS

# The file's totals per level, as UPDATE_LEVELS sets from, with the item's reorder point,
# joined line by line before they are summed: there the planner knows how many rows meet the
# items and hashes them, where after the UPDATE's own join it guesses a few thousand and
# probes the items' index once a level.
_TOTALS = sql.SQL("""
SELECT l.item_id, l.location_id, sum(l.quantity) AS total, max(l.quantity) AS counted,
       count(*) AS changes, min(i.reorder_point) AS reorder_point
FROM import_lines l JOIN items i ON i.org_id = %(org_id)s AND i.id = l.item_id
GROUP BY l.item_id, l.location_id
""")
# ``changed``: each level as the UPDATE left it, with available before it (``old.``: the row
# the UPDATE replaced; PostgreSQL 18, migrations/0027). Its events go into the outbox in level
# order, the change before its signals, after what EVENTS_AHEAD moved in. Only the narrow
# level rows are sorted, before the events are rendered, so that the sort by ``ord`` left is
# one within each level. The statement answers how many levels it changed.
UPDATE_LEVELS_WITH_EVENTS = sql.SQL("""
WITH changed AS (
    UPDATE stock_levels s {set}
    FROM ({totals}) t
    WHERE s.org_id = %(org_id)s AND s.item_id = t.item_id AND s.location_id = t.location_id
    RETURNING s.item_id, s.location_id, s.on_hand, s.reserved, s.incoming, s.version, s.lots,
              old.on_hand - old.reserved AS before, s.on_hand - s.reserved AS after,
              t.reorder_point
), announced AS (
    INSERT INTO events (org_id, id, type, occurred_at, subject_id, data)
    {events}
    ORDER BY c.item_id, c.location_id, e.ord
)
SELECT count(*) AS levels FROM changed
""").format(
    set=SET_LEVELS,
    totals=_TOTALS,
    events=LEVEL_EVENTS.format(
        first=sql.SQL("%(org_id)s,"),
        levels=sql.SQL("""
            SELECT item_id, location_id, on_hand, reserved, incoming, version, before, after,
                   reorder_point
            FROM changed WHERE NOT lots
            ORDER BY item_id, location_id
        """),
    ),
)
