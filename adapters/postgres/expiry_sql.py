"""Reservation expiry in SQL: the one fragment every statement composes to ask "has it expired?".

The rule is ``Reservation.is_expired`` (domain/reservations.py): a hold with an ``expires_at``
has expired once ``now`` reaches it; a hold without one never expires. Reservation lines carry
their reservation's ``expires_at`` (migration 0004), so the same fragment serves both tables.
Changing the rule is one edit here and one in the domain; ADR 0012 explains the choice.
"""

from __future__ import annotations

from psycopg import sql

NOW = sql.Placeholder("now")


def past_expiry(alias: str) -> sql.Composed:
    """``alias.expires_at`` has been reached at ``%(now)s``; never true without an expiry."""
    return sql.SQL("{} <= {}").format(sql.Identifier(alias, "expires_at"), NOW)


def within_expiry(alias: str) -> sql.Composed:
    """The negation of ``past_expiry``, true without an expiry too."""
    return sql.SQL("NOT coalesce({}, false)").format(past_expiry(alias))


def expired_hold(alias: str) -> sql.Composed:
    """A reservation line (``alias``) with an open quantity past expiry: it holds nothing, so
    reads discount it and writes release it (invariants 3 and 5 in docs/design.md). The open
    test matches reservation_lines_expiring_idx's predicate."""
    line = sql.Identifier(alias)
    return sql.SQL("{past} AND {l}.fulfilled + {l}.released < {l}.quantity").format(
        past=past_expiry(alias), l=line
    )


def expired_lot_held(position: str) -> sql.Composed:
    """What holds past expiry still hold in the lot position ``position`` (an alias of
    lot_levels): the per-lot side of ``expired_hold``, for the reads that discount them.
    Found per level through reservation_lines_expiring_idx (nearly always nothing), then each
    such line's part in that lot by its key."""
    return sql.SQL(
        """(SELECT coalesce(sum(rl.quantity - rl.fulfilled - rl.released), 0)::bigint
    FROM reservation_lines l
    JOIN reservation_lot_lines rl
      ON rl.org_id = l.org_id AND rl.reservation_id = l.reservation_id
     AND rl.item_id = l.item_id AND rl.location_id = l.location_id AND rl.lot_id = {p}.lot_id
    WHERE l.org_id = {p}.org_id AND l.item_id = {p}.item_id AND l.location_id = {p}.location_id
      AND {expired_hold})"""
    ).format(p=sql.Identifier(position), expired_hold=expired_hold("l"))


