"""In-memory bulk import: the same rows through the same rules as the Postgres importer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID, uuid4

from adapters.memory.events import InMemoryEvents
from adapters.memory.import_announcer import announce
from adapters.memory.ledger import InMemoryReservations
from adapters.memory.lots import InMemoryLots
from adapters.memory.state import InMemoryDatabase, OrgState
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
from application.ports import ExpiredHolds
from application.stock_csv import ImportRow, LotRow, RowProblem
from domain.catalog import Item, Location
from domain.lot_holds import HoldInLots
from domain.lots import Lot, LotPosition, Tracking
from domain.movements import MovementLine
from domain.stock import Count, LevelKey, Receive, Release, StockLevel


class InMemoryStockImportSession(StockImportSession):
    """Holds the database lock; publishes the working copy only when ``apply`` succeeds."""

    def __init__(self, db: InMemoryDatabase, org_id: str) -> None:
        self._db = db
        self._org_id = org_id
        self._rows: list[ImportRow] = []
        self._keys: list[LevelKey] = []
        self._lot_rows: dict[int, LotRow] = {}
        self._in_lots: list[_InLot] = []
        self._working: OrgState | None = None
        self._released: ExpiredHolds | None = None  # holds past expiry validate released

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

    async def load_lots(self, lots: list[LotRow]) -> None:
        self._lot_rows = {lot.line: lot for lot in lots}

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
        rows = self._rows
        if self._lot_rows:
            problems += await self._validate_lots(state, mode, items, locations)
            rows = [row for row in self._rows if row.line not in self._lot_rows]
        for row in rows:
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
        # Each target level's on_hand before the import (its events say how far it moved).
        before_on_hand = {
            key: (state.levels[key].on_hand if key in state.levels else 0)
            for key in [*self._keys, *(entry.key for entry in self._in_lots)]
        }
        rows = [r for r in self._rows if r.line not in self._lot_rows]
        for row, key in zip(rows, self._keys, strict=True):
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
        levels = len(set(self._keys))
        if self._in_lots:
            lines += self._apply_lots(state, plan)
            levels += len({line.key for line in self._in_lots})
        state.movements[plan.movement_id] = replace(plan.movement, lines=tuple(lines))
        transaction = self._db.next_transaction()
        state.positions[plan.movement_id] = transaction
        outbox = InMemoryEvents(state, transaction, self._db.next_sequence)
        announce(outbox, state, plan, len(lines), before_on_hand, self._released)
        self._db.orgs[self._org_id] = state
        self._working = None
        return ImportSummary(plan.movement_id, len(lines), levels)

    async def _validate_lots(
        self,
        state: OrgState,
        mode: ImportMode,
        items: dict[str, Item],
        locations: dict[str, Location],
    ) -> list[RowProblem]:
        """The rows that name a lot (ADR 0033): the lot is the item's, by code ignoring case; a
        new one takes the date of the first row that gives one."""
        lots = {(lot.item_id, lot.code.lower()): lot for lot in state.lots.values()}
        dates: dict[tuple[UUID, str], tuple[date, str]] = {}
        for row in self._rows:
            named = self._lot_rows.get(row.line)
            item = items.get(row.sku.lower())
            if named is not None and item is not None and named.expires_on is not None:
                dates.setdefault((item.id, named.lot.lower()), (named.expires_on, named.lot))
        problems: list[RowProblem] = []
        serials: list[SerialRow] = []
        first_line: dict[tuple[LevelKey, str], int] = {}
        self._in_lots = []
        for row in self._rows:
            named = self._lot_rows.get(row.line)
            if named is None:
                continue
            item = items.get(row.sku.lower())
            location = locations.get(row.location_code.lower())
            message = _lot_catalog_problem(mode, row, item, location)
            if message is None:
                assert item is not None  # noqa: S101
                assert location is not None  # noqa: S101
                key = LevelKey(item.id, location.id)
                lot = lots.get((item.id, named.lot.lower()))
                dated, code = dates.get((item.id, named.lot.lower()), (None, named.lot))
                message = _lot_date_problem(named, lot, dated)
                on_hand, reserved = _position(state, key, lot)
                if message is None and mode is ImportMode.COUNT:
                    twin = first_line.setdefault((key, named.lot.lower()), row.line)
                    if twin != row.line:
                        message = duplicate_lot(twin)
                    elif row.quantity < reserved:
                        message = below_reserved(row.quantity, reserved)
                    elif row.quantity > on_hand and (item.archived or location.archived):
                        message = (
                            archived_target("item", item.sku)
                            if item.archived
                            else archived_target("location", location.code)
                        )
                self._in_lots.append(_InLot(row, key, code, lot, dated))
                if message is None and item.tracking is Tracking.SERIAL:
                    place = lot.id if lot is not None else (item.id, named.lot.lower())
                    name = lot.code if lot is not None else code
                    serials.append(SerialRow(row.line, place, name, row.quantity, on_hand))
            if message is not None:
                problems.append(RowProblem(row.line, message))
        if serials:  # each lot's units across the org, in transit included (ADR 0034)
            ids = [row.lot for row in serials if isinstance(row.lot, UUID)]
            org_on_hand = await InMemoryLots(state).lock_totals(ids)
            problems += serial_problems(serials, org_on_hand, mode is ImportMode.RECEIPT)
        return problems

    def _apply_lots(self, state: OrgState, plan: ImportPlan) -> list[MovementLine]:
        """Each row into its lot (created if new) and its level, in file order."""
        now = plan.created_at
        created: dict[tuple[UUID, str], Lot] = {}
        lines = []
        for entry in self._in_lots:
            lot = entry.lot or created.get((entry.key.item_id, entry.code.lower()))
            if lot is None:
                lot = Lot.create(
                    id=uuid4(),
                    item_id=entry.key.item_id,
                    code=entry.code,
                    expires_on=entry.expires_on,
                    now=now,
                )
                created[entry.key.item_id, entry.code.lower()] = lot
                state.lots[lot.id] = lot
            positions = state.lot_levels.setdefault(entry.key, {})
            before = positions.get(lot.id) or LotPosition(lot, 0)
            receipt = plan.mode is ImportMode.RECEIPT
            delta = entry.row.quantity if receipt else entry.row.quantity - before.on_hand
            positions[lot.id] = replace(before, on_hand=before.on_hand + delta)
            level = state.levels.get(entry.key) or StockLevel.empty(entry.key, now)
            level = replace(
                level, on_hand=level.on_hand + delta, version=level.version + 1, updated_at=now
            )
            state.levels[entry.key] = level
            lines.append(
                MovementLine(
                    entry.key.item_id,
                    entry.key.location_id,
                    delta,
                    level.on_hand,
                    lot_id=lot.id,
                    lot_code=lot.code,
                )
            )
        return lines

    async def _release_expired_holds(
        self, state: OrgState, keys: list[LevelKey], now: datetime
    ) -> None:
        # Same as any write that needs a level: holds past expiry give their stock back first.
        released = await InMemoryReservations(state).release_expired_holds(keys, now)
        self._released = released
        for key, quantity in released.by_level.items():
            # What lots held goes back to those lots with the level (ADR 0031).
            holds = released.holds_at(key)
            in_lots = sum(hold.quantity for hold in holds)
            if in_lots:
                step = HoldInLots(Release(in_lots), holds=tuple(holds))
                await InMemoryLots(state).hold(key, step, now)
            if quantity - in_lots:
                state.levels[key] = state.levels[key].apply(Release(quantity - in_lots), now)

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


@dataclass(frozen=True, slots=True)
class _InLot:
    """A valid row that names a lot: its level, the lot's code, the lot if it exists, and the
    date a new lot takes."""

    row: ImportRow
    key: LevelKey
    code: str
    lot: Lot | None
    expires_on: date | None


def _position(state: OrgState, key: LevelKey, lot: Lot | None) -> tuple[int, int]:
    """The lot's (on_hand, reserved) at the level; a new lot holds nothing."""
    found = None if lot is None else state.lot_levels.get(key, {}).get(lot.id)
    return (0, 0) if found is None else (found.on_hand, found.reserved)


def _lot_catalog_problem(
    mode: ImportMode, row: ImportRow, item: Item | None, location: Location | None
) -> str | None:
    if item is None:
        return unknown_sku(row.sku)
    if location is None:
        return unknown_location(row.location_code)
    if not item.tracked:
        return untracked_lot(item.sku)
    if mode is ImportMode.RECEIPT and item.archived:
        return archived_target("item", item.sku)
    if mode is ImportMode.RECEIPT and location.archived:
        return archived_target("location", location.code)
    return None


def _lot_date_problem(named: LotRow, lot: Lot | None, dated: date | None) -> str | None:
    if lot is not None:
        if named.expires_on is not None and named.expires_on != lot.expires_on:
            return lot_date_contradicts(lot.code, lot.expires_on, named.expires_on)
        return None
    if dated is None:
        return new_lot_undated(named.lot)
    if named.expires_on is not None and named.expires_on != dated:
        return lot_date_contradicts(named.lot, dated, named.expires_on)
    return None


class InMemoryStockImporter(StockImporter):
    """Opens import sessions on one shared in-memory database."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    def __call__(self, org_id: str) -> InMemoryStockImportSession:
        return InMemoryStockImportSession(self.db, org_id)
