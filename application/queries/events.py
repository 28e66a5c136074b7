"""Read the org's event feed: one commit-safe order, tailed with a cursor, long-polled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.errors import CursorExpired
from application.pagination import MAX_LIMIT, Keyset, Page, time_part
from application.ports import EventSignal, FeedEntry, FeedQuery
from application.principal import Permission, Principal
from application.use_cases.base import Deps, UseCase
from domain.errors import ValidationFailed
from domain.events import Event, EventType

MAX_WAIT_SECONDS = 30
DEFAULT_RETENTION = timedelta(days=7)
# Another process's events are found by polling at most this often while a reader waits;
# this process's own commits wake it at once (EventSignal).
POLL_SECONDS = 1.0
# Events after a position can have occurred a little before the event at it (a transaction's
# time is taken before it waits); cursors expire this much early, so a cursor that is still
# accepted never has a purged event after it.
EXPIRY_MARGIN = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadEvents:
    """After a cursor (none: from the oldest kept event), of some types (none: all), waiting up
    to ``wait_seconds`` for the first event when there is none yet."""

    after: str | None = None
    types: frozenset[EventType] | None = None
    limit: int | None = None
    wait_seconds: float = 0


@dataclass(frozen=True, slots=True)
class FeedCursor:
    """Where a consumer stands: after (position, sequence), as of ``stamp`` (for retention)."""

    position: int
    sequence: int
    stamp: datetime

    def encode(self) -> str:
        return FEED.cursor(self)

    @classmethod
    def decode(cls, cursor: str) -> FeedCursor:
        try:
            position, sequence, stamp = FEED.decode(cursor)
        except ValidationFailed:
            raise ValidationFailed("cursor is not valid", field="after") from None
        return cls(int(position), int(sequence), datetime.fromisoformat(stamp))


def _counter_part(value: str) -> str:
    """A position or sequence number: a non-negative integer below 2**63."""
    if not value.isdigit() or len(value) > 19:
        raise ValueError("not a counter")
    return str(int(value))


def _feed_key(cursor: FeedCursor) -> tuple[str, ...]:
    return (str(cursor.position), str(cursor.sequence), cursor.stamp.isoformat())


FEED: Keyset[FeedCursor] = Keyset("events", _feed_key, (_counter_part, _counter_part, time_part))


class ReadEventsHandler(UseCase):
    """The org's events, oldest first, in one order that never changes: an event whose
    transaction commits late is held back until nothing before it can still appear, so a
    consumer that keeps passing ``next_cursor`` back sees every event once. ``next_cursor`` is
    always given: pass it back to continue (it stays valid for the retention period)."""

    def __init__(
        self,
        deps: Deps,
        signal: EventSignal,
        retention: timedelta = DEFAULT_RETENTION,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__(deps)
        self.signal = signal
        self.retention = retention
        self.poll_seconds = poll_seconds

    async def __call__(self, principal: Principal, query: ReadEvents) -> Page[Event]:
        org_id = principal.require(Permission.READ)
        limit = 50 if query.limit is None else query.limit
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
        if not 0 <= query.wait_seconds <= MAX_WAIT_SECONDS:
            raise ValidationFailed(f"wait must be 0-{MAX_WAIT_SECONDS} seconds", field="wait")
        after = None if query.after is None else FeedCursor.decode(query.after)
        oldest_kept = self.deps.clock.now() - self.retention + EXPIRY_MARGIN
        if after is not None and after.stamp < oldest_kept:
            raise CursorExpired(
                "this cursor is older than the event retention; read from the start again"
            )
        feed = FeedQuery(
            after=None if after is None else (after.position, after.sequence),
            types=query.types,
            limit=limit,
        )
        waited = 0.0
        while True:
            # Each poll borrows a connection for one statement and gives it back: a waiting
            # reader holds no pooled connection between polls.
            async with self.deps.uow(org_id, read_only=True) as uow:
                entries = await uow.events.list(feed)
            if entries or waited >= query.wait_seconds:
                return Page([e.event for e in entries], self._next(entries, after))
            pause = min(self.poll_seconds, query.wait_seconds - waited)
            await self.signal.wait(org_id, pause)
            waited += pause

    def _next(self, entries: list[FeedEntry], after: FeedCursor | None) -> str | None:
        if entries:
            last = entries[-1]
            return FeedCursor(last.position, last.sequence, last.event.occurred_at).encode()
        if after is None:
            return None  # nothing yet: read from the start again
        # Nothing after the cursor now: whatever comes after it occurs from now on.
        return FeedCursor(after.position, after.sequence, self.deps.clock.now()).encode()
