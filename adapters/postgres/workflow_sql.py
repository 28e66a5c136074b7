"""Statements and row mappers of transfers and count sessions."""

from __future__ import annotations

from functools import lru_cache
from typing import LiteralString
from uuid import UUID

from psycopg import sql

from adapters.postgres.repository import Row, utc
from domain.counts import CountSession, CountSessionLine, CountStatus
from domain.transfers import Transfer, TransferStatus, TransitLine
from domain.transit_lots import TransitLot

INSERT_TRANSFER = """
WITH transfer AS (
    INSERT INTO transfers (org_id, id, from_location_id, to_location_id, reference, note, status,
                           created_by, created_at, updated_at, version)
    VALUES (%(org_id)s, %(id)s, %(from_location_id)s, %(to_location_id)s, %(reference)s,
            %(note)s, %(status)s, %(created_by)s, %(created_at)s, %(updated_at)s, %(version)s)
)
INSERT INTO transfer_lines (org_id, transfer_id, line_no, item_id, shipped, received, cancelled)
SELECT %(org_id)s, %(id)s, l.line_no, l.item_id, l.shipped, l.received, l.cancelled
FROM unnest(%(item_ids)s::uuid[], %(shipped)s::bigint[], %(received)s::bigint[],
            %(cancelled)s::bigint[]) WITH ORDINALITY
     AS l(item_id, shipped, received, cancelled, line_no)
"""
SAVE_TRANSFER = """
WITH transfer AS (
    UPDATE transfers SET status = %(status)s, updated_at = %(updated_at)s, version = %(version)s
    WHERE org_id = %(org_id)s AND id = %(id)s
)
UPDATE transfer_lines t SET received = l.received, cancelled = l.cancelled
FROM unnest(%(item_ids)s::uuid[], %(received)s::bigint[], %(cancelled)s::bigint[])
     AS l(item_id, received, cancelled)
WHERE t.org_id = %(org_id)s AND t.transfer_id = %(id)s AND t.item_id = l.item_id
"""
_TRANSFER = """
SELECT t.id, t.from_location_id, t.to_location_id, t.reference, t.note, t.status, t.created_by,
       t.created_at, t.updated_at, t.version
FROM transfers t WHERE
"""
_TRANSFER_LINES = """
SELECT transfer_id, line_no, item_id, shipped, received, cancelled, lots FROM transfer_lines
WHERE org_id = %(org_id)s AND transfer_id = ANY(%(ids)s)
"""
TRANSFER_LINES = sql.SQL(_TRANSFER_LINES + " ORDER BY transfer_id, line_no")
# Lock order: the transfer's row, its lines by item, then stock levels (in key order).
TRANSFER_LINES_FOR_UPDATE = sql.SQL(_TRANSFER_LINES + " ORDER BY item_id FOR UPDATE")

INSERT_COUNT = """
WITH session AS (
    INSERT INTO count_sessions (org_id, id, location_id, status, blind, listed, reference,
                                created_by, created_at, updated_at, version, movement_id)
    VALUES (%(org_id)s, %(id)s, %(location_id)s, %(status)s, %(blind)s, %(listed)s,
            %(reference)s, %(created_by)s, %(created_at)s, %(updated_at)s, %(version)s,
            %(movement_id)s)
)
INSERT INTO count_lines (org_id, session_id, line_no, item_id, expected, counted, counted_by,
                         counted_at, lot_id, lot_code)
SELECT %(org_id)s, %(id)s, l.line_no, l.item_id, l.expected, l.counted, l.counted_by,
       l.counted_at, l.lot_id, l.lot_code
FROM unnest(%(item_ids)s::uuid[], %(expected)s::bigint[], %(counted)s::bigint[],
            %(counted_by)s::text[], %(counted_at)s::timestamptz[], %(lot_ids)s::uuid[],
            %(lot_codes)s::text[]) WITH ORDINALITY
     AS l(item_id, expected, counted, counted_by, counted_at, lot_id, lot_code, line_no)
"""
# Lines only ever join a session (a count of all items takes items it did not expect), so a
# line's number is its place in the session's lines.
SAVE_COUNT = """
WITH session AS (
    UPDATE count_sessions SET status = %(status)s, updated_at = %(updated_at)s,
           version = %(version)s, movement_id = %(movement_id)s
    WHERE org_id = %(org_id)s AND id = %(id)s
)
INSERT INTO count_lines (org_id, session_id, line_no, item_id, expected, counted, counted_by,
                         counted_at, lot_id, lot_code)
SELECT %(org_id)s, %(id)s, l.line_no, l.item_id, l.expected, l.counted, l.counted_by,
       l.counted_at, l.lot_id, l.lot_code
FROM unnest(%(item_ids)s::uuid[], %(expected)s::bigint[], %(counted)s::bigint[],
            %(counted_by)s::text[], %(counted_at)s::timestamptz[], %(lot_ids)s::uuid[],
            %(lot_codes)s::text[]) WITH ORDINALITY
     AS l(item_id, expected, counted, counted_by, counted_at, lot_id, lot_code, line_no)
ON CONFLICT (org_id, session_id, item_id,
             (COALESCE(lot_id, '00000000-0000-0000-0000-000000000000'::uuid))) DO UPDATE
SET counted = EXCLUDED.counted, counted_by = EXCLUDED.counted_by, counted_at = EXCLUDED.counted_at
"""
_COUNT = """
SELECT c.id, c.location_id, c.status, c.blind, c.listed, c.reference, c.created_by,
       c.created_at, c.updated_at, c.version, c.movement_id
FROM count_sessions c WHERE
"""
COUNT_LINES = sql.SQL("""
SELECT session_id, line_no, item_id, expected, counted, counted_by, counted_at, lot_id,
       lot_code FROM count_lines
WHERE org_id = %(org_id)s AND session_id = ANY(%(ids)s) ORDER BY session_id, line_no
""")


