"""What each change announces: events composed from the values a use case already holds.

``data`` carries the subject after the change with the field names of the API (docs/api.md),
built here once per subject type, so the feed, webhooks and the API describe a resource alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from uuid import UUID

from application.ports import LevelChange
from domain.catalog import Item, Location
from domain.events import Event, EventType, stock_signals
from domain.movements import Movement, MovementLine
from domain.reservations import LineLot, Reservation, ReservationLine
from domain.stock import Fulfil, Release, Reserve, StockChange, StockLevel
from domain.webhooks import Webhook

NewId = Callable[[], UUID]
Json = dict[str, object]


def timestamp(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``, as the API writes timestamps."""
    return None if moment is None else _rfc3339(moment)


@lru_cache(maxsize=256)
def _rfc3339(moment: datetime) -> str:
    # Cached: a write stamps every level it changes with one moment (an import, a million).
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def uuid_text(value: UUID | None) -> str | None:
    """An optional id as the API writes it."""
    return None if value is None else str(value)


def item_data(item: Item) -> Json:
    return {
        "id": str(item.id),
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "unit": item.unit,
        "reorder_point": item.reorder_point,
        "tracking": item.tracking.value,
        "archived": item.archived,
        "version": item.version,
        "created_at": timestamp(item.created_at),
        "updated_at": timestamp(item.updated_at),
    }


def location_data(location: Location) -> Json:
    return {
        "id": str(location.id),
        "code": location.code,
        "name": location.name,
        "kind": location.kind.value,
        "archived": location.archived,
        "version": location.version,
        "created_at": timestamp(location.created_at),
        "updated_at": timestamp(location.updated_at),
    }


def movement_data(movement: Movement) -> Json:
    return {
        "id": str(movement.id),
        "type": movement.type.value,
        "reason": None if movement.reason is None else movement.reason.value,
        "reference": movement.reference,
        "note": movement.note,
        "actor": movement.actor,
        "reservation_id": uuid_text(movement.reservation_id),
        "transfer_id": uuid_text(movement.transfer_id),
        "count_session_id": uuid_text(movement.count_session_id),
        "reverses": uuid_text(movement.reverses),
        "reversed_by": uuid_text(movement.reversed_by),
        "created_at": timestamp(movement.created_at),
        "lines": [_line_data(line) for line in movement.lines],
    }


def _line_data(line: MovementLine) -> Json:
    data: Json = {
        "item_id": str(line.item_id),
        "location_id": str(line.location_id),
        "delta": line.delta,
        "on_hand_after": line.on_hand_after,
    }
    if line.lot_id is not None:  # lines of lot-tracked items name their lot
        data["lot_id"] = str(line.lot_id)
        data["lot_code"] = line.lot_code
    return data


def reservation_data(reservation: Reservation) -> Json:
    return {
        "id": str(reservation.id),
        "reference": reservation.reference,
        "status": reservation.status.value,
        "expires_at": timestamp(reservation.expires_at),
        "created_by": reservation.created_by,
        "created_at": timestamp(reservation.created_at),
        "lines": [_reservation_line(line) for line in reservation.lines],
    }


def _reservation_line(line: ReservationLine) -> Json:
    data: Json = {
        "item_id": str(line.item_id),
        "location_id": str(line.location_id),
        "quantity": line.quantity,
        "fulfilled": line.fulfilled,
        "released": line.released,
    }
    if line.lots:  # lines of lot-tracked items say which lots hold them (ADR 0031)
        data["lots"] = [line_lot_data(part) for part in line.lots]
    return data


def line_lot_data(part: LineLot) -> Json:
    """A lot holding part of a reservation line, as the API and the events show it."""
    return {
        "lot_id": str(part.lot.id),
        "lot_code": part.lot.code,
        "expires_on": None if part.lot.expires_on is None else part.lot.expires_on.isoformat(),
        "quantity": part.quantity,
        "fulfilled": part.fulfilled,
        "released": part.released,
    }


def level_data(level: StockLevel, cause: Mapping[str, str]) -> Json:
    """A level as the API shows it, plus what caused the change. Built from the StockLevel
    value alone, so a level keyed by more than (item, location) adds its fields here."""
    return {
        "item_id": str(level.item_id),
        "location_id": str(level.location_id),
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "expired": level.expired,
        "incoming": level.incoming,
        "version": level.version,
        "updated_at": timestamp(level.updated_at),
        "cause": dict(cause),
    }


def webhook_data(webhook: Webhook) -> Json:
    """An endpoint as the API shows it (never its secret)."""
    return {
        "id": str(webhook.id),
        "url": webhook.url,
        "types": sorted(t.value for t in webhook.types),
        "description": webhook.description,
        "enabled": webhook.enabled,
        "disabled_reason": webhook.disabled_reason,
        "version": webhook.version,
        "created_at": timestamp(webhook.created_at),
        "updated_at": timestamp(webhook.updated_at),
    }


