"""Transfers in transit: stock shipped from one location, received at another later.

A transfer ships at once: the source's on_hand drops and every line's quantity is in transit,
counted in the destination level's ``incoming``. Receiving takes all or part of what is in
transit into the destination; cancelling returns what is still in transit to the source. Per
line, ``shipped = received + cancelled + in_transit`` always holds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain import rules
from domain.errors import InvalidTransferState, ValidationFailed, VersionMismatch
from domain.stock import Arrive, Expect, LevelKey, Return, Ship, StockChange

MAX_LINES = 500

Step = tuple[LevelKey, StockChange]


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

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received - self.cancelled


@dataclass(frozen=True, slots=True)
class ItemQuantity:
    """A quantity of one item: a line to ship, or the part of a line to receive."""

    item_id: UUID
    quantity: int


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
        """Take the parts (all that is in transit when None) into the destination."""
        self._ensure_open()
        if parts is not None and not parts:
            raise ValidationFailed(
                "name at least one line, or omit lines to receive all", field="lines"
            )
        wanted = {x.item_id: x.in_transit for x in self.lines} if parts is None else {}
        for part in parts or ():
            rules.positive(part.quantity)
            wanted[part.item_id] = wanted.get(part.item_id, 0) + part.quantity
        lines = []
        for line in self.lines:
            taking = wanted.pop(line.item_id, 0)
            if taking > line.in_transit:
                raise InvalidTransferState(
                    f"only {line.in_transit} of item {line.item_id} is in transit",
                    item_id=str(line.item_id),
                    in_transit=line.in_transit,
                )
            lines.append(replace(line, received=line.received + taking))
        if wanted:
            raise InvalidTransferState("a line names an item this transfer does not carry")
        done = all(line.in_transit == 0 for line in lines)
        status = TransferStatus.RECEIVED if done else TransferStatus.PARTIALLY_RECEIVED
        return self._changed(tuple(lines), status, now)

    def cancel(self, now: datetime) -> Transfer:
        """Return everything still in transit to the source; the transfer ends cancelled."""
        self._ensure_open()
        lines = tuple(replace(x, cancelled=x.cancelled + x.in_transit) for x in self.lines)
        return self._changed(lines, TransferStatus.CANCELLED, now)

    def shipping_steps(self) -> list[Step]:
        """Out of the source's available stock, and in transit towards the destination."""
        steps: list[Step] = []
        for line in self.lines:
            steps.append((LevelKey(line.item_id, self.from_location_id), Ship(line.shipped)))
            steps.append((LevelKey(line.item_id, self.to_location_id), Expect(line.shipped)))
        return steps

    def receiving_steps(self, before: Transfer) -> list[Step]:
        """What arrived at the destination between ``before`` and this state."""
        return [
            (LevelKey(item, self.to_location_id), Arrive(quantity))
            for item, quantity in self._moved(before, lambda x: x.received)
        ]

    def cancelling_steps(self, before: Transfer) -> list[Step]:
        """Back at the source, and no longer incoming at the destination, per cancelled line."""
        steps: list[Step] = []
        for item, quantity in self._moved(before, lambda x: x.cancelled):
            steps.append((LevelKey(item, self.from_location_id), Return(quantity)))
            steps.append((LevelKey(item, self.to_location_id), Expect(-quantity)))
        return steps

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
