"""Transfers in transit: stock shipped from one location, received at another later.

A transfer ships at once: the source's on_hand drops and every line's quantity is in transit,
counted in the destination level's ``incoming``. Receiving takes all or part of what is in
transit into the destination; cancelling returns what is still in transit to the source. Per
line, ``shipped = received + cancelled + in_transit`` always holds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain import rules
from domain.errors import InvalidTransferState, ValidationFailed, VersionMismatch
from domain.lots import InLot, Lot
from domain.movements import LotRef
from domain.stock import Arrive, Expect, LevelKey, Return, Ship, StockChange
from domain.transit_lots import (
    LotPart,
    TransitLot,
    cancel_lots,
    moved_lots,
    receive_lots,
    untracked_part,
)

MAX_LINES = 500

Step = tuple[LevelKey, StockChange | InLot]
# Fields added for lots (ADR 0034) are left out of fingerprints and stored results while unset.
_OMITTED = {"codec_omit_default": True}


class TransferStatus(StrEnum):
    """``in_transit`` and ``partially_received`` are open; the others are final."""

    IN_TRANSIT = "in_transit"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TransitLine:
    """One item of a transfer: how much shipped, and what became of it so far."""

    item_id: UUID
    shipped: int
    received: int = 0
    cancelled: int = 0
    # A lot-tracked item's line: the lots shipped, their figures adding up to the line's.
    lots: tuple[TransitLot, ...] = field(default=(), metadata=_OMITTED)

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received - self.cancelled


@dataclass(frozen=True, slots=True)
class ItemQuantity:
    """A quantity of one item: a line to ship, or the part of a line to receive."""

    item_id: UUID
    quantity: int
    lot: LotRef | None = field(default=None, metadata=_OMITTED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer:
    """Stock on its way from one location to another; its lines are distinct items."""

    id: UUID
    from_location_id: UUID
    to_location_id: UUID
    reference: str | None
    note: str | None
    status: TransferStatus
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int
    lines: tuple[TransitLine, ...]

    @classmethod
    def ship(
        cls,
        *,
        id: UUID,
        from_location_id: UUID,
        to_location_id: UUID,
        lines: tuple[ItemQuantity, ...],
        reference: str | None,
        note: str | None,
        created_by: str,
        now: datetime,
    ) -> Transfer:
        """A new transfer with every line in transit; the caller ships the stock in the same
        unit of work (``shipping_steps``)."""
        if from_location_id == to_location_id:
            raise ValidationFailed("a transfer needs two different locations", field="lines")
        if not 1 <= len(lines) <= MAX_LINES:
            raise ValidationFailed(f"a transfer needs 1 to {MAX_LINES} lines", field="lines")
        items = [line.item_id for line in lines]
        if len(set(items)) != len(items):
            raise ValidationFailed("each item may appear once", field="lines")
        return cls(
            id=id,
            from_location_id=from_location_id,
            to_location_id=to_location_id,
            reference=rules.optional_text(reference, "reference", rules.MAX_REFERENCE),
            note=rules.optional_text(note, "note", rules.MAX_NOTE),
            status=TransferStatus.IN_TRANSIT,
            created_by=created_by,
            created_at=now,
            updated_at=now,
            version=1,
            lines=tuple(TransitLine(x.item_id, rules.positive(x.quantity)) for x in lines),
        )

    @property
    def is_open(self) -> bool:
        return self.status in (TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED)

    def check_version(self, expected: Collection[int] | None) -> None:
        """Refuse a change made against a stale version: unless ``expected`` is None (no
        If-Match, or ``*``), the current version must be one of those it names."""
        if expected is not None and self.version not in expected:
            raise VersionMismatch(
                f"the current version is {self.version}, not one that If-Match names",
                current_version=self.version,
            )

    def receive(self, parts: tuple[ItemQuantity, ...] | None, now: datetime) -> Transfer:
        """Take the parts (all that is in transit when None) into the destination; a line of
        lots takes each part from the lot it names, else earliest expiry first (ADR 0034)."""
        self._ensure_open()
        if parts is not None and not parts:
            raise ValidationFailed(
                "name at least one line, or omit lines to receive all", field="lines"
            )
        wanted = {x.item_id: x.in_transit for x in self.lines} if parts is None else {}
        by_item: dict[UUID, list[LotPart]] = {}
        first_index: dict[UUID, int] = {}
        for index, part in enumerate(parts or ()):
            rules.positive(part.quantity)
            wanted[part.item_id] = wanted.get(part.item_id, 0) + part.quantity
            by_item.setdefault(part.item_id, []).append(LotPart(part.quantity, part.lot))
            first_index.setdefault(part.item_id, index)
        lines = []
        for line in self.lines:
            taking = wanted.pop(line.item_id, 0)
            lot_parts = by_item.get(line.item_id, [LotPart(taking)] if taking else [])
            if not line.lots:
                untracked_part(line.item_id, lot_parts, first_index.get(line.item_id, 0))
            if taking > line.in_transit:
                raise InvalidTransferState(
                    f"only {line.in_transit} of item {line.item_id} is in transit",
                    item_id=str(line.item_id),
                    in_transit=line.in_transit,
                )
            lots = receive_lots(line.item_id, line.lots, lot_parts) if line.lots else ()
            lines.append(replace(line, received=line.received + taking, lots=lots))
        if wanted:
            raise InvalidTransferState("a line names an item this transfer does not carry")
        done = all(line.in_transit == 0 for line in lines)
        status = TransferStatus.RECEIVED if done else TransferStatus.PARTIALLY_RECEIVED
        return self._changed(tuple(lines), status, now)

    def cancel(self, now: datetime) -> Transfer:
        """Return everything still in transit to the source; the transfer ends cancelled."""
        self._ensure_open()
        lines = tuple(
            replace(x, cancelled=x.cancelled + x.in_transit, lots=cancel_lots(x.lots))
            for x in self.lines
        )
        return self._changed(lines, TransferStatus.CANCELLED, now)

    def with_shipped_lots(self, shipped: dict[UUID, list[tuple[Lot, int]]]) -> Transfer:
        """The new transfer with the lots each tracked line was shipped out of (the shipment
        decides them under the source level's lock, first-expiry-first-out or as named)."""
        lines = []
        for line in self.lines:
            picks = shipped.get(line.item_id)
            if picks:
                merged: dict[UUID, TransitLot] = {}
                for lot, quantity in picks:
                    was = merged.get(lot.id)
                    merged[lot.id] = TransitLot(lot, quantity + (was.shipped if was else 0))
                if sum(t.shipped for t in merged.values()) != line.shipped:
                    raise AssertionError("the lots shipped must add up to the line")
                line = replace(line, lots=tuple(merged.values()))
            lines.append(line)
        return replace(self, lines=tuple(lines))

    def with_lot(self, lot: Lot) -> Transfer:
        """The same transfer reading ``lot`` as it is now (its expiry date may change)."""
        lines = tuple(
            replace(x, lots=tuple(replace(t, lot=lot) if t.lot.id == lot.id else t for t in x.lots))
            for x in self.lines
        )
        return replace(self, lines=lines)

    def shipping_steps(self) -> list[tuple[LevelKey, StockChange]]:
        """Out of the source's available stock, and in transit towards the destination."""
        steps: list[tuple[LevelKey, StockChange]] = []
        for line in self.lines:
            steps.append((LevelKey(line.item_id, self.from_location_id), Ship(line.shipped)))
            steps.append((LevelKey(line.item_id, self.to_location_id), Expect(line.shipped)))
        return steps

    def receiving_steps(self, before: Transfer) -> list[Step]:
        """What arrived at the destination between ``before`` and this state: a line of lots
        arrives into the same lots, one step per lot."""
        steps: list[Step] = []
        for item, quantity in self._moved(before, lambda x: x.received):
            key = LevelKey(item, self.to_location_id)
            lots = self._lots_moved(before, item, received=True)
            if not lots:
                steps.append((key, Arrive(quantity)))
            steps += [(key, InLot(Arrive(q), lot)) for lot, q in lots]
        return steps

    def cancelling_steps(self, before: Transfer) -> list[Step]:
        """Back at the source (into the same lots), and no longer incoming at the
        destination, per cancelled line."""
        steps: list[Step] = []
        for item, quantity in self._moved(before, lambda x: x.cancelled):
            source = LevelKey(item, self.from_location_id)
            lots = self._lots_moved(before, item, received=False)
            if not lots:
                steps.append((source, Return(quantity)))
            steps += [(source, InLot(Return(q), lot)) for lot, q in lots]
            steps.append((LevelKey(item, self.to_location_id), Expect(-quantity)))
        return steps

    def _lots_moved(self, before: Transfer, item: UUID, received: bool) -> list[tuple[Lot, int]]:
        after = next(x for x in self.lines if x.item_id == item)
        old = next(x for x in before.lines if x.item_id == item)
        return moved_lots(after.lots, old.lots, received)

    def _moved(self, before: Transfer, get: Callable[[TransitLine], int]) -> list[tuple[UUID, int]]:
        old = {line.item_id: line for line in before.lines}
        return [
            (line.item_id, get(line) - get(old[line.item_id]))
            for line in self.lines
            if get(line) != get(old[line.item_id])
        ]

    def _changed(
        self, lines: tuple[TransitLine, ...], status: TransferStatus, now: datetime
    ) -> Transfer:
        return replace(self, lines=lines, status=status, version=self.version + 1, updated_at=now)

    def _ensure_open(self) -> None:
        if not self.is_open:
            raise InvalidTransferState(
                f"transfer {self.id} is {self.status.value}", status=self.status.value
            )
