"""What a bulk import announces (ADR 0021), by the rules every write uses: its document, the
reservations whose holds past expiry it released, and every level it changed. Both adapters
call these with what they read back, so the feed is the same on either."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from uuid import UUID

from application.events import NewId, level_changed, movement_data, new_event, reservation_event
from domain.events import Event, EventType
from domain.movements import Movement
from domain.reservations import Reservation
from domain.stock import LevelKey, StockLevel

# A level an import changed: after the import, by how much its on_hand moved, and its item's
# reorder point. An import changes on_hand only, so available moved by the same amount.
ImportedLevel = tuple[StockLevel, int, int | None]


def import_posted(new_id: NewId, movement: Movement, line_count: int) -> Event:
    """``movement.posted`` for a bulk import: the document without its lines (a file may hold
    a million; ``GET /v1/movements/{id}`` has them) and how many it has."""
    data = movement_data(movement) | {"lines": None, "line_count": line_count}
    return new_event(new_id, EventType.MOVEMENT_POSTED, movement.created_at, movement.id, data)


def imported_level_events(
    new_id: NewId, movement_id: UUID, levels: Iterable[ImportedLevel], now: datetime
) -> Iterator[Event]:
    """``stock_level.changed`` and its signals for each level an import changed, in the order
    given (both adapters give (item_id, location_id) order), the import as their cause."""
    cause = {"movement_id": str(movement_id)}
    for level, on_hand_delta, reorder_point in levels:
        before = level.available - on_hand_delta
        yield from level_changed(new_id, level, before, cause, reorder_point, now)


def released_only(
    lines: Iterable[tuple[UUID, LevelKey, int]], imported: Collection[LevelKey]
) -> dict[LevelKey, tuple[int, UUID]]:
    """Of the lines an import's release of expired holds gave back, per level the import's
    rows do not touch: the quantity released there, and the first reservation (by id) that
    held it, the cause its one event names (the release there is one change)."""
    out: dict[LevelKey, tuple[int, UUID]] = {}
    for reservation_id, key, quantity in sorted(lines, key=lambda line: line[0]):
        if key in imported:
            continue
        released, first = out.get(key, (0, reservation_id))
        out[key] = (released + quantity, first)
    return out


def expiry_events(
    new_id: NewId,
    reservations: Iterable[Reservation],
    levels: Iterable[tuple[StockLevel, int, int | None, UUID]],
    now: datetime,
) -> list[Event]:
    """``reservation.expired`` for each reservation the import released (by id), then each
    level only that release changed (by key): available rose by what was released there."""
    events = [
        reservation_event(new_id, EventType.RESERVATION_EXPIRED, r, now)
        for r in sorted(reservations, key=lambda r: r.id)
    ]
    for level, released, reorder_point, reservation_id in levels:
        cause = {"reservation_id": str(reservation_id)}
        before = level.available - released
        events += level_changed(new_id, level, before, cause, reorder_point, now)
    return events