def event_payload(event: Event) -> Json:
    """An event as the feed lists it and a webhook delivers it."""
    return {
        "id": str(event.id),
        "type": event.type.value,
        "occurred_at": timestamp(event.occurred_at),
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "data": dict(event.data),
    }


def level_subject(level: StockLevel) -> str:
    """A level's subject id: ``<item_id>:<location_id>``."""
    return f"{level.item_id}:{level.location_id}"


def new_event(new_id: NewId, kind: EventType, now: datetime, subject: object, data: Json) -> Event:
    """An event of ``kind`` about ``subject`` (its id) with ``data``."""
    return Event(id=new_id(), type=kind, occurred_at=now, subject_id=str(subject), data=data)


def item_event(new_id: NewId, kind: EventType, item: Item, now: datetime) -> Event:
    return new_event(new_id, kind, now, item.id, item_data(item))


def location_event(new_id: NewId, kind: EventType, location: Location, now: datetime) -> Event:
    return new_event(new_id, kind, now, location.id, location_data(location))


def webhook_disabled(new_id: NewId, webhook: Webhook, now: datetime) -> Event:
    return new_event(new_id, EventType.WEBHOOK_DISABLED, now, webhook.id, webhook_data(webhook))


def movement_posted(new_id: NewId, movement: Movement) -> Event:
    return new_event(
        new_id, EventType.MOVEMENT_POSTED, movement.created_at, movement.id, movement_data(movement)
    )


def movement_reversed(new_id: NewId, original: Movement, now: datetime) -> Event:
    """The original movement, now with ``reversed_by``."""
    return new_event(new_id, EventType.MOVEMENT_REVERSED, now, original.id, movement_data(original))


def reservation_event(
    new_id: NewId, kind: EventType, reservation: Reservation, now: datetime
) -> Event:
    return new_event(new_id, kind, now, reservation.id, reservation_data(reservation.as_of(now)))


@dataclass(frozen=True, slots=True)
class Cause:
    """What changed the levels: a movement or a reservation."""

    movement_id: UUID | None = None
    reservation_id: UUID | None = None

    def as_data(self) -> dict[str, str]:
        if self.movement_id is not None:
            return {"movement_id": str(self.movement_id)}
        return {"reservation_id": str(self.reservation_id)}


def _available_delta(change: StockChange, on_hand_delta: int) -> int:
    match change:
        case Reserve(quantity):
            return -quantity
        case Release(quantity):
            return quantity
        case Fulfil():
            return 0  # on_hand and reserved drop together
        case _:
            return on_hand_delta


def level_events(
    new_id: NewId,
    changes: Sequence[tuple[StockChange, LevelChange]],
    cause: Cause,
    reorder_points: Mapping[UUID, int | None],
    now: datetime,
) -> list[Event]:
    """``stock_level.changed`` for every level a use case changed, each followed by the
    signals (``low``, ``out``, ``restocked``) its available stock crossed."""
    events: list[Event] = []
    for change, result in changes:
        level = result.level
        before = level.available - _available_delta(change, result.on_hand_delta)
        reorder_point = reorder_points.get(level.item_id)
        events += level_changed(new_id, level, before, cause.as_data(), reorder_point, now)
    return events


def level_changed(
    new_id: NewId,
    level: StockLevel,
    available_before: int,
    cause: Mapping[str, str],
    reorder_point: int | None,
    now: datetime,
) -> list[Event]:
    """``stock_level.changed`` for ``level``, then the signals its available stock crossed."""
    data = level_data(level, cause)
    subject = f"{data['item_id']}:{data['location_id']}"  # level_subject's, ids written once
    events = [new_event(new_id, EventType.STOCK_LEVEL_CHANGED, now, subject, data)]
    for signal in stock_signals(available_before, level.available, reorder_point):
        events.append(new_event(new_id, signal, now, subject, data))
    return events


def reservation_created(
    new_id: NewId,
    reservation: Reservation,
    changes: Sequence[tuple[StockChange, LevelChange]],
    reorder_points: Mapping[UUID, int | None],
    now: datetime,
) -> list[Event]:
    """What a new reservation announces: ``reservation.created``, then the events of every
    level its lines changed (the one-flight reservation writes the same in SQL, ADR 0036)."""
    created = reservation_event(new_id, EventType.RESERVATION_CREATED, reservation, now)
    cause = Cause(reservation_id=reservation.id)
    return [created, *level_events(new_id, changes, cause, reorder_points, now)]