def release_expired_holds(
    levels: sql.Composable,
    into: sql.Composable | None = None,
    lots_into: sql.Composable | None = None,
    lines_into: sql.Composable | None = None,
) -> sql.Composed:
    """Mark expired every active reservation with an expired open hold at ``levels`` (a
    relation of ``(item_id, location_id)``) and release all its open lines (at any level).

    Returns ``reservation_id, item_id, location_id, open`` per line released, and for a line
    held in lots (ADR 0031) what each lot held, in pick order (``lot_ids``, ``lot_opens`` and
    the lots' ``lot_codes``, ``lot_expiries``, ``lot_created``; null for other lines); with
    ``into`` (a table of ``item_id, location_id, open``), inserts them there summed per level
    instead, and the lots' part into ``lots_into`` (``item_id, location_id, lot_id, open``)
    summed per lot position, and each line released into ``lines_into`` (``reservation_id,
    item_id, location_id, open``: what the caller announces). The lot lines are marked
    released here; giving the lots their
    reserved stock back is the caller's, under the level's lock (lots after their level).

    The expired holds are found per level through reservation_lines_expiring_idx, and their
    reservations by primary key (``= ANY (ARRAY(...))``, and the reservation's own expiry is
    tested as ``NOT within_expiry``, a recheck no index serves), so that no plan starts from
    the cross-org reservations_due_idx and its backlog of reservations the expiry job has not
    marked yet. Locks follow the order every writer keeps
    (docs/design.md §4): reservation rows first, in id order, then their lines; the caller then
    takes the levels' locks, in key order. A reservation settled or extended while we waited
    for its lock no longer matches (the update re-checks the row it locked) and is left alone."""
    last: sql.Composable
    if into is None:
        last = sql.SQL(_RETURN_RELEASED)
    else:
        assert lots_into is not None  # noqa: S101 -- a set-based caller must handle lots too
        assert lines_into is not None  # noqa: S101 -- and announce what it released
        last = sql.SQL(
            """, lots_into AS (
    INSERT INTO {lots_into}
    SELECT item_id, location_id, lot_id, sum(open) FROM lot_released GROUP BY 1, 2, 3
), lines_into AS (
    INSERT INTO {lines_into}
    SELECT reservation_id, item_id, location_id, open FROM released
)
INSERT INTO {into} SELECT item_id, location_id, sum(open) FROM released GROUP BY 1, 2"""
        ).format(into=into, lots_into=lots_into, lines_into=lines_into)
    return sql.SQL(
        """
WITH held AS (
    SELECT r.id FROM reservations r
    WHERE r.org_id = %(org_id)s AND r.id = ANY (ARRAY(
          SELECT l.reservation_id FROM reservation_lines l
          JOIN {levels} AS k(item_id, location_id)
            ON l.item_id = k.item_id AND l.location_id = k.location_id
          WHERE l.org_id = %(org_id)s AND {expired_hold}))
      AND r.status = 'active'
    ORDER BY r.id
    FOR UPDATE OF r
), marked AS (
    UPDATE reservations r SET status = 'expired', version = r.version + 1, updated_at = %(now)s
    WHERE r.org_id = %(org_id)s AND r.id = ANY (ARRAY(SELECT id FROM held))
      AND r.status = 'active' AND NOT {within_expiry}
    RETURNING r.id
), expired AS (
    SELECT l.reservation_id, l.item_id, l.location_id,
           l.quantity - l.fulfilled - l.released AS open
    FROM reservation_lines l JOIN marked m ON l.reservation_id = m.id
    WHERE l.org_id = %(org_id)s AND l.fulfilled + l.released < l.quantity
    ORDER BY l.reservation_id, l.item_id, l.location_id
    FOR UPDATE OF l
), released AS (
    UPDATE reservation_lines l SET released = l.quantity - l.fulfilled
    FROM expired d
    WHERE l.org_id = %(org_id)s AND l.reservation_id = d.reservation_id
      AND l.item_id = d.item_id AND l.location_id = d.location_id
    RETURNING d.reservation_id, d.item_id, d.location_id, d.open
), lot_expired AS (
    SELECT l.reservation_id, l.item_id, l.location_id, l.seq, l.lot_id,
           l.quantity - l.fulfilled - l.released AS open
    FROM reservation_lot_lines l JOIN marked m ON l.reservation_id = m.id
    WHERE l.org_id = %(org_id)s AND l.fulfilled + l.released < l.quantity
    ORDER BY l.reservation_id, l.item_id, l.location_id, l.seq
    FOR UPDATE OF l
), lot_released AS (
    UPDATE reservation_lot_lines l SET released = l.quantity - l.fulfilled
    FROM lot_expired d
    WHERE l.org_id = %(org_id)s AND l.reservation_id = d.reservation_id
      AND l.item_id = d.item_id AND l.location_id = d.location_id AND l.seq = d.seq
    RETURNING d.reservation_id, d.item_id, d.location_id, d.seq, d.lot_id, d.open
){last}
"""
    ).format(
        levels=levels, within_expiry=within_expiry("r"), expired_hold=expired_hold("l"), last=last
    )


# The lines released, each with its lots' part (null arrays for a line held in no lot).
_RETURN_RELEASED = """
SELECT r.reservation_id, r.item_id, r.location_id, r.open, h.lot_ids, h.lot_opens,
       h.lot_codes, h.lot_expiries, h.lot_created
FROM released r LEFT JOIN (
    SELECT x.reservation_id, x.item_id, x.location_id,
           array_agg(x.lot_id ORDER BY x.seq) AS lot_ids,
           array_agg(x.open ORDER BY x.seq) AS lot_opens,
           array_agg(t.code ORDER BY x.seq) AS lot_codes,
           array_agg(t.expires_on ORDER BY x.seq) AS lot_expiries,
           array_agg(t.created_at ORDER BY x.seq) AS lot_created
    FROM lot_released x JOIN lots t ON t.org_id = %(org_id)s AND t.id = x.lot_id
    GROUP BY 1, 2, 3
) h USING (reservation_id, item_id, location_id)
"""
