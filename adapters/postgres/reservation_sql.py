"""Statements and row mappers of the reservations repository."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import LiteralString
from uuid import UUID

from psycopg import sql

from adapters.postgres.events import insert_events
from adapters.postgres.expiry_sql import (
    expired_hold,
    past_expiry,
    release_expired_holds,
    within_expiry,
)
from adapters.postgres.lots import lot_from_row
from adapters.postgres.repository import Row, utc
from domain.reservations import LineLot, Reservation, ReservationLine, ReservationStatus

# Lines copy the reservation's expires_at (see migration 0004), written on every save.
INSERT_RESERVATION = """
WITH reservation AS (
    INSERT INTO reservations (org_id, id, reference, status, expires_at, created_by, created_at,
                              updated_at, version)
    VALUES (%(org_id)s, %(id)s, %(reference)s, %(status)s, %(expires_at)s, %(created_by)s,
            %(created_at)s, %(updated_at)s, %(version)s)
)
INSERT INTO reservation_lines (org_id, reservation_id, line_no, item_id, location_id, quantity,
                               fulfilled, released, expires_at)
SELECT %(org_id)s, %(id)s, l.line_no, l.item_id, l.location_id, l.quantity, l.fulfilled,
       l.released, %(expires_at)s
FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[], %(quantities)s::bigint[],
            %(fulfilled)s::bigint[], %(released)s::bigint[]) WITH ORDINALITY
     AS l(item_id, location_id, quantity, fulfilled, released, line_no)
"""
# A new one-line reservation in one statement (ADR 0035): the level's conditional update
# (RESERVE of stock_sql.py, repeated here: change both together) and, only if it matched,
# the reservation and its line. It also requires what the general path would otherwise check
# or do first: an untracked item and no archived entry (both read and held FOR KEY SHARE by
# the statements before it in the flight), and no expired open hold at the level (the
# general path releases those first; reservation_lines_expiring_idx finds them). No row:
# nothing written, the general path runs.
_RESERVE_FIRST = sql.SQL("""
WITH level AS (
    UPDATE stock_levels s SET reserved = s.reserved + %(quantity)s, version = s.version + 1,
           updated_at = %(now)s
    WHERE s.org_id = %(org_id)s AND s.item_id = %(item_id)s AND s.location_id = %(location_id)s
      AND s.on_hand - s.reserved >= %(quantity)s
      AND EXISTS (SELECT 1 FROM items i
                  WHERE i.org_id = %(org_id)s AND i.id = %(item_id)s
                    AND i.tracking = 'none' AND NOT i.archived)
      AND EXISTS (SELECT 1 FROM locations o
                  WHERE o.org_id = %(org_id)s AND o.id = %(location_id)s AND NOT o.archived)
      AND NOT EXISTS (SELECT 1 FROM reservation_lines l
                      WHERE l.org_id = %(org_id)s AND l.item_id = %(item_id)s
                        AND l.location_id = %(location_id)s AND l.expires_at IS NOT NULL
                        AND {expired_hold})
    RETURNING s.on_hand, s.reserved, s.incoming, s.version, s.updated_at, s.on_hand AS previous
), reservation AS (
    INSERT INTO reservations (org_id, id, reference, status, expires_at, created_by, created_at,
                              updated_at, version)
    SELECT %(org_id)s, %(id)s, %(reference)s, %(status)s, %(expires_at)s, %(created_by)s,
           %(created_at)s, %(updated_at)s, %(version)s
    FROM level
), line AS (
    INSERT INTO reservation_lines (org_id, reservation_id, line_no, item_id, location_id,
                                   quantity, fulfilled, released, expires_at)
    SELECT %(org_id)s, %(id)s, 1, %(item_id)s, %(location_id)s, %(quantity)s, %(fulfilled)s,
           %(released)s, %(expires_at)s
    FROM level
){announce}
SELECT on_hand, reserved, incoming, version, updated_at, previous FROM level
""")
# With an Idempotency-Key the level's lock is the last thing the first flight takes; the
# commit's flight (events, the key's result, COMMIT) follows.
RESERVE_FIRST = _RESERVE_FIRST.format(expired_hold=expired_hold("l"), announce=sql.SQL(""))
# Without one, the statement also writes the reservation's events and COMMIT follows it in
# the same flight (ADR 0036), so the level's lock is held for the server's time only. The
# events are those the general path writes (application.events.reservation_created): the
# caller sends them composed (adapters/postgres/reservation_events.py) but for the level's
# figures, which only the update knows; the statement fills those in and keeps the signals
# the reserve crossed (domain.events.stock_signals: ``low`` below the reorder point, ``out``
# at 0; a reserve never restocks). Each level event takes the next of %(level_event_ids)s,
# as new ids are drawn in Python. No row in ``level``: no event either.
_ANNOUNCE = sql.SQL("""
, crossed AS (
    SELECT jsonb_build_object('on_hand', on_hand, 'reserved', reserved,
                              'available', on_hand - reserved, 'incoming', incoming,
                              'version', version) AS figures,
           on_hand - reserved + %(quantity)s AS before, on_hand - reserved AS after,
           (SELECT i.reorder_point FROM items i
            WHERE i.org_id = %(org_id)s AND i.id = %(item_id)s) AS reorder_point
    FROM level
), level_events AS (
    SELECT e.n, e.event || jsonb_build_object('data', (e.event -> 'data') || c.figures) AS event,
           row_number() OVER (ORDER BY e.n) AS k
    FROM crossed c, jsonb_array_elements(%(level_events)s::jsonb) WITH ORDINALITY AS e(event, n)
    WHERE e.event ->> 'type' = 'stock_level.changed'
       OR (e.event ->> 'type' = 'stock_level.low' AND c.reorder_point IS NOT NULL
           AND c.before >= c.reorder_point AND c.reorder_point > c.after)
       OR (e.event ->> 'type' = 'stock_level.out' AND c.before > 0 AND c.after <= 0)
), announced AS (
    {insert_events}
)""")
RESERVE_AND_ANNOUNCE = _RESERVE_FIRST.format(
    expired_hold=expired_hold("l"),
    announce=_ANNOUNCE.format(
        insert_events=insert_events(
            sql.SQL("""(
    SELECT %(created)s::jsonb
           || jsonb_agg(event || jsonb_build_object('id', (%(level_event_ids)s::uuid[])[k])
                        ORDER BY n)
    FROM level_events)""")
        )
    ),
)
SAVE_RESERVATION = """
WITH reservation AS (
    UPDATE reservations SET reference = %(reference)s, status = %(status)s,
           expires_at = %(expires_at)s, updated_at = %(updated_at)s, version = %(version)s
    WHERE org_id = %(org_id)s AND id = %(id)s
)
UPDATE reservation_lines r SET fulfilled = l.fulfilled, released = l.released,
       expires_at = %(expires_at)s
FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[], %(fulfilled)s::bigint[],
            %(released)s::bigint[]) AS l(item_id, location_id, fulfilled, released)
WHERE r.org_id = %(org_id)s AND r.reservation_id = %(id)s
  AND r.item_id = l.item_id AND r.location_id = l.location_id
"""
# The lots holding a new reservation's lines (ADR 0031), deferred to ride with the commit;
# those lines are flagged (``lots``) so reads of untracked reservations never look here.
INSERT_LOT_LINES = """
WITH flagged AS (
    UPDATE reservation_lines SET lots = true
    WHERE org_id = %(org_id)s AND reservation_id = %(id)s
      AND (item_id, location_id) IN (
          SELECT * FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[]))
)
INSERT INTO reservation_lot_lines (org_id, reservation_id, item_id, location_id, seq, lot_id,
                                   quantity, fulfilled, released)
SELECT %(org_id)s, %(id)s, l.item_id, l.location_id, l.seq, l.lot_id, l.quantity, l.fulfilled,
       l.released
FROM unnest(%(lot_item_ids)s::uuid[], %(lot_location_ids)s::uuid[], %(seqs)s::integer[],
            %(lot_ids)s::uuid[], %(lot_quantities)s::bigint[], %(lot_fulfilled)s::bigint[],
            %(lot_released)s::bigint[])
     AS l(item_id, location_id, seq, lot_id, quantity, fulfilled, released)
"""
# Saving a reservation with lines in lots: each lot line's fulfilled and released (deferred).
SAVE_LOT_LINES = """
UPDATE reservation_lot_lines r SET fulfilled = l.fulfilled, released = l.released
FROM unnest(%(lot_item_ids)s::uuid[], %(lot_location_ids)s::uuid[], %(seqs)s::integer[],
            %(lot_fulfilled)s::bigint[], %(lot_released)s::bigint[])
     AS l(item_id, location_id, seq, fulfilled, released)
WHERE r.org_id = %(org_id)s AND r.reservation_id = %(id)s
  AND r.item_id = l.item_id AND r.location_id = l.location_id AND r.seq = l.seq
