"""The outbox and the feed of one org: one INSERT per unit of work, riding with its COMMIT."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from psycopg import sql

from adapters.postgres.positions import position_param, settled
from adapters.postgres.repository import Repository, Row, compiled, utc
from application.ports import Events, FeedEntry, FeedQuery
from domain.events import Event, EventType

# One statement for all of a unit of work's events, deferred to the COMMIT flight (ADR 0015):
# no round trip of its own, nothing while a level is locked. txid and seq take their defaults;
# WITH ORDINALITY keeps the order the use case wrote them in. The events travel as one JSON
# document (orjson writes it in C; arrays of text went through psycopg's per-element escaping).
# ``insert_events`` gives the statement for any expression of such a document: a parameter
# here, one composed in SQL where a reservation announces itself in its own statement (ADR 0036).
_INSERT_EVENTS = sql.SQL("""
INSERT INTO events (org_id, id, type, occurred_at, subject_id, data)
SELECT %(org_id)s, e.id, e.type, e.occurred_at, e.subject_id, e.data
FROM ROWS FROM (jsonb_to_recordset({document})
                AS (id uuid, type text, occurred_at timestamptz, subject_id text, data jsonb))
     WITH ORDINALITY AS e(id, type, occurred_at, subject_id, data, n)
ORDER BY e.n
ON CONFLICT (org_id, subject_id) WHERE type = 'reservation.expired' DO NOTHING
""")


def insert_events(document: sql.Composable) -> sql.Composed:
    """The INSERT of the events in ``document`` (a JSON array as ``event_document`` writes)."""
    return _INSERT_EVENTS.format(document=document)


INSERT_EVENTS = compiled(insert_events(sql.SQL("%(events)s::jsonb")))
_SELECT = (
    """
SELECT e.txid::text::bigint AS position, e.seq, e.id, e.type, e.occurred_at, e.subject_id,
       e.data
FROM events e
WHERE e.org_id = %(org_id)s AND """
    + settled("e")
    + """
  AND (e.txid, e.seq) > (%(after_position)s::xid8, %(after_seq)s)"""
)
LIST_EVENTS = compiled(_SELECT + " ORDER BY e.txid, e.seq LIMIT %(limit)s")
LIST_EVENTS_OF_TYPES = compiled(
    _SELECT + " AND e.type = ANY(%(types)s) ORDER BY e.txid, e.seq LIMIT %(limit)s"
)


def entry_from_row(row: Row) -> FeedEntry:
    """Rebuild a feed entry from its row."""
    event = Event(
        id=row["id"],
        type=EventType(row["type"]),
        occurred_at=utc(row["occurred_at"]),
        subject_id=row["subject_id"],
        data=row["data"],
    )
    return FeedEntry(row["position"], row["seq"], event)


def event_document(events: Sequence[Event]) -> str:
    """Events as the JSON array ``insert_events`` reads, in the order given."""
    return orjson.dumps(
        [
            {
                "id": e.id,
                "type": e.type.value,
                "occurred_at": e.occurred_at,
                "subject_id": e.subject_id,
                "data": e.data,
            }
            for e in events
        ]
    ).decode()


class PostgresEvents(Repository, Events):
    """Queues events in memory; ``flush`` defers their one INSERT to the commit's flight."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued: list[Event] = []

    def add(self, events: Iterable[Event]) -> None:
        self._queued.extend(events)

    def flush(self) -> int:
        """Defer the INSERT of everything queued; return how many events it carries."""
        queued, self._queued = self._queued, []
        if queued:
            self._defer(INSERT_EVENTS, {"events": event_document(queued)})
        return len(queued)

    async def list(self, query: FeedQuery) -> list[FeedEntry]:
        position, seq = query.after or (0, 0)
        params: dict[str, Any] = {
            "after_position": position_param(position),
            "after_seq": seq,
            "limit": query.limit,
        }
        statement = LIST_EVENTS
        if query.types is not None:
            statement = LIST_EVENTS_OF_TYPES
            params["types"] = sorted(t.value for t in query.types)
        return [entry_from_row(row) for row in await self._all(statement, params)]