def _query(select: LiteralString, conditions: list[LiteralString], tail: LiteralString) -> sql.SQL:
    return sql.SQL(select + " AND ".join(conditions) + tail)


GET_TRANSFER = _query(_TRANSFER, ["t.org_id = %(org_id)s", "t.id = %(id)s"], "")
GET_TRANSFER_FOR_UPDATE = _query(
    _TRANSFER, ["t.org_id = %(org_id)s", "t.id = %(id)s"], " FOR UPDATE"
)
GET_COUNT = _query(_COUNT, ["c.org_id = %(org_id)s", "c.id = %(id)s"], "")
GET_COUNT_FOR_UPDATE = _query(_COUNT, ["c.org_id = %(org_id)s", "c.id = %(id)s"], " FOR UPDATE")


@lru_cache(maxsize=16)  # one object per combination, so its rendered text is cached too
def transfer_list_query(status: bool, source: bool, destination: bool, after: bool) -> sql.SQL:
    """The list statement for a filter combination (each combination plans with its index)."""
    conditions: list[LiteralString] = ["t.org_id = %(org_id)s"]
    if status:
        conditions.append("t.status = %(status)s")
    if source:
        conditions.append("t.from_location_id = %(from_location_id)s")
    if destination:
        conditions.append("t.to_location_id = %(to_location_id)s")
    if after:
        conditions.append("(t.created_at, t.id) > (%(after_created_at)s, %(after_id)s)")
    return _query(_TRANSFER, conditions, " ORDER BY t.created_at, t.id LIMIT %(limit)s")


@lru_cache(maxsize=16)
def count_list_query(status: bool, location: bool, after: bool) -> sql.SQL:
    """The list statement for a filter combination (each combination plans with its index)."""
    conditions: list[LiteralString] = ["c.org_id = %(org_id)s"]
    if status:
        conditions.append("c.status = %(status)s")
    if location:
        conditions.append("c.location_id = %(location_id)s")
    if after:
        conditions.append("(c.created_at, c.id) > (%(after_created_at)s, %(after_id)s)")
    return _query(_COUNT, conditions, " ORDER BY c.created_at, c.id LIMIT %(limit)s")


def transfer_from_row(
    row: Row, lines: list[Row], lots: dict[UUID, list[TransitLot]] | None = None
) -> Transfer:
    """Rebuild a Transfer from its row and its lines (with their lots, by item, if any)."""
    lots = lots or {}
    return Transfer(
        id=row["id"],
        from_location_id=row["from_location_id"],
        to_location_id=row["to_location_id"],
        reference=row["reference"],
        note=row["note"],
        status=TransferStatus(row["status"]),
        created_by=row["created_by"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        version=row["version"],
        lines=tuple(
            TransitLine(
                r["item_id"],
                r["shipped"],
                r["received"],
                r["cancelled"],
                tuple(lots.get(r["item_id"], ())),
            )
            for r in sorted(lines, key=lambda r: r["line_no"])
        ),
    )


def count_from_row(row: Row, lines: list[Row]) -> CountSession:
    """Rebuild a CountSession from its row and its lines."""
    return CountSession(
        id=row["id"],
        location_id=row["location_id"],
        status=CountStatus(row["status"]),
        blind=row["blind"],
        listed=row["listed"],
        reference=row["reference"],
        created_by=row["created_by"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        version=row["version"],
        movement_id=row["movement_id"],
        lines=tuple(
            CountSessionLine(
                r["item_id"],
                r["expected"],
                r["counted"],
                r["counted_by"],
                None if r["counted_at"] is None else utc(r["counted_at"]),
                r["lot_id"],
                r["lot_code"],
            )
            for r in lines
        ),
    )
