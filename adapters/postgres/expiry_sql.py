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


def release_expired_holds(levels: sql.Composable) -> sql.Composed:
    """Mark the open quantities of expired holds at ``levels`` (a relation of ``(item_id,
    location_id)``) released, and return ``reservation_id, item_id, location_id, open`` per line
    released.
    Lines are locked in one fixed order; the caller holds, or then takes, the levels' locks."""
    return sql.SQL(
        """
WITH expired AS (
    SELECT l.reservation_id, l.item_id, l.location_id,
           l.quantity - l.fulfilled - l.released AS open
    FROM reservation_lines l
    JOIN {levels} AS k(item_id, location_id)
      ON l.item_id = k.item_id AND l.location_id = k.location_id
    WHERE l.org_id = %(org_id)s AND {expired_hold}
    ORDER BY l.reservation_id, l.item_id, l.location_id
    FOR UPDATE OF l
)
UPDATE reservation_lines l SET released = l.quantity - l.fulfilled
FROM expired d
WHERE l.org_id = %(org_id)s AND l.reservation_id = d.reservation_id
  AND l.item_id = d.item_id AND l.location_id = d.location_id
RETURNING d.reservation_id, d.item_id, d.location_id, d.open
"""
    ).format(levels=levels, expired_hold=expired_hold("l"))