"""
# The lot lines of the reservations read, when one of their lines has lots: locked with the
# reservation row every writer takes first, so they need no lock of their own.
SELECT_LOT_LINES = """
SELECT l.reservation_id, l.item_id AS line_item_id, l.location_id, l.seq, l.quantity,
       l.fulfilled, l.released, t.id, t.item_id, t.code, t.expires_on, t.created_at
FROM reservation_lot_lines l JOIN lots t ON t.org_id = l.org_id AND t.id = l.lot_id
WHERE l.org_id = %(org_id)s AND l.reservation_id = ANY(%(ids)s)
ORDER BY l.reservation_id, l.item_id, l.location_id, l.seq
"""
_SELECT = """
SELECT r.id, r.reference, r.status, r.expires_at, r.created_by, r.created_at, r.updated_at,
       r.version
FROM reservations r WHERE
"""
_LINES = """
SELECT reservation_id, line_no, item_id, location_id, quantity, fulfilled, released, lots
FROM reservation_lines WHERE org_id = %(org_id)s AND reservation_id = ANY(%(ids)s)
"""
SELECT_LINES = sql.SQL(_LINES + " ORDER BY reservation_id, line_no")
# Lock order everywhere: reservation row, its lines by (item_id, location_id), stock levels.
SELECT_LINES_FOR_UPDATE = sql.SQL(_LINES + " ORDER BY item_id, location_id FOR UPDATE")
# Expired open holds at the given levels, locked in one fixed order, then marked released.
RELEASE_EXPIRED_HOLDS = release_expired_holds(
    sql.SQL("unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[])")
)
_ORG = sql.SQL("r.org_id = %(org_id)s")
_ID = sql.SQL("r.id = %(id)s")
_STATUS_ACTIVE = sql.SQL("r.status = 'active' AND {}").format(within_expiry("r"))
# Only reservations with an expiry ever expire: reservations_expiring_created_idx's predicate.
_STATUS_EXPIRED = sql.SQL(
    "r.expires_at IS NOT NULL AND r.status IN ('active', 'expired') AND (r.status = 'expired' OR {})"
).format(past_expiry("r"))
_STATUS = sql.SQL("r.status = %(status)s")
_REFERENCE = sql.SQL("r.reference = %(reference)s")
_AFTER = sql.SQL("(r.created_at, r.id) > (%(after_created_at)s, %(after_id)s)")
_ORDER = " ORDER BY r.created_at, r.id LIMIT %(limit)s"


def reservation_query(conditions: list[sql.Composable], tail: LiteralString = "") -> sql.Composed:
    """The reservation SELECT with constant conditions joined by AND."""
    where = sql.SQL(" AND ").join(conditions)
    return sql.Composed([sql.SQL(_SELECT), where, sql.SQL(tail)])


GET_RESERVATION = reservation_query([_ORG, _ID])
GET_RESERVATION_FOR_UPDATE = reservation_query([_ORG, _ID], " FOR UPDATE")


@lru_cache(maxsize=64)  # one object per combination, so its rendered text is cached too
def list_query(status: ReservationStatus | None, reference: bool, after: bool) -> sql.Composed:
    """The list statement for a filter combination; status is the effective one."""
    conditions: list[sql.Composable] = [_ORG]
    if status is ReservationStatus.ACTIVE:
        conditions.append(_STATUS_ACTIVE)
    elif status is ReservationStatus.EXPIRED:
        conditions.append(_STATUS_EXPIRED)
    elif status is not None:
        conditions.append(_STATUS)
    if reference:
        conditions.append(_REFERENCE)
    if after:
        conditions.append(_AFTER)
    return reservation_query(conditions, _ORDER)


def reservation_from_row(row: Row, lines: list[Row], lots: Sequence[Row] = ()) -> Reservation:
    """Rebuild a Reservation from its row, its lines in line order and their lot lines (in
    (item, location, seq) order)."""
    held: dict[tuple[UUID, UUID], list[LineLot]] = {}
    for r in lots:
        part = LineLot(lot_from_row(r), r["quantity"], r["fulfilled"], r["released"])
        held.setdefault((r["line_item_id"], r["location_id"]), []).append(part)
    return Reservation(
        id=row["id"],
        reference=row["reference"],
        status=ReservationStatus(row["status"]),
        expires_at=None if row["expires_at"] is None else utc(row["expires_at"]),
        created_by=row["created_by"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        version=row["version"],
        lines=tuple(
            ReservationLine(
                r["item_id"],
                r["location_id"],
                r["quantity"],
                r["fulfilled"],
                r["released"],
                tuple(held.get((r["item_id"], r["location_id"]), ())),
            )
            for r in sorted(lines, key=lambda r: r["line_no"])
        ),
    )
