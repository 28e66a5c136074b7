"""What transfers announce: their data as the API shows it (docs/api.md)."""

from __future__ import annotations

from datetime import datetime

from application.events import Json, NewId, new_event, timestamp
from domain.events import Event, EventType
from domain.transfers import Transfer


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
        "lines": [
            {
                "item_id": str(line.item_id),
                "shipped": line.shipped,
                "received": line.received,
                "cancelled": line.cancelled,
                "in_transit": line.in_transit,
            }
            for line in transfer.lines
        ],
    }


def transfer_event(new_id: NewId, kind: EventType, transfer: Transfer, now: datetime) -> Event:
    return new_event(new_id, kind, now, transfer.id, transfer_data(transfer))
