"""In-memory outbox and feed: events kept in the working copy, published with the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from adapters.memory.state import OrgState
from application.ports import Events, FeedEntry, FeedQuery
from domain.events import Event, EventType


class InMemoryEvents(Events):
    """Units of work run one at a time here, so every published event is settled; positions
    are the number of the unit of work that wrote them, in commit order."""

    def __init__(self, state: OrgState, transaction: int, sequence: Callable[[], int]) -> None:
        self._events = state.events
        self._transaction = transaction
        self._sequence = sequence
        self.added = 0  # events queued by this unit of work (the commit wakes readers)

    def add(self, events: Iterable[Event]) -> None:
        expired = {
            e.event.subject_id
            for e in self._events
            if e.event.type is EventType.RESERVATION_EXPIRED
        }
        for event in events:
            if event.type is EventType.RESERVATION_EXPIRED:
                if event.subject_id in expired:
                    continue  # announced once, by whoever released its holds first
                expired.add(event.subject_id)
            self._events.append(FeedEntry(self._transaction, self._sequence(), event))
            self.added += 1

    async def list(self, query: FeedQuery) -> list[FeedEntry]:
        rows = [
            e
            for e in self._events
            if (query.after is None or (e.position, e.sequence) > query.after)
            and (query.types is None or e.event.type in query.types)
        ]
        rows.sort(key=lambda e: (e.position, e.sequence))
        return rows[: query.limit]
