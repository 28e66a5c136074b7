"""The append-only ledger of one org."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, LiteralString
from uuid import UUID

from psycopg import sql

from adapters.postgres.cursors import uuid_part
from adapters.postgres.positions import position_param, settled
from adapters.postgres.repository import Repository, Row, Rows, utc
from application.pagination import PageRequest
from application.ports import LedgerEntry, MovementFilter, Movements
from application.queries.stock import ledger_after
from domain.movements import AdjustmentReason, Movement, MovementLine, MovementType

# One statement per document: the lines' foreign key is checked at the end of the statement.
INSERT_MOVEMENT = """
WITH movement AS (
    INSERT INTO movements (org_id, id, type, reason, reference, note, actor, created_at,
                           reservation_id, transfer_id, count_session_id, reverses)
    VALUES (%(org_id)s, %(id)s, %(type)s, %(reason)s, %(reference)s, %(note)s, %(actor)s,
            %(created_at)s, %(reservation_id)s, %(transfer_id)s, %(count_session_id)s,
            %(reverses)s)
)
INSERT INTO movement_lines (org_id, movement_id, line_no, item_id, location_id, delta,
                            on_hand_after)
SELECT %(org_id)s, %(id)s, l.line_no, l.item_id, l.location_id, l.delta, l.on_hand_after
FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[], %(deltas)s::bigint[],
            %(on_hand_after)s::bigint[]) WITH ORDINALITY
     AS l(item_id, location_id, delta, on_hand_after, line_no)
"""
# Lines in lots (lot-tracked items): the same document with each line's lot; untracked
# movements keep the statement above.
INSERT_LOT_MOVEMENT = """
WITH movement AS (
    INSERT INTO movements (org_id, id, type, reason, reference, note, actor, created_at,
                           reservation_id, transfer_id, count_session_id, reverses)
    VALUES (%(org_id)s, %(id)s, %(type)s, %(reason)s, %(reference)s, %(note)s, %(actor)s,
            %(created_at)s, %(reservation_id)s, %(transfer_id)s, %(count_session_id)s,
            %(reverses)s)
)
INSERT INTO movement_lines (org_id, movement_id, line_no, item_id, location_id, delta,
                            on_hand_after, lot_id)
SELECT %(org_id)s, %(id)s, l.line_no, l.item_id, l.location_id, l.delta, l.on_hand_after,
       l.lot_id
FROM unnest(%(item_ids)s::uuid[], %(location_ids)s::uuid[], %(deltas)s::bigint[],
            %(on_hand_after)s::bigint[], %(lot_ids)s::uuid[]) WITH ORDINALITY
     AS l(item_id, location_id, delta, on_hand_after, lot_id, line_no)
"""
# reversed_by: the one reversal naming it, found through movements_reverses_key.
_SELECT = """
SELECT m.id, m.type, m.reason, m.reference, m.note, m.actor, m.created_at, m.reservation_id,
       m.transfer_id, m.count_session_id, m.reverses,
       (SELECT r.id FROM movements r WHERE r.org_id = m.org_id AND r.reverses = m.id)
           AS reversed_by,
       m.txid::text::bigint AS position
FROM movements m WHERE
"""
# Held until the unit of work ends, so no other reversal of it runs meanwhile. A transaction
# advisory lock, not a row lock: locking a row needs UPDATE on the table, and the ledger only
# grows. Transaction-scoped, so it passes a transaction pooler. Keys of two movements may
# collide in the 64-bit hash: they then wait for each other, nothing worse.
LOCK_MOVEMENT = """
SELECT pg_advisory_xact_lock(hashtextextended(%(org_id)s || '/' || %(id)s::text, 0))
"""
SELECT_LINES = """
SELECT l.movement_id, l.item_id, l.location_id, l.delta, l.on_hand_after, l.lot_id,
       t.code AS lot_code
