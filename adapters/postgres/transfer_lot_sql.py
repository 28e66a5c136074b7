"""Statements of transfer lines in lots (ADR 0034, migration 0026).

A line of a lot-tracked item is flagged (``transfer_lines.lots``) and has one row per lot it
was shipped out of. Untracked transfers never run these: the lot rows are written only when a
line has lots and read only for transfers a flagged line belongs to.
"""

from __future__ import annotations

from typing import Any

from adapters.postgres.lots import lot_from_row
from adapters.postgres.repository import Row
from domain.transfers import Transfer
from domain.transit_lots import TransitLot

# Written after the shipment decided the lots (under the source levels' locks); the transfer
# and its lines were written before, so the flag is set on rows that exist.
INSERT_TRANSFER_LOTS = """
WITH flagged AS (
    UPDATE transfer_lines SET lots = true
    WHERE org_id = %(org_id)s AND transfer_id = %(id)s AND item_id = ANY(%(item_ids)s)
)
INSERT INTO transfer_lot_lines (org_id, transfer_id, item_id, lot_id, seq, shipped, received,
                                cancelled)
SELECT %(org_id)s, %(id)s, l.item_id, l.lot_id, l.seq, l.shipped, l.received, l.cancelled
FROM unnest(%(item_ids)s::uuid[], %(lot_ids)s::uuid[], %(shipped)s::bigint[],
            %(received)s::bigint[], %(cancelled)s::bigint[]) WITH ORDINALITY
     AS l(item_id, lot_id, shipped, received, cancelled, seq)
"""
# Under the transfer row's lock, as the lines (end_transit).
SAVE_TRANSFER_LOTS = """
UPDATE transfer_lot_lines t SET received = l.received, cancelled = l.cancelled
FROM unnest(%(item_ids)s::uuid[], %(lot_ids)s::uuid[], %(received)s::bigint[],
            %(cancelled)s::bigint[]) AS l(item_id, lot_id, received, cancelled)
WHERE t.org_id = %(org_id)s AND t.transfer_id = %(id)s AND t.item_id = l.item_id
  AND t.lot_id = l.lot_id
"""
TRANSFER_LOT_LINES = """
SELECT tl.transfer_id, tl.item_id AS line_item_id, tl.shipped, tl.received, tl.cancelled,
       t.id, t.item_id, t.code, t.expires_on, t.created_at
FROM transfer_lot_lines tl JOIN lots t ON t.org_id = tl.org_id AND t.id = tl.lot_id
WHERE tl.org_id = %(org_id)s AND tl.transfer_id = ANY(%(ids)s)
ORDER BY tl.transfer_id, tl.item_id, tl.seq
"""


def has_lots(transfer: Transfer) -> bool:
    return any(line.lots for line in transfer.lines)


def lot_params(transfer: Transfer) -> dict[str, Any]:
    """The lot rows of a transfer, flattened line by line in pick order."""
    parts = [(line.item_id, part) for line in transfer.lines for part in line.lots]
    return {
        "id": transfer.id,
        "item_ids": [item_id for item_id, _ in parts],
        "lot_ids": [part.lot.id for _, part in parts],
        "shipped": [part.shipped for _, part in parts],
        "received": [part.received for _, part in parts],
        "cancelled": [part.cancelled for _, part in parts],
    }


def transit_lot_from_row(row: Row) -> TransitLot:
    return TransitLot(lot_from_row(row), row["shipped"], row["received"], row["cancelled"])
