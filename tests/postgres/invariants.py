"""Invariants 1, 2, 3 and 8 of docs/design.md checked in SQL against what the adapters stored."""

from __future__ import annotations

import psycopg

# Per level: on_hand vs the ledger, reserved vs its bounds and the open holds of active lines;
# incoming vs what open transfers to its location have in transit.
LEVEL_AUDIT = """
SELECT s.item_id, s.location_id, s.on_hand, s.reserved,
       coalesce((SELECT sum(l.delta) FROM movement_lines l WHERE l.org_id = s.org_id
                 AND l.item_id = s.item_id AND l.location_id = s.location_id), 0) AS ledger,
       coalesce((SELECT sum(r.quantity - r.fulfilled - r.released) FROM reservation_lines r
                 WHERE r.org_id = s.org_id AND r.item_id = s.item_id
                   AND r.location_id = s.location_id), 0) AS open_holds,
       s.incoming,
       coalesce((SELECT sum(t.shipped - t.received - t.cancelled)
                 FROM transfer_lines t JOIN transfers f
                   ON f.org_id = t.org_id AND f.id = t.transfer_id
                 WHERE t.org_id = s.org_id AND t.item_id = s.item_id
                   AND f.to_location_id = s.location_id), 0) AS in_transit
FROM stock_levels s WHERE s.org_id = %(org_id)s
"""


def audit(database_url: str, org_id: str) -> list[tuple[object, ...]]:
    """Every level of ``org_id`` as (item, location, on_hand, reserved, ledger, open holds),
    asserting on_hand = ledger sum, 0 <= reserved <= on_hand, reserved = open holds, and
    incoming = what is in transit towards the level."""
    return [row[:6] for row in audit_with_transit(database_url, org_id)]


def audit_with_transit(database_url: str, org_id: str) -> list[tuple[object, ...]]:
    """``audit``, each row with the level's incoming last."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org_id])
        rows = conn.execute(LEVEL_AUDIT, {"org_id": org_id}).fetchall()
    for item_id, location_id, on_hand, reserved, ledger, open_holds, incoming, transit in rows:
        where = f"level {item_id}/{location_id}"
        assert on_hand == ledger, f"{where}: on_hand {on_hand} != ledger {ledger}"
        assert 0 <= reserved <= on_hand, f"{where}: reserved {reserved}, on_hand {on_hand}"
        assert reserved == open_holds, f"{where}: reserved {reserved} != holds {open_holds}"
        assert incoming == transit, f"{where}: incoming {incoming} != in transit {transit}"
    return [(*row[:6], row[6]) for row in rows]


# Lots (ADR 0024): per lot position, on_hand vs the ledger lines in that lot; per level that has
# lots, on_hand and reserved vs the sum over its lots; per serial, on_hand across the org.
LOT_AUDIT = """
SELECT p.item_id, p.location_id, p.lot_id, p.on_hand, p.reserved,
       coalesce((SELECT sum(l.delta) FROM movement_lines l WHERE l.org_id = p.org_id
                 AND l.item_id = p.item_id AND l.location_id = p.location_id
                 AND l.lot_id = p.lot_id), 0) AS ledger
FROM lot_levels p WHERE p.org_id = %(org_id)s
"""
LEVEL_LOT_AUDIT = """
SELECT s.item_id, s.location_id, s.on_hand, s.reserved,
       coalesce(sum(p.on_hand), 0) AS lots_on_hand, coalesce(sum(p.reserved), 0) AS lots_reserved
FROM stock_levels s
JOIN items i ON i.org_id = s.org_id AND i.id = s.item_id AND i.tracking <> 'none'
LEFT JOIN lot_levels p
  ON p.org_id = s.org_id AND p.item_id = s.item_id AND p.location_id = s.location_id
WHERE s.org_id = %(org_id)s GROUP BY s.item_id, s.location_id, s.on_hand, s.reserved
"""
# A serial's unit in transit counts too (ADR 0034).
SERIAL_AUDIT = """
SELECT u.lot_id, sum(u.on_hand) AS on_hand FROM (
    SELECT p.lot_id, p.item_id, p.on_hand FROM lot_levels p WHERE p.org_id = %(org_id)s
    UNION ALL
    SELECT t.lot_id, t.item_id, t.shipped - t.received - t.cancelled FROM transfer_lot_lines t
    WHERE t.org_id = %(org_id)s
) u JOIN items i ON i.org_id = %(org_id)s AND i.id = u.item_id AND i.tracking = 'serial'
GROUP BY u.lot_id
"""
# Transfers in lots (ADR 0034): a line in lots is the sum of its lot lines, and only such lines
# have them.
TRANSFER_LOT_AUDIT = """
SELECT l.transfer_id, l.item_id, l.lots, l.shipped, l.received, l.cancelled,
       coalesce(sum(t.shipped), 0), coalesce(sum(t.received), 0), coalesce(sum(t.cancelled), 0)
