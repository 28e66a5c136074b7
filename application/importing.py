"""Bulk stock import: a CSV of ``sku,location_code,quantity`` posted as ONE movement document.

Every row is checked before anything is applied; any bad row (malformed, unknown sku or
location, archived target of a receipt, duplicate level in a count, count below reserved)
is reported with its line number and nothing changes. Otherwise the whole file becomes one
receipt or count movement with one ledger line per row, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.ports import Clock, IdGenerator
from application.principal import Permission, Principal
from application.stock_csv import ImportRow, LotRow, RowProblem, StockCsv
from domain import rules
from domain.movements import Movement, MovementType


class ImportMode(StrEnum):
    """What the quantities mean: received on top of on_hand, or counted (on_hand becomes it)."""

    RECEIPT = "receipt"
    COUNT = "count"

    @property
    def movement_type(self) -> MovementType:
        return MovementType.RECEIPT if self is ImportMode.RECEIPT else MovementType.COUNT

    @property
    def permission(self) -> Permission:
        return Permission.MOVE_STOCK if self is ImportMode.RECEIPT else Permission.ADJUST_STOCK


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPlan:
    """The movement document an import posts."""

    mode: ImportMode
    movement_id: UUID
    actor: str
    reference: str | None
    note: str | None
    created_at: datetime
    new_id: Callable[[], UUID]  # ids of the events the import announces

    @property
    def movement(self) -> Movement:
        """The document's header (its lines are the adapter's, written set-based)."""
        return Movement(
            id=self.movement_id,
            type=self.mode.movement_type,
            reason=None,
            reference=self.reference,
            note=self.note,
            actor=self.actor,
            created_at=self.created_at,
            lines=(),
        )


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an applied import did."""

    movement_id: UUID
    lines: int
    levels: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Either the applied summary or every problem found (then nothing was applied)."""

    summary: ImportSummary | None
    problems: list[RowProblem] = field(default_factory=list)


# Problem texts shared by every adapter, so memory and Postgres report the same thing.
def unknown_sku(sku: str) -> str:
    return f"unknown sku {sku!r}"


def unknown_location(code: str) -> str:
    return f"unknown location {code!r}"


def archived_target(what: str, name: str) -> str:
    return f"{what} {name!r} is archived and takes no new stock"


def tracked_item(sku: str) -> str:
    return f"item {sku!r} is lot-tracked: name its lot (lot and expires_on columns)"


def untracked_lot(sku: str) -> str:
    return f"item {sku!r} does not track lots: leave its lot empty"


def serial_over_one(code: str, total: int) -> str:
    return f"serial {code!r} would hold {total} units across the org; a serial holds at most one"


@dataclass(frozen=True, slots=True)
class SerialRow:
    """A row without another problem that gives stock to a serial lot: the lot (its id, or
    ``(item_id, code in lower case)`` while new), the row's quantity and, for a count, what
    the lot holds at the row's location now."""

    line: int
    lot: UUID | tuple[UUID, str]
    code: str
    quantity: int
    on_hand_here: int


def serial_problems(
    rows: Iterable[SerialRow], org_on_hand: dict[UUID, int], receipt: bool
) -> list[RowProblem]:
    """The serial rule (a serial lot holds at most one unit across the org) over a file: each
    lot's org-wide on_hand (``org_on_hand``, read under the lot's lock) plus what the file's
    rows change it by; every row of a lot that would pass one is a problem. The one rule both
    adapters apply, so they report the same lines."""
    rows = list(rows)
    totals: dict[UUID | tuple[UUID, str], int] = {}
    for row in rows:
        start = org_on_hand.get(row.lot, 0) if isinstance(row.lot, UUID) else 0
        change = row.quantity if receipt else row.quantity - row.on_hand_here
        totals[row.lot] = totals.get(row.lot, start) + change
    return [
        RowProblem(row.line, serial_over_one(row.code, totals[row.lot]))
        for row in rows
        if totals[row.lot] > 1
    ]


def new_lot_undated(code: str) -> str:
    return f"lot {code!r} is new: give its expires_on"


def lot_date_contradicts(code: str, expires_on: object, given: object) -> str:
    return f"lot {code!r} expires on {expires_on}, not {given}"


def duplicate_lot(first_line: int) -> str:
    return f"duplicate of line {first_line} (a count lists each sku, location and lot once)"


def duplicate_level(first_line: int) -> str:
    return f"duplicate of line {first_line} (a count lists each sku and location once)"


def below_reserved(counted: int, reserved: int) -> str:
    return f"counted {counted} is below the {reserved} reserved; release or fulfil first"


class StockImportSession(Protocol):
    """One import in one transaction; rolled back on exit unless ``apply`` ran."""

    async def load(self, rows: Iterable[ImportRow]) -> int:
        """Stream ``rows`` into the import (consuming the iterable); return how many."""
        ...

    async def load_lots(self, lots: list[LotRow]) -> None:
        """The lots the loaded rows name (called only when some row names one, after
        ``load``): those rows are checked and applied in a pass of their own (ADR 0033)."""
        ...

    async def validate(self, mode: ImportMode, now: datetime) -> list[RowProblem]:
        """Resolve skus and codes, release holds expired by ``now`` on the target levels (they
        must not block a count), lock the levels, return every problem found."""
        ...

    async def apply(self, plan: ImportPlan) -> ImportSummary:
        """Post the movement, upsert the levels and commit."""
        ...

    async def __aenter__(self) -> StockImportSession: ...
    async def __aexit__(self, *exc: object) -> None: ...


class StockImporter(Protocol):
    """Opens bulk-import sessions bound to one org."""

    def __call__(self, org_id: str) -> StockImportSession: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportStock:
    """Import ``lines`` (of a UTF-8 CSV file, as bytes or text) for the principal's org as one
    movement."""

    lines: Iterable[str | bytes]
    mode: ImportMode = ImportMode.RECEIPT
    reference: str | None = None
    note: str | None = None


class ImportStockHandler:
    """Validate every row, then apply all of them as one document, or nothing."""

    def __init__(self, importer: StockImporter, clock: Clock, ids: IdGenerator) -> None:
        self.importer = importer
        self.clock = clock
        self.ids = ids

    async def __call__(self, principal: Principal, command: ImportStock) -> ImportResult:
        org_id = principal.require(command.mode.permission)
        reference = rules.optional_text(command.reference, "reference", rules.MAX_REFERENCE)
        note = rules.optional_text(command.note, "note", rules.MAX_NOTE)
        source = StockCsv(command.lines, minimum=1 if command.mode is ImportMode.RECEIPT else 0)
        async with self.importer(org_id) as session:
            loaded = await session.load(source)
            if source.lots:
                await session.load_lots(source.lots)
            if source.problems and loaded == 0:
                return ImportResult(None, sorted(source.problems))
            now = self.clock.now()
            problems = sorted(source.problems + await session.validate(command.mode, now))
            if problems:
                return ImportResult(None, problems)
            if loaded == 0:
                return ImportResult(None, [RowProblem(1, "the file has no rows")])
            plan = ImportPlan(
                mode=command.mode,
                movement_id=self.ids.new_id(),
                actor=principal.user_id,
                reference=reference,
                note=note,
                created_at=now,
                new_id=self.ids.new_id,
            )
            return ImportResult(await session.apply(plan))
