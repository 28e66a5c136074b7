"""The stock ledger: immutable movement documents and how a request turns into level changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain import rules
from domain.errors import AlreadyReversed, NotReversible, ValidationFailed
from domain.stock import (
    Adjust,
    Arrive,
    Count,
    Expect,
    LevelKey,
    Receive,
    Return,
    Ship,
    StockChange,
)

MAX_LINES = 500


class MovementType(StrEnum):
    """Kinds of ledger document."""

    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    TRANSFER_OUT = "transfer_out"  # a transfer shipped: out of the source, into transit
    TRANSFER_IN = "transfer_in"  # out of transit: received, or back at the source (cancelled)
    REVERSAL = "reversal"  # every line of another movement, negated


# What POST /v1/movements takes; the other types are written by their own use cases.
POSTABLE = frozenset(
    {
        MovementType.RECEIPT,
        MovementType.SHIPMENT,
        MovementType.TRANSFER,
        MovementType.ADJUSTMENT,
        MovementType.COUNT,
    }
)
# Transfers in transit are corrected by cancelling them; a reversal by posting the original
# again.
NOT_REVERSIBLE = frozenset(
    {MovementType.TRANSFER_OUT, MovementType.TRANSFER_IN, MovementType.REVERSAL}
)


class AdjustmentReason(StrEnum):
    """Why an adjustment was made; required on adjustments, refused elsewhere."""

    CORRECTION = "correction"
    DAMAGED = "damaged"
    LOST = "lost"
    FOUND = "found"
    EXPIRED = "expired"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class MovementLine:
    """One ledger entry: how on_hand of a level changed and what it became."""

    item_id: UUID
    location_id: UUID
    delta: int
    on_hand_after: int  # the level's, (item, location), after this line
    lot_id: UUID | None = None  # lot-tracked items only, with the lot's code
    lot_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Movement:
    """An immutable ledger document; corrections are new movements, never edits. It links to
    what wrote it (a reservation, a transfer, a count session, the movement it reverses);
    ``reversed_by`` is read from the reversal that names it."""

    id: UUID
    type: MovementType
    reason: AdjustmentReason | None
    reference: str | None
    note: str | None
    actor: str
    created_at: datetime
    lines: tuple[MovementLine, ...]
    reservation_id: UUID | None = None
    transfer_id: UUID | None = None
    count_session_id: UUID | None = None
    reverses: UUID | None = None
    reversed_by: UUID | None = None

    def reversal_steps(self) -> list[tuple[LevelKey, StockChange]]:
        """The level changes that undo every line: what came in goes out (only from
        available, never below reserved, as an adjustment), what went out comes back."""
        if self.type in NOT_REVERSIBLE:
            raise NotReversible(
                f"a {self.type.value} movement cannot be reversed"
                + (
                    "; post the original again"
                    if self.type is MovementType.REVERSAL
                    else "; cancel or receive its transfer"
                ),
                type=self.type.value,
            )
        if self.reversed_by is not None:
            raise AlreadyReversed(
                f"movement {self.id} was reversed by {self.reversed_by}",
                reversed_by=str(self.reversed_by),
            )
        return [
            (
                LevelKey(line.item_id, line.location_id),
                Adjust(-line.delta) if line.delta > 0 else Return(-line.delta),
            )
            for line in self.lines
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class LotRef:
    """The lot a line names, by id or by code; a receipt may create it (with its expiry)."""

    lot_id: UUID | None = None
    code: str | None = None
    expires_on: date | None = None

    def __post_init__(self) -> None:
        if (self.lot_id is None) == (self.code is None):
            raise ValidationFailed("name a lot by lot_id or by lot_code, not both", field="lines")
        if self.code is not None:
            rules.code(self.code, "lot_code")


@dataclass(frozen=True, slots=True)
class QuantityLine:
    """A receipt, shipment or (signed) adjustment line; ``lot`` for lot-tracked items."""

    item_id: UUID
    location_id: UUID
    quantity: int
    lot: LotRef | None = None


@dataclass(frozen=True, slots=True)
class TransferLine:
    """Moves quantity of an item between two locations in one document; ``lot`` for
    lot-tracked items (none: first-expiry-first-out at the source, ADR 0033)."""

    item_id: UUID
    from_location_id: UUID
    to_location_id: UUID
    quantity: int
    lot: LotRef | None = None


@dataclass(frozen=True, slots=True)
class CountLine:
    """A counted quantity, optionally guarded by the on_hand the counter expects."""

    item_id: UUID
    location_id: UUID
    counted: int
    expected_on_hand: int | None = None
    lot: LotRef | None = None  # lot-tracked items: the lot counted (ADR 0032)


RequestLine = QuantityLine | TransferLine | CountLine


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementRequest:
    """What a client asks the ledger to record, validated on construction."""

    type: MovementType
    lines: tuple[RequestLine, ...]
    reason: AdjustmentReason | None = None
    reference: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.type not in POSTABLE:
            raise ValidationFailed(
                f"{self.type.value} movements are not posted directly", field="type"
            )
        if not 1 <= len(self.lines) <= MAX_LINES:
            raise ValidationFailed(f"a movement needs 1 to {MAX_LINES} lines", field="lines")
        if (self.type is MovementType.ADJUSTMENT) != (self.reason is not None):
            raise ValidationFailed(
                "reason is required for adjustments and only for them", field="reason"
            )
        # Kept as every document keeps them (reservations too): trimmed, blank as None.
        reference = rules.optional_text(self.reference, "reference", rules.MAX_REFERENCE)
        object.__setattr__(self, "reference", reference)  # frozen: set once, on construction
        object.__setattr__(self, "note", rules.optional_text(self.note, "note", rules.MAX_NOTE))
        expected = {
            MovementType.TRANSFER: TransferLine,
            MovementType.COUNT: CountLine,
        }.get(self.type, QuantityLine)
        if not all(type(line) is expected for line in self.lines):
            raise ValidationFailed(f"{self.type.value} lines have the wrong shape", field="lines")
        for line in self.lines:
            _validate_line(self.type, line)
        if self.type is MovementType.COUNT:
            keys = [_count_key(line) for line in self.lines]  # type: ignore[arg-type]
            if len(set(keys)) != len(keys):
                raise ValidationFailed(
                    "a count may list each item and location (and lot) once", field="lines"
                )

    def lot_refs(self) -> list[LotRef | None]:
        """The lot each step names, aligned with ``steps`` (None: no lot named)."""
        refs: list[LotRef | None] = []
        for line in self.lines:
            if isinstance(line, TransferLine):
                refs += [line.lot, line.lot]  # out of the lot at the source, into it there
            else:
                refs.append(line.lot)
        return refs

    def steps(self) -> list[tuple[LevelKey, StockChange]]:
        """The level changes, in ledger order (a transfer yields out, then in)."""
        out: list[tuple[LevelKey, StockChange]] = []
        for line in self.lines:
            match line:
                case TransferLine(item, source, destination, quantity):
                    out.append((LevelKey(item, source), Ship(quantity)))
                    out.append((LevelKey(item, destination), Receive(quantity)))
                case CountLine(item, location, counted, expected, _):
                    out.append((LevelKey(item, location), Count(counted, expected)))
                case QuantityLine(item, location, quantity, _):
                    out.append((LevelKey(item, location), _quantity_change(self.type, quantity)))
        return out


def _count_key(line: CountLine) -> tuple[UUID, UUID, object]:
    """A count line's position: its level, and the lot it names (by id or by code)."""
    lot = line.lot
    named = None if lot is None else (lot.lot_id or (lot.code or "").lower())
    return (line.item_id, line.location_id, named)


def adds_stock(change: StockChange) -> bool:
    """True for changes that bring new stock in, in transit included (refused on archived
    items or locations). Stock that comes back (``Return``) is not new."""
    return isinstance(change, Receive | Arrive) or (
        isinstance(change, Adjust | Expect) and change.delta > 0
    )


def _quantity_change(kind: MovementType, quantity: int) -> StockChange:
    if kind is MovementType.RECEIPT:
        return Receive(quantity)
    if kind is MovementType.SHIPMENT:
        return Ship(quantity)
    return Adjust(quantity)


def _validate_line(kind: MovementType, line: RequestLine) -> None:
    match line:
        case TransferLine(_, source, destination, quantity):
            rules.positive(quantity)
            if source == destination:
                raise ValidationFailed("a transfer needs two different locations", field="lines")
        case CountLine(_, _, counted, expected, _):
            rules.non_negative(counted, "counted")
            if expected is not None:
                rules.non_negative(expected, "expected_on_hand")
        case QuantityLine(_, _, quantity, _):
            if kind is MovementType.ADJUSTMENT:
                rules.non_zero(quantity)
            else:
                rules.positive(quantity)