FROM movement_lines l
LEFT JOIN lots t ON l.lot_id IS NOT NULL AND t.org_id = l.org_id AND t.id = l.lot_id
WHERE l.org_id = %(org_id)s AND l.movement_id = ANY(%(ids)s) ORDER BY l.movement_id, l.line_no
"""
_ORG = "m.org_id = %(org_id)s"
_ID = "m.id = %(id)s"
_ITEM = """EXISTS (SELECT 1 FROM movement_lines l WHERE l.org_id = m.org_id
    AND l.movement_id = m.id AND l.item_id = %(item_id)s)"""
_LOCATION = """EXISTS (SELECT 1 FROM movement_lines l WHERE l.org_id = m.org_id
    AND l.movement_id = m.id AND l.location_id = %(location_id)s)"""
_TYPE = "m.type = %(type)s"
_REFERENCE = "m.reference = %(reference)s"
_SINCE = "m.created_at >= %(since)s"
_UNTIL = "m.created_at < %(until)s"
_AFTER = "(m.txid, m.id) > (%(after_position)s::xid8, %(after_id)s)"
_ORDER = " ORDER BY m.txid, m.id LIMIT %(limit)s"


def movement_query(conditions: list[LiteralString], tail: LiteralString = "") -> sql.Composed:
    """The movement SELECT with constant conditions joined by AND."""
    where = sql.SQL(" AND ").join(sql.SQL(c) for c in conditions)
    return sql.Composed([sql.SQL(_SELECT), where, sql.SQL(tail)])


GET_MOVEMENT = movement_query([_ORG, _ID])
_FILTERS: list[tuple[str, LiteralString]] = [
    ("item_id", _ITEM),
    ("location_id", _LOCATION),
    ("type", _TYPE),
    ("reference", _REFERENCE),
    ("since", _SINCE),
    ("until", _UNTIL),
]


def list_query(filters: MovementFilter, after: bool) -> sql.Composed:
    """The list statement for a filter combination (each combination plans with its index)."""
    return _list_query(tuple(getattr(filters, name) is not None for name, _ in _FILTERS), after)


@lru_cache(maxsize=256)
def _list_query(present: tuple[bool, ...], after: bool) -> sql.Composed:
    # Cached: one object per combination, so its rendered text is cached too.
    conditions = [_ORG, settled("m")]
    conditions += [c for (_, c), used in zip(_FILTERS, present, strict=True) if used]
    return movement_query([*conditions, _AFTER] if after else conditions, _ORDER)


def movement_from_row(row: Row, lines: list[Row]) -> Movement:
    """Rebuild a Movement from its row and its lines in ledger order."""
    return Movement(
        id=row["id"],
        type=MovementType(row["type"]),
        reason=None if row["reason"] is None else AdjustmentReason(row["reason"]),
        reference=row["reference"],
        note=row["note"],
        actor=row["actor"],
        created_at=utc(row["created_at"]),
        lines=tuple(
            MovementLine(
                r["item_id"],
                r["location_id"],
                r["delta"],
                r["on_hand_after"],
                r["lot_id"],
                r["lot_code"],
            )
            for r in lines
        ),
        reservation_id=row["reservation_id"],
        transfer_id=row["transfer_id"],
        count_session_id=row["count_session_id"],
        reverses=row["reverses"],
        reversed_by=row["reversed_by"],
    )


_MovementList = list[Movement]


class PostgresMovements(Repository, Movements):
    """The ledger of one org: documents are inserted once and never updated."""

    async def add(self, movement: Movement) -> None:
        # Deferred: the document travels with the commit (its levels are already locked).
        in_lots = any(line.lot_id is not None for line in movement.lines)
        params: dict[str, Any] = {
            "id": movement.id,
            "type": movement.type.value,
            "reason": None if movement.reason is None else movement.reason.value,
            "reference": movement.reference,
            "note": movement.note,
            "actor": movement.actor,
            "created_at": movement.created_at,
            "reservation_id": movement.reservation_id,
            "transfer_id": movement.transfer_id,
            "count_session_id": movement.count_session_id,
            "reverses": movement.reverses,
            "item_ids": [line.item_id for line in movement.lines],
            "location_ids": [line.location_id for line in movement.lines],
            "deltas": [line.delta for line in movement.lines],
            "on_hand_after": [line.on_hand_after for line in movement.lines],
        }
        if in_lots:
            params["lot_ids"] = [line.lot_id for line in movement.lines]
        self._defer(INSERT_LOT_MOVEMENT if in_lots else INSERT_MOVEMENT, params)

    async def get(self, movement_id: UUID, *, for_update: bool = False) -> Movement | None:
        # Lock, then read in a statement of its own: its snapshot sees a reversal that
        # committed while we waited for the lock.
        if for_update:
            await self._run(LOCK_MOVEMENT, {"id": movement_id})
        rows = await self._with_lines(await self._all(GET_MOVEMENT, {"id": movement_id}))
        return rows[0] if rows else None

    async def list(self, filters: MovementFilter, page: PageRequest) -> list[LedgerEntry]:
        params: dict[str, Any] = {
            "item_id": filters.item_id,
            "location_id": filters.location_id,
            "type": None if filters.type is None else filters.type.value,
            "reference": filters.reference,
            "since": filters.since,
            "until": filters.until,
            "limit": page.limit + 1,
        }
        after = ledger_after(page)
        if after is not None:
            params["after_position"] = position_param(after[0])
            params["after_id"] = uuid_part(after[1])
        rows = await self._all(list_query(filters, after is not None), params)
        movements = await self._with_lines(rows)
        return [LedgerEntry(row["position"], m) for row, m in zip(rows, movements, strict=True)]

    async def _with_lines(self, rows: Rows) -> _MovementList:
        if not rows:
            return []
        lines: dict[UUID, Rows] = {row["id"]: [] for row in rows}
        for line in await self._all(SELECT_LINES, {"ids": list(lines)}):
            lines[line["movement_id"]].append(line)
        return [movement_from_row(row, lines[row["id"]]) for row in rows]
