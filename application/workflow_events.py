"""What transfers and count sessions announce: their data as the API shows it (docs/api.md).

A count session's events carry the session without its lines, except ``count_session.counted``,
which carries the lines just recorded; the feed is open to members, so a blind session's
expected figures never appear in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from application.events import Json, NewId, new_event, timestamp, uuid_text
from domain.counts import CountSession, CountSessionLine
from domain.events import Event, EventType
from domain.transfers import Transfer, TransitLine


def transfer_data(transfer: Transfer) -> Json:
    return {
        "id": str(transfer.id),
        "from_location_id": str(transfer.from_location_id),
        "to_location_id": str(transfer.to_location_id),
        "reference": transfer.reference,
        "note": transfer.note,
        "status": transfer.status.value,
        "created_by": transfer.created_by,
        "version": transfer.version,
        "created_at": timestamp(transfer.created_at),
        "updated_at": timestamp(transfer.updated_at),
        "lines": [_transit_line(line) for line in transfer.lines],
    }


def _transit_line(line: TransitLine) -> Json:
    data: Json = {
        "item_id": str(line.item_id),
        "shipped": line.shipped,
        "received": line.received,
        "cancelled": line.cancelled,
        "in_transit": line.in_transit,
    }
    if line.lots:  # lines of lot-tracked items say which lots they carry (ADR 0034)
        data["lots"] = [
            {
                "lot_id": str(part.lot.id),
                "lot_code": part.lot.code,
                "expires_on": None
                if part.lot.expires_on is None
                else part.lot.expires_on.isoformat(),
                "shipped": part.shipped,
                "received": part.received,
                "cancelled": part.cancelled,
                "in_transit": part.in_transit,
            }
            for part in line.lots
        ]
    return data


def count_line_data(line: CountSessionLine, show_expected: bool) -> Json:
    """A line as the API shows it; ``expected`` is null where the session hides it."""
    data: Json = {
        "item_id": str(line.item_id),
        "expected": line.expected if show_expected else None,
        "counted": line.counted,
        "counted_by": line.counted_by,
        "counted_at": timestamp(line.counted_at),
    }
    if line.lot_id is not None:  # a lot's line (ADR 0032); untracked lines stay as they were
        data["lot_id"] = str(line.lot_id)
        data["lot_code"] = line.lot_code
    return data


def count_session_data(session: CountSession) -> Json:
    """The session without its lines."""
    return {
        "id": str(session.id),
        "location_id": str(session.location_id),
        "status": session.status.value,
        "blind": session.blind,
        "listed": session.listed,
        "reference": session.reference,
        "created_by": session.created_by,
        "movement_id": uuid_text(session.movement_id),
        "version": session.version,
        "created_at": timestamp(session.created_at),
        "updated_at": timestamp(session.updated_at),
    }


def transfer_event(new_id: NewId, kind: EventType, transfer: Transfer, now: datetime) -> Event:
    return new_event(new_id, kind, now, transfer.id, transfer_data(transfer))


def count_session_event(
    new_id: NewId,
    kind: EventType,
    session: CountSession,
    now: datetime,
    lines: Sequence[CountSessionLine] = (),
) -> Event:
    """An event of the session; ``lines``: those a ``counted`` event recorded."""
    data = count_session_data(session)
    if kind is EventType.COUNT_SESSION_COUNTED:
        data["lines"] = [count_line_data(line, not session.blind) for line in lines]
    return new_event(new_id, kind, now, session.id, data)
