"""Events: what changed, as the org's consumers and webhooks see it, and the stock signals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class EventType(StrEnum):
    """Every kind of event; the part before the dot names the subject's type."""

    ITEM_CREATED = "item.created"
    ITEM_UPDATED = "item.updated"
    ITEM_ARCHIVED = "item.archived"
    LOCATION_CREATED = "location.created"
    LOCATION_UPDATED = "location.updated"
    LOCATION_ARCHIVED = "location.archived"
    MOVEMENT_POSTED = "movement.posted"
    MOVEMENT_REVERSED = "movement.reversed"
    STOCK_LEVEL_CHANGED = "stock_level.changed"
    STOCK_LEVEL_LOW = "stock_level.low"
    STOCK_LEVEL_OUT = "stock_level.out"
    STOCK_LEVEL_RESTOCKED = "stock_level.restocked"
    RESERVATION_CREATED = "reservation.created"
    RESERVATION_RELEASED = "reservation.released"
    RESERVATION_FULFILLED = "reservation.fulfilled"
    RESERVATION_EXTENDED = "reservation.extended"
    RESERVATION_EXPIRED = "reservation.expired"
    TRANSFER_CREATED = "transfer.created"
    TRANSFER_RECEIVED = "transfer.received"
    TRANSFER_CANCELLED = "transfer.cancelled"
    COUNT_SESSION_CREATED = "count_session.created"
    COUNT_SESSION_COUNTED = "count_session.counted"
    COUNT_SESSION_POSTED = "count_session.posted"
    COUNT_SESSION_CANCELLED = "count_session.cancelled"
    WEBHOOK_DISABLED = "webhook.disabled"

    @property
    def subject_type(self) -> str:
        """``item``, ``location``, ``movement``, ``stock_level``, ``reservation``,
        ``transfer``, ``count_session``, ``webhook``."""
        return self.value.split(".", 1)[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One change of one subject; ``data`` is the subject after the change, as plain JSON
    values (the same fields the API returns for it)."""

    id: UUID
    type: EventType
    occurred_at: datetime
    subject_id: str
    data: Mapping[str, object]

    @property
    def subject_type(self) -> str:
        return self.type.subject_type


def stock_signals(
    available_before: int, available_after: int, reorder_point: int | None
) -> tuple[EventType, ...]:
    """The derived signals of one change of a level's available stock: ``low`` when it
    crosses below the item's reorder point, ``out`` when it reaches 0, ``restocked`` when it
    rises from 0."""
    signals: list[EventType] = []
    if reorder_point is not None and available_before >= reorder_point > available_after:
        signals.append(EventType.STOCK_LEVEL_LOW)
    if available_before > 0 and available_after <= 0:
        signals.append(EventType.STOCK_LEVEL_OUT)
    if available_before <= 0 < available_after:
        signals.append(EventType.STOCK_LEVEL_RESTOCKED)
    return tuple(signals)
