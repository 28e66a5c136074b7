"""The events a keyless one-line reservation writes in its own statement (ADR 0036).

Composed here by application/events.py, as the general path composes them, before the level
is known: ``RESERVE_AND_ANNOUNCE`` fills in the level's figures and keeps the signals crossed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.postgres.events import event_document
from application.events import Cause, NewId, level_data, level_subject, new_event, reservation_event
from domain.events import EventType
from domain.reservations import Reservation
from domain.stock import StockLevel

# stock_level.changed, then the signals a reserve can cross, in stock_signals' order (available
# stock only falls, so never ``restocked``). Their ids are drawn in this order too.
_LEVEL_EVENTS = (
    EventType.STOCK_LEVEL_CHANGED,
    EventType.STOCK_LEVEL_LOW,
    EventType.STOCK_LEVEL_OUT,
)


def announcement(reservation: Reservation, now: datetime, new_id: NewId) -> dict[str, Any]:
    """RESERVE_AND_ANNOUNCE's event parameters for ``reservation`` (one line, untracked)."""
    (line,) = reservation.lines
    created = reservation_event(new_id, EventType.RESERVATION_CREATED, reservation, now)
    # The level as its events show it, but for the figures only the update knows (on_hand,
    # reserved, available, incoming, version): the statement writes those over these zeros.
    # updated_at is ``now``, as the update sets it; an untracked level has nothing expired.
    unknown = StockLevel.empty(line.key, now)
    data = level_data(unknown, Cause(reservation_id=reservation.id).as_data())
    subject = level_subject(unknown)
    candidates = [new_event(new_id, kind, now, subject, data) for kind in _LEVEL_EVENTS]
    return {
        "created": event_document([created]),
        "level_events": event_document(candidates),
        "level_event_ids": [event.id for event in candidates],
    }
