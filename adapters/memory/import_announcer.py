"""What a bulk import announces on the in-memory backend, as Postgres writes it
(adapters/postgres/import_announcer.py), by the rules of application/import_events.py."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.memory.events import InMemoryEvents
from adapters.memory.lots import lot_figures
from adapters.memory.state import OrgState
from application.import_events import (
    expiry_events,
    import_posted,
    imported_level_events,
    released_only,
)
from application.importing import ImportPlan
from application.ports import ExpiredHolds
from domain.stock import LevelKey


def announce(
    outbox: InMemoryEvents,
    state: OrgState,
    plan: ImportPlan,
    line_count: int,
    before_on_hand: Mapping[LevelKey, int],
    released: ExpiredHolds | None,
) -> None:
    """The document; the reservations whose holds past expiry it released, and the levels only
    that release changed; then each level its rows changed, in (item_id, location_id) order."""
    now = plan.created_at
    outbox.add([import_posted(plan.new_id, plan.movement, line_count)])
    if released is not None and released.reservation_ids:
        only = released_only(released.lines, before_on_hand.keys())
        levels = [
            (
                lot_figures(state, state.levels[key], now),
                quantity,
                state.items[key.item_id].reorder_point,
                first,
            )
            for key, (quantity, first) in sorted(only.items())
        ]
        expired = [state.reservations[rid] for rid in released.reservation_ids]
        outbox.add(expiry_events(plan.new_id, expired, levels, now))
    changed = [
        (
            lot_figures(state, state.levels[key], now),
            state.levels[key].on_hand - on_hand,
            state.items[key.item_id].reorder_point,
        )
        for key, on_hand in sorted(before_on_hand.items())
    ]
    outbox.add(imported_level_events(plan.new_id, plan.movement_id, changed, now))
