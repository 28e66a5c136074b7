"""Bulk stock import: a CSV of ``sku,location_code,quantity`` posted as ONE movement document.

Every row is checked before anything is applied; any bad row (malformed, unknown sku or
location, archived target of a receipt, duplicate level in a count, count below reserved)
is reported with its line number and nothing changes. Otherwise the whole file becomes one
receipt or count movement with one ledger line per row, all or nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.ports import Clock, IdGenerator
from application.principal import Permission, Principal
from domain import rules
from domain.movements import MovementType

HEADER = ("sku", "location_code", "quantity")


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


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One well-formed CSV row; ``line`` is its 1-based line number in the file."""

    line: int
    sku: str
    location_code: str
    quantity: int


@dataclass(frozen=True, slots=True, order=True)
class RowProblem:
    """Why one line of the file cannot be imported."""

    line: int
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPlan:
    """The movement document an import posts."""

    mode: ImportMode
    movement_id: UUID
    actor: str
    reference: str | None
    note: str | None
    created_at: datetime


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


def duplicate_level(first_line: int) -> str:
    return f"duplicate of line {first_line} (a count lists each sku and location once)"


def below_reserved(counted: int, reserved: int) -> str:
    return f"counted {counted} is below the {reserved} reserved; release or fulfil first"


class StockImportSession(Protocol):
    """One import in one transaction; rolled back on exit unless ``apply`` ran."""

    async def load(self, rows: Iterable[ImportRow]) -> int:
        """Stream ``rows`` into the import (consuming the iterable); return how many."""
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


class StockCsv:
    """Streams well-formed rows from CSV text lines; malformed ones land in ``problems``."""

    def __init__(self, lines: Iterable[str], mode: ImportMode) -> None:
        self._lines = lines
        self._minimum = 1 if mode is ImportMode.RECEIPT else 0
        self.problems: list[RowProblem] = []

    def __iter__(self) -> Iterator[ImportRow]:
        reader = csv.reader(self._lines)
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != HEADER:
            self.problems.append(RowProblem(1, f"the header must be {','.join(HEADER)}"))
            return
        for fields in reader:
            line = reader.line_num
            if not fields or fields == [""]:
                continue  # blank lines are allowed anywhere
            row = self._row(line, fields)
            if row is not None:
                yield row

    def _row(self, line: int, fields: list[str]) -> ImportRow | None:
        if len(fields) != len(HEADER):
            self.problems.append(RowProblem(line, f"expected 3 fields, found {len(fields)}"))
            return None
        sku, code, raw = (f.strip() for f in fields)
        if not sku or not code:
            self.problems.append(RowProblem(line, "sku and location_code are required"))
            return None
        try:
            quantity = int(raw)
        except ValueError:
            self.problems.append(RowProblem(line, f"quantity {raw!r} is not an integer"))
            return None
        if not self._minimum <= quantity <= rules.MAX_QUANTITY:
            self.problems.append(
                RowProblem(
                    line, f"quantity must be {self._minimum}..{rules.MAX_QUANTITY}, got {quantity}"
                )
            )
            return None
        return ImportRow(line, sku, code, quantity)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportStock:
    """Import ``lines`` (CSV text) for the principal's org as one movement."""

    lines: Iterable[str]
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
        source = StockCsv(command.lines, command.mode)
        async with self.importer(org_id) as session:
            loaded = await session.load(source)
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
            )
            return ImportResult(await session.apply(plan))
