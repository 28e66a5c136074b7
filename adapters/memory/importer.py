"""In-memory bulk import: the same rows through the same rules as the Postgres importer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from adapters.memory.ledger import InMemoryReservations
from adapters.memory.state import InMemoryDatabase, OrgState
from application.errors import StorageUnavailable
from application.importing import (
    ImportMode,
    ImportPlan,
    ImportSummary,
    StockImporter,
    StockImportSession,
    archived_target,
    below_reserved,
    duplicate_level,
    tracked_item,
    unknown_location,
    unknown_sku,
)
from application.stock_csv import ImportRow, RowProblem
from domain.catalog import Item, Location
from domain.movements import Movement, MovementLine
from domain.stock import Count, LevelKey, Receive, Release, StockLevel


class InMemoryStockImportSession(StockImportSession):
    """Holds the database lock; publishes the working copy only when ``apply`` succeeds."""

    def __init__(self, db: InMemoryDatabase, org_id: str) -> None:
        self._db = db
        self._org_id = org_id
        self._rows: list[ImportRow] = []
        self._keys: list[LevelKey] = []
        self._working: OrgState | None = None

    async def __aenter__(self) -> InMemoryStockImportSession:
        await self._db.lock.acquire()
        self._working = self._db.state(self._org_id).copy()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._working = None
        self._db.lock.release()

    async def load(self, rows: Iterable[ImportRow]) -> int:
        self._rows = list(rows)
        return len(self._rows)

    async def validate(self, mode: ImportMode, now: datetime) -> list[RowProblem]:
        state = self._state()
        items = {i.sku.lower(): i for i in state.items.values()}
        locations = {loc.code.lower(): loc for loc in state.locations.values()}
        targets = sorted(
            {
                LevelKey(items[row.sku.lower()].id, locations[row.location_code.lower()].id)
                for row in self._rows
                if row.sku.lower() in items and row.location_code.lower() in locations
            }
        )
        await self._release_expired_holds(state, targets, now)
        first_line: dict[LevelKey, int] = {}
        problems: list[RowProblem] = []
        self._keys = []
        for row in self._rows:
            item = items.get(row.sku.lower())
            location = locations.get(row.location_code.lower())
            message = _problem(mode, row, item, location)
            if item is not None and location is not None:
                key = LevelKey(item.id, location.id)
                self._keys.append(key)
                level = state.levels.get(key)
                if message is None and mode is ImportMode.COUNT:
                    on_hand = 0 if level is None else level.on_hand
                    if key in first_line:
                        message = duplicate_level(first_line[key])
                    elif level is not None and row.quantity < level.reserved:
                        message = below_reserved(row.quantity, level.reserved)
                    elif row.quantity > on_hand and (item.archived or location.archived):
                        # An archived entry takes no new stock; a count may write stock off.
                        message = (
                            archived_target("item", item.sku)
                            if item.archived
                            else archived_target("location", location.code)
                        )
                first_line.setdefault(key, row.line)
            if message is not None:
                problems.append(RowProblem(row.line, message))
        return problems

    async def apply(self, plan: ImportPlan) -> ImportSummary:
        state = self._state()
        now = plan.created_at
        lines = []
        for row, key in zip(self._rows, self._keys, strict=True):
            before = state.levels.get(key) or StockLevel.empty(key, now)
            change = (
                Receive(row.quantity) if plan.mode is ImportMode.RECEIPT else Count(row.quantity)
            )
            after = before.apply(change, now)
            state.levels[key] = after
            lines.append(
                MovementLine(
                    key.item_id, key.location_id, after.on_hand - before.on_hand, after.on_hand
                )
            )
        state.movements[plan.movement_id] = Movement(
            id=plan.movement_id,
            type=plan.mode.movement_type,
            reason=None,
            reference=plan.reference,
            note=plan.note,
            actor=plan.actor,
            created_at=now,
            lines=tuple(lines),
        )
        state.positions[plan.movement_id] = self._db.next_transaction()
        self._db.orgs[self._org_id] = state
        self._working = None
        return ImportSummary(plan.movement_id, len(lines), len(set(self._keys)))

    async def _release_expired_holds(
        self, state: OrgState, keys: list[LevelKey], now: datetime
    ) -> None:
        # Same as any write that needs a level: holds past expiry give their stock back first.
        released = await InMemoryReservations(state).release_expired_holds(keys, now)
        for key, quantity in released.by_level.items():
            state.levels[key] = state.levels[key].apply(Release(quantity), now)

    def _state(self) -> OrgState:
        if self._working is None:
            raise StorageUnavailable("the import session is not open")
        return self._working


def _problem(
    mode: ImportMode, row: ImportRow, item: Item | None, location: Location | None
) -> str | None:
    if item is None:
        return unknown_sku(row.sku)
    if location is None:
        return unknown_location(row.location_code)
    if item.tracked:
        return tracked_item(item.sku)
    if mode is ImportMode.RECEIPT and item.archived:
        return archived_target("item", item.sku)
    if mode is ImportMode.RECEIPT and location.archived:
        return archived_target("location", location.code)
    return None


class InMemoryStockImporter(StockImporter):
    """Opens import sessions on one shared in-memory database."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    def __call__(self, org_id: str) -> InMemoryStockImportSession:
        return InMemoryStockImportSession(self.db, org_id)