FROM transfer_lines l
LEFT JOIN transfer_lot_lines t ON t.org_id = l.org_id AND t.transfer_id = l.transfer_id
     AND t.item_id = l.item_id
WHERE l.org_id = %(org_id)s
GROUP BY l.transfer_id, l.item_id, l.lots, l.shipped, l.received, l.cancelled
"""


def audit_lots(database_url: str, org_id: str) -> list[tuple[object, ...]]:
    """Every lot position of ``org_id`` as (item, location, lot, on_hand, reserved), asserting
    on_hand = its ledger lines, 0 <= reserved <= on_hand, each tracked level = the sum of its
    lots, a serial holds at most one unit across the org (in transit too), and a transfer
    line in lots is the sum of its lot lines."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org_id])
        lots = conn.execute(LOT_AUDIT, {"org_id": org_id}).fetchall()
        levels = conn.execute(LEVEL_LOT_AUDIT, {"org_id": org_id}).fetchall()
        serials = conn.execute(SERIAL_AUDIT, {"org_id": org_id}).fetchall()
        transfers = conn.execute(TRANSFER_LOT_AUDIT, {"org_id": org_id}).fetchall()
    for item_id, location_id, lot_id, on_hand, reserved, ledger in lots:
        where = f"lot {lot_id} at {item_id}/{location_id}"
        assert on_hand == ledger, f"{where}: on_hand {on_hand} != ledger {ledger}"
        assert 0 <= reserved <= on_hand, f"{where}: reserved {reserved}, on_hand {on_hand}"
    for item_id, location_id, on_hand, reserved, lots_on_hand, lots_reserved in levels:
        where = f"level {item_id}/{location_id}"
        assert (on_hand, reserved) == (lots_on_hand, lots_reserved), f"{where}: != its lots"
    for lot_id, on_hand in serials:
        assert on_hand <= 1, f"serial {lot_id} holds {on_hand}"
    for transfer_id, item_id, flagged, *figures in transfers:
        line, in_lots = tuple(figures[:3]), tuple(figures[3:])
        where = f"transfer {transfer_id} item {item_id}"
        assert line == in_lots if flagged else in_lots == (0, 0, 0), f"{where}: {line} {in_lots}"
    return [row[:5] for row in lots]


# Reservations in lots (ADR 0031): per lot position, reserved vs the open reservation lot lines
# in that lot; per reservation line held in lots, its open quantity vs its lot lines'.
RESERVATION_LOT_AUDIT = """
SELECT p.item_id, p.location_id, p.lot_id, p.reserved,
       coalesce((SELECT sum(r.quantity - r.fulfilled - r.released) FROM reservation_lot_lines r
                 WHERE r.org_id = p.org_id AND r.item_id = p.item_id
                   AND r.location_id = p.location_id AND r.lot_id = p.lot_id), 0) AS open_holds
FROM lot_levels p WHERE p.org_id = %(org_id)s
"""
RESERVATION_LINE_LOT_AUDIT = """
SELECT l.reservation_id, l.item_id, l.location_id, l.quantity, l.fulfilled, l.released,
       coalesce(sum(r.quantity), 0), coalesce(sum(r.fulfilled), 0), coalesce(sum(r.released), 0)
FROM reservation_lines l
LEFT JOIN reservation_lot_lines r ON r.org_id = l.org_id AND r.reservation_id = l.reservation_id
     AND r.item_id = l.item_id AND r.location_id = l.location_id
WHERE l.org_id = %(org_id)s AND l.lots
GROUP BY l.reservation_id, l.item_id, l.location_id, l.quantity, l.fulfilled, l.released
"""


def audit_reservation_lots(database_url: str, org_id: str) -> int:
    """Assert each lot position's reserved = the open reservation lot lines in it, and each
    reservation line held in lots = the sum of its lot lines; return the lots' reserved."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org_id])
        lots = conn.execute(RESERVATION_LOT_AUDIT, {"org_id": org_id}).fetchall()
        lines = conn.execute(RESERVATION_LINE_LOT_AUDIT, {"org_id": org_id}).fetchall()
    for item_id, location_id, lot_id, reserved, open_holds in lots:
        where = f"lot {lot_id} at {item_id}/{location_id}"
        assert reserved == open_holds, f"{where}: reserved {reserved} != holds {open_holds}"
    for reservation_id, *figures in lines:
        line, in_lots = tuple(figures[2:5]), tuple(figures[5:8])
        assert line == in_lots, f"reservation {reservation_id}: line {line} != its lots {in_lots}"
    return sum(int(row[3]) for row in lots)
