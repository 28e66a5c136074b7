"""What a bulk import announces, written in its transaction (ADR 0021): its document, the
holds past expiry it released, and every level it changed, by the rules every write uses
(application/import_events.py). The events ahead of the levels' are built in Python and
COPYed into a temp table (COPY cannot write a table under row-level security), then moved
into the outbox by one INSERT, in order. An import without lots writes its levels' events in
its level UPDATE (import_level_events_sql.py); ``announce`` is the general path, after the
UPDATE: untracked levels' events built in SQL, tracked ones read back a batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import orjson
from psycopg.rows import dict_row

from adapters.postgres import import_events_sql as eq
from adapters.postgres.lot_sql import EXPIRED_FIGURES
from adapters.postgres.repository import Repository, Rows, Session
from adapters.postgres.reservations import PostgresReservations
from adapters.postgres.stock import expiry_params, level_from_row, with_expiry
from application.events import timestamp
from application.import_events import (
    ImportedLevel,
    expiry_events,
    import_posted,
    imported_level_events,
    released_only,
)
from application.importing import ImportPlan
from domain.events import Event, EventType
from domain.stock import LevelKey

EVENT_BATCH = 20_000  # changed levels read back (and their events built) at a time


class ImportAnnouncer(Repository):
    """The events of one import, on its session (a transaction of its own connection)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._import = session
        self._events = 0  # events copied so far (their order in the outbox)

    async def announce_ahead(self, plan: ImportPlan, line_count: int, *, lots: bool) -> None:
        """The events that come before every level's, in import_events: the document and
        the holds past expiry the import released (with the levels only that changed)."""
        conn = await self._import.ready()
        await conn.execute(eq.CREATE_IMPORT_EVENTS)
        await self._copy_events([import_posted(plan.new_id, plan.movement, line_count)])
        expired = await self._all(eq.expired_lines(lots))
        if expired:  # rare: holds past expiry the expiry job had not released yet
            await self._copy_events(await self._expiry_events(expired, plan))

    async def move_ahead(self) -> None:
        """What import_events holds into the outbox, before the levels' events that
        UPDATE_LEVELS_WITH_EVENTS writes (an import without lots)."""
        await self._run(eq.INSERT_IMPORT_EVENTS)

    async def announce(self, plan: ImportPlan, line_count: int, *, lots: bool) -> None:
        """Every event of an import whose levels are already updated, in the outbox: those
        ahead, then every level its rows changed (untracked ones built in SQL, tracked ones
        read back a batch at a time and built in Python), all moved in by level order."""
        now = plan.created_at
        await self.announce_ahead(plan, line_count, lots=lots)
        await self._run(eq.untracked_level_events(lots), level_event_params(plan))
        conn = await self._import.ready()
        await conn.execute("SET LOCAL cursor_tuple_fraction = 1")  # read to its end
        params = self._params({"now": now})
        async with conn.cursor(name="import_changed_levels", row_factory=dict_row) as cur:
            await cur.execute(eq.changed_levels(lots), params)
            while rows := await cur.fetchmany(EVENT_BATCH):
                changed = await self._with_lot_figures(rows, now)
                events = imported_level_events(plan.new_id, plan.movement_id, changed, now)
                await self._copy_events(events, keyed=True)
        await self._run(eq.INSERT_IMPORT_EVENTS)

    async def _expiry_events(self, expired: Rows, plan: ImportPlan) -> list[Event]:
        now = plan.created_at
        lines = [
            (r["reservation_id"], LevelKey(r["item_id"], r["location_id"]), r["open"])
            for r in expired
        ]
        imported = {key for (_, key, _), r in zip(lines, expired, strict=True) if r["imported"]}
        only = released_only(lines, imported)
        reservations = PostgresReservations(self._session)
        found = [await reservations.get(rid) for rid in sorted({line[0] for line in lines})]
        rows = await self._all(
            eq.LEVELS_AT,
            {
                "item_ids": [key.item_id for key in only],
                "location_ids": [key.location_id for key in only],
            },
        )
        levels = []
        for level, _, reorder_point in await self._with_lot_figures(rows, now):
            released, first = only[level.key]
            levels.append((level, released, reorder_point, first))
        return expiry_events(plan.new_id, [r for r in found if r is not None], levels, now)

    async def _with_lot_figures(self, rows: Rows, now: datetime) -> list[ImportedLevel]:
        levels = [level_from_row(row) for row in rows]
        tracked = [level for level, row in zip(levels, rows, strict=True) if row["lots"]]
        if tracked:  # a page with lots: one statement more (as stock-level reads do)
            figures = await self._all(EXPIRED_FIGURES, expiry_params(tracked, now))
            levels = with_expiry(levels, figures)
        return [
            (level, row["on_hand_delta"], row["reorder_point"])
            for level, row in zip(levels, rows, strict=True)
        ]

    async def _copy_events(self, events: Iterable[Event], *, keyed: bool = False) -> None:
        """One COPY of ``events`` in text format, formatted here in one buffer (a row at a
        time through psycopg's writer costs more than building the events); ``keyed``: level
        events, ordered by their level, else in the order given, before every level's."""
        out = []
        n = self._events
        for event in events:
            n += 1
            # COPY's text format escapes with backslashes; orjson writes no raw tab, newline
            # or carriage return (JSON escapes them), so doubling backslashes is all it takes.
            data = orjson.dumps(event.data).decode().replace("\\", "\\\\")
            key = "\\N\t\\N\t\\N"
            if keyed:
                item_id, location_id = event.subject_id.split(":")
                key = f"{item_id}\t{location_id}\t{_ORD[event.type]}"
            out.append(
                f"{n}\t{key}\t{event.id}\t{event.type.value}\t{event.occurred_at.isoformat()}"
                f"\t{event.subject_id}\t{data}\n"
            )
        self._events = n
        conn = await self._import.ready()
        async with conn.cursor() as cur, cur.copy(eq.COPY_IMPORT_EVENTS) as copy:
            await copy.write("".join(out).encode())


def level_event_params(plan: ImportPlan) -> dict[str, object]:
    """What the levels' events built in SQL take from the import (eq.LEVEL_EVENTS)."""
    now = plan.created_at
    return {"now": now, "updated_at": timestamp(now), "movement_id": plan.movement_id}


# A level's change comes before its signals, in stock_signals' order (import_events_sql.py).
_ORD = {
    EventType.STOCK_LEVEL_CHANGED: 0,
    EventType.STOCK_LEVEL_LOW: 1,
    EventType.STOCK_LEVEL_OUT: 2,
    EventType.STOCK_LEVEL_RESTOCKED: 3,
}
