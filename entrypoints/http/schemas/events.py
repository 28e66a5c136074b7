"""Events as the feed and webhooks deliver them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from domain import events
from entrypoints.http.schemas.common import ListPage, Timestamp

EXAMPLE: dict[str, Any] = {
    "id": "0b9d2c58-8a53-4a8e-9a52-2f7f5e0cf1a1",
    "type": "stock_level.changed",
    "occurred_at": "2026-03-02T09:00:00Z",
    "subject": {"type": "stock_level", "id": "<item_id>:<location_id>"},
    "data": {
        "item_id": "<item_id>",
        "location_id": "<location_id>",
        "on_hand": 12,
        "reserved": 5,
        "available": 7,
        "version": 4,
        "updated_at": "2026-03-02T09:00:00Z",
        "cause": {"reservation_id": "<reservation_id>"},
    },
}


class Subject(BaseModel):
    """What changed: its type and id (a stock level's id is ``<item_id>:<location_id>``)."""

    type: str = Field(examples=["stock_level"])
    id: str


class Event(BaseModel):
    """One change of one subject; ``data`` is the subject after the change, with the fields the
    API returns for it (a stock level's adds ``cause``: ``movement_id`` or ``reservation_id``)."""

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}

    id: UUID = Field(description="Unique per event; webhooks send it as `webhook-id`.")
    type: events.EventType
    occurred_at: Timestamp
    subject: Subject
    data: dict[str, Any]

    @classmethod
    def of(cls, event: events.Event) -> Event:
        return cls(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            subject=Subject(type=event.subject_type, id=event.subject_id),
            data=dict(event.data),
        )


class EventPage(ListPage[Event]):
    """Events in feed order. ``next_cursor`` is given whenever there is a place to continue
    from, even on an empty page: pass it back as ``after`` to tail the feed."""

    next_cursor: str | None = Field(
        description="Pass back as `after`; null only when the org has no event yet."
    )
