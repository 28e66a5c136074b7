"""Postgres bulk import: COPY the rows into a temp table, validate and apply set-based SQL."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import dict_row

from adapters.postgres import import_events_sql as eq
from adapters.postgres import import_level_events_sql as uq
from adapters.postgres import import_lot_sql as lq
from adapters.postgres import import_sql as q
from adapters.postgres.errors import unavailable
from adapters.postgres.import_announcer import ImportAnnouncer, level_event_params
from adapters.postgres.intake_sql import HOLD_INTAKE_SHARED
from adapters.postgres.lot_sql import LOT_TOTALS
from adapters.postgres.repository import Session, SqlText, Waits
from adapters.postgres.uow import Pool
from application.errors import StorageUnavailable
from application.importing import (
    ImportMode,
    ImportPlan,
    ImportSummary,
    SerialRow,
    StockImporter,
    StockImportSession,
    archived_target,
    below_reserved,
    duplicate_level,
    duplicate_lot,
    lot_date_contradicts,
    new_lot_undated,
    serial_problems,
    tracked_item,
    unknown_location,
    unknown_sku,
    untracked_lot,
)
from application.stock_csv import ImportRow, LotRow, RowProblem
from domain import rules
from domain.errors import QuantityOutOfRange

IMPORT_WAITS = Waits(lock_timeout_ms=30_000, statement_timeout_ms=0)


logger = logging.getLogger(__name__)


class PostgresStockImportSession(StockImportSession):
    """One pooled connection and one transaction, rolled back on exit unless applied."""

    def __init__(self, pool: Pool, org_id: str) -> None:
        self._pool = pool
        self._org_id = org_id
        self._session: Session | None = None
        self._lots = False  # some row names a lot: the lot pass runs (ADR 0033)

    async def __aenter__(self) -> PostgresStockImportSession:
        try:
            conn = await self._pool.getconn()
        except psycopg.Error as exc:
            raise unavailable(exc) from exc
        # One long transaction: its statements may run for minutes; lock waits stay bounded.
        self._session = Session(conn, self._org_id, prepare=False, waits=IMPORT_WAITS)
        return self

    async def __aexit__(self, *exc: object) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if not session.conn.broken:
                await session.conn.rollback()  # no-op after apply's commit
        except psycopg.Error:
            pass
        finally:
            await self._pool.putconn(session.conn)
        error = exc[1] if len(exc) > 1 else None
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            raise unavailable(error) from error

    async def load(self, rows: Iterable[ImportRow]) -> int:
        conn = await self._conn()
        # Before the catalog is read: no archive of the org commits until this import ends.
        await self._run(HOLD_INTAKE_SHARED)
        for statement in (
            q.IMPORT_WORK_MEM,
            q.CREATE_IMPORT_ROWS,
            q.CREATE_IMPORT_LINES,
            q.CREATE_IMPORT_LEVELS,
        ):
            await conn.execute(statement)
        loaded = 0
        with _phase(q.COPY_ROWS):
            async with conn.cursor() as cur, cur.copy(q.COPY_ROWS) as copy:
                for row in rows:
                    await copy.write_row((row.line, row.sku, row.location_code, row.quantity))
                    loaded += 1
        await self._run(q.RESOLVE)
        await conn.execute(q.ANALYZE_LINES)
        return loaded

    async def load_lots(self, lots: list[LotRow]) -> None:
        conn = await self._conn()
        for statement in (lq.CREATE_IMPORT_LOT_ROWS, lq.CREATE_IMPORT_LOT_LINES):
            await conn.execute(statement)
        with _phase(lq.COPY_LOT_ROWS):
            async with conn.cursor() as cur, cur.copy(lq.COPY_LOT_ROWS) as copy:
                for lot in lots:
                    await copy.write_row((lot.line, lot.lot, lot.expires_on))
        for statement in (lq.MOVE_LOT_LINES, lq.RESOLVE_LOTS, lq.NEW_LOT_DATES):
            await self._run(statement)
        self._lots = True

    async def validate(self, mode: ImportMode, now: datetime) -> list[RowProblem]:
        receipt = mode is ImportMode.RECEIPT
        problems = [
            RowProblem(r["line_no"], _catalog_problem(r))
            for r in await self._all(q.CATALOG_PROBLEMS, {"receipt": receipt})
        ]
        # Lock order of every writer: serial lots (in id order), reservations and their lines
        # (releasing expired holds), then every level, in (item_id, location_id) order.
        if self._lots:
            await self._run(lq.CREATE_SERIAL_LOTS, {"now": now})
            await self._run(lq.RESOLVE_SERIAL_LOTS)
            await self._run(lq.LOCK_SERIAL_LOTS)
        await self._run(q.CREATE_EXPIRED_HOLDS)
        await self._run(q.CREATE_EXPIRED_LOT_HOLDS)
        await self._run(q.CREATE_EXPIRED_LINES)
        released = await self._count(q.RELEASE_EXPIRED_HOLDS, {"now": now})
        await self._lock_levels(released > 0, now)
        if released:
            await self._run(q.RELEASE_EXPIRED_RESERVED, {"now": now})
            await self._run(q.RELEASE_EXPIRED_LOT_RESERVED)
        if self._lots:
            await self._run(lq.LOCK_LOT_LEVELS)
            lot_problems = [
                RowProblem(r["line_no"], _lot_problem(r, receipt))
                for r in await self._all(lq.LOT_PROBLEMS, {"receipt": receipt})
            ]
            problems += lot_problems + await self._serial_problems(lot_problems, receipt)
        if not receipt:
            for r in await self._all(q.COUNT_PROBLEMS):
                problems.append(RowProblem(r["line_no"], _count_problem(r)))
        return sorted(problems)

    async def _lock_levels(self, released: bool, now: datetime) -> None:
        """Lock every target level in key order, creating the missing ones (import_sql.py)."""
        if not self._lots:  # lot rows' levels may be new: they take the create-and-lock
            await self._run(q.LOCK_SAVEPOINT)
            with _phase("LOCK_LEVELS"):
                [row] = await self._all(q.lock_existing_levels(released=released))
            if row["locked"] == row["targets"]:
                await self._run(q.KEEP_LOCKS)
                return
            await self._run(q.UNDO_LOCKS)  # releases those locks: the next pass takes all
        for statement in q.create_and_lock_levels(released=released, lots=self._lots):
            await self._run(statement, {"now": now})

    async def _serial_problems(self, found: list[RowProblem], receipt: bool) -> list[RowProblem]:
        """The serial rule over the rows of serial lots without another problem; their lots
        are locked, so the org-wide totals read now hold until we commit."""
        flawed = {problem.line for problem in found}
        rows = [
            SerialRow(r["line_no"], r["lot_id"], r["code"], r["quantity"], r["lot_on_hand"])
            for r in await self._all(lq.SERIAL_ROWS)
            if r["line_no"] not in flawed
        ]
        if not rows:
            return []
        ids = sorted({row.lot for row in rows if isinstance(row.lot, UUID)})
        totals = {r["lot_id"]: r["on_hand"] for r in await self._all(LOT_TOTALS, {"ids": ids})}
        return serial_problems(rows, totals, receipt)

    async def apply(self, plan: ImportPlan) -> ImportSummary:
        summary = await self.write(plan)
        conn = await self._conn()
        try:
            with _phase("COMMIT"):
                await conn.commit()
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise unavailable(exc) from exc
        return summary

    async def write(self, plan: ImportPlan) -> ImportSummary:
        """Everything ``apply`` writes, its events included, short of the commit."""
        params: dict[str, Any] = {
            "movement_id": plan.movement_id,
            "type": plan.mode.movement_type.value,
            "reference": plan.reference,
            "note": plan.note,
            "actor": plan.actor,
            "now": plan.created_at,
            "receipt": plan.mode is ImportMode.RECEIPT,
        }
        await self._run(q.INSERT_MOVEMENT, params)
        assert self._session is not None  # noqa: S101 -- _run above checked it
        announcer = ImportAnnouncer(self._session)
        try:
            lines = await self._count(q.INSERT_LINES, params)
            if self.events_in_update():
                with _phase("EVENTS_AHEAD"):
                    await announcer.announce_ahead(plan, lines, lots=False)
                    await announcer.move_ahead()
                params |= level_event_params(plan)
                [row] = await self._all(uq.UPDATE_LEVELS_WITH_EVENTS, params)
                return ImportSummary(plan.movement_id, lines, row["levels"])
            levels = await self._count(q.UPDATE_LEVELS, params)
            if self._lots:
                lines, levels = await self._write_lots(params, lines, levels)
        except pg_errors.NumericValueOutOfRange:
            # A running total past bigint: the domain's refusal, and nothing is applied.
            raise QuantityOutOfRange(
                f"the import would take a level past {rules.MAX_ON_HAND}, the most it can hold"
            ) from None
        with _phase("EVENTS"):
            await announcer.announce(plan, lines, lots=self._lots)
        return ImportSummary(plan.movement_id, lines, levels)

    async def _write_lots(self, params: dict[str, Any], lines: int, levels: int) -> tuple[int, int]:
        """The lot rows' pass (ADR 0033): their lots, ledger lines and lot levels; the counts
        of lines and levels with theirs added."""
        await self._run(lq.INSERT_NEW_LOTS, params)
        await self._run(lq.LOT_DELTAS, params)
        lines += await self._count(lq.INSERT_LOT_LINES, {**params, "first": lines})
        await self._run(lq.WRITE_LOT_POSITIONS, params)
        levels += await self._count(lq.UPDATE_LOT_LEVELS, params)
        return lines, levels

    def events_in_update(self) -> bool:
        """Whether the level UPDATE writes the levels' events itself: an import without lots
        (every level it changes is untracked); one with lots reads its levels back after."""
        return not self._lots

    async def _conn(self) -> psycopg.AsyncConnection[Any]:
        if self._session is None:
            raise StorageUnavailable("the import session is not open")
        return await self._session.ready()

    def _params(self, params: dict[str, Any] | None) -> dict[str, Any]:
        return {"org_id": self._org_id, **(params or {})}

    async def _run(self, query: SqlText, params: dict[str, Any] | None = None) -> None:
        conn = await self._conn()
        with _phase(query):
            await conn.execute(query, self._params(params))

    async def _count(self, query: SqlText, params: dict[str, Any]) -> int:
        conn = await self._conn()
        with _phase(query):
            cur = await conn.execute(query, self._params(params))
        return cur.rowcount

    async def _all(
        self, query: SqlText, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        conn = await self._conn()
        with _phase(query):
            async with conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(query, self._params(params))
                return await cur.fetchall()


# Statement constant -> its name, so the log says which step took the time.
_NAMES = {
    id(value): name
    for module in (q, lq, eq, uq)
    for name, value in vars(module).items()
    if name.isupper()
}


@contextmanager
def _phase(statement: object) -> Iterator[None]:
    """Log how long one step of the import took (``import phase NAME took S s``)."""
    started = time.monotonic()
    try:
        yield
    finally:
        name = statement if isinstance(statement, str) and statement.isupper() else None
        name = name or _NAMES.get(id(statement), "statement")
        logger.info("import phase %s took %.2f s", name, time.monotonic() - started)


def _count_problem(row: dict[str, Any]) -> str:
    if row["line_no"] != row["first_line"]:
        return duplicate_level(row["first_line"])
    if row["quantity"] < row["reserved"]:
        return below_reserved(row["quantity"], row["reserved"])
    if row["item_archived"]:
        return archived_target("item", row["item_sku"])
    return archived_target("location", row["stored_code"])


def _lot_problem(row: dict[str, Any], receipt: bool) -> str:
    """The one problem of a row that names a lot, checked in the in-memory adapter's order."""
    if row["item_sku"] is None:
        return unknown_sku(row["sku"])
    if row["stored_code"] is None:
        return unknown_location(row["location_code"])
    if not row["item_tracked"]:
        return untracked_lot(row["item_sku"])
    if receipt and row["item_archived"]:
        return archived_target("item", row["item_sku"])
    if receipt and row["location_archived"]:
        return archived_target("location", row["stored_code"])
    given = row["expires_on"]
    if row["lot_known"]:
        if given is not None and given != row["lot_expires"]:
            return lot_date_contradicts(row["lot_stored_code"], row["lot_expires"], given)
    elif row["new_expires"] is None:
        return new_lot_undated(row["lot_code"])
    elif given is not None and given != row["new_expires"]:
        return lot_date_contradicts(row["lot_code"], row["new_expires"], given)
    if row["line_no"] != row["first_line"]:
        return duplicate_lot(row["first_line"])
    if row["quantity"] < row["lot_reserved"]:
        return below_reserved(row["quantity"], row["lot_reserved"])
    if row["item_archived"]:
        return archived_target("item", row["item_sku"])
    return archived_target("location", row["stored_code"])


def _catalog_problem(row: dict[str, Any]) -> str:
    if row["item_sku"] is None:
        return unknown_sku(row["sku"])
    if row["stored_code"] is None:
        return unknown_location(row["location_code"])
    if row["item_tracked"]:
        return tracked_item(row["item_sku"])
    if row["item_archived"]:
        return archived_target("item", row["item_sku"])
    return archived_target("location", row["stored_code"])


class PostgresStockImporter(StockImporter):
    """Opens import sessions on the shared pool."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def __call__(self, org_id: str) -> PostgresStockImportSession:
        return PostgresStockImportSession(self.pool, org_id)
