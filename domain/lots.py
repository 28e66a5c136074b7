"""Lots and expiry dates (ADRs 0024-0026): what a tracked item's stock is made of.

A tracked item's positions are (item, location, lot); its stock level per (item, location)
stays the aggregate, the sum of its lots. ``apply_in_lots`` is the one definition of what a
change does to the lots of one level; both adapters call it under the level's lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain import rules
from domain.errors import (
    CountMismatch,
    InsufficientStock,
    LotExpired,
    ReservedStockConflict,
    ValidationFailed,
)
from domain.stock import (
    Adjust,
    Arrive,
    Count,
    LevelKey,
    Receive,
    Recount,
    Return,
    Ship,
    StockLevel,
)


class Tracking(StrEnum):
    """How an item's stock is told apart: not at all, by lot, or by serial (a lot of one)."""

    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"


def tracking(value: str) -> Tracking:
    """A tracking mode from its name, or the 422 that lists the names."""
    try:
        return Tracking(value)
    except ValueError:
        names = ", ".join(t.value for t in Tracking)
        raise ValidationFailed(f"tracking must be one of {names}", field="tracking") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class Lot:
    """A batch of one item: a code unique per item ignoring case, and an optional expiry."""

    id: UUID
    item_id: UUID
    code: str
    expires_on: date | None
    created_at: datetime

    @classmethod
    def create(
        cls, *, id: UUID, item_id: UUID, code: str, expires_on: date | None, now: datetime
    ) -> Lot:
        return cls(
            id=id,
            item_id=item_id,
            code=rules.code(code, "lot_code"),
            expires_on=expires_on,
            created_at=now,
        )

    def is_expired(self, today: date) -> bool:
        """Expired once its date has passed (expires_on < today, in UTC)."""
        return self.expires_on is not None and self.expires_on < today

    def fefo_key(self) -> tuple[bool, date, str, str]:
        """First expiry first out: earliest date, no date last, then code (then id)."""
        return (
            self.expires_on is None,
            self.expires_on or date.max,
            self.code.lower(),
            str(self.id),
        )


def today_of(now: datetime) -> date:
    """The UTC date that decides expiry (``now`` comes from the Clock port, always UTC)."""
    return now.date()


@dataclass(frozen=True, slots=True)
class LotPosition:
    """How much of a lot is at one location, and how much of that is held."""

    lot: Lot
    on_hand: int
    reserved: int = 0

    def available(self, today: date) -> int:
        """What may be shipped or reserved: nothing once the lot has expired."""
        return 0 if self.lot.is_expired(today) else self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class InLot:
    """A level change of a tracked item, in the lot named (``lot``) or, for a shipment of no
    lot, in the lots first-expiry-first-out picks (``lot`` None). A count sets the lot's
    on_hand and the level moves by the same delta; a reversal's ``Return`` gives a lot back
    what left it (ADR 0032), as a cancelled transfer's does; ``Arrive`` receives a transfer
    into the lot it was shipped out of (ADR 0034)."""

    change: Receive | Ship | Adjust | Count | Recount | Return | Arrive
    lot: Lot | None


@dataclass(frozen=True, slots=True)
class LotMove:
    """What one lot of a level gained or lost, and what it holds after."""

    lot: Lot
    delta: int
    on_hand_after: int


@dataclass(frozen=True, slots=True)
class LotFigures:
    """A level's expiry figures: on_hand in expired lots, and of that what nothing holds
    (``StockLevel.available`` leaves it out)."""

    expired: int = 0
    expired_unreserved: int = 0


def figures(positions: dict[UUID, LotPosition], today: date) -> LotFigures:
    expired = [p for p in positions.values() if p.lot.is_expired(today)]
    return LotFigures(sum(p.on_hand for p in expired), sum(p.on_hand - p.reserved for p in expired))


def fefo(
    key: LevelKey, positions: dict[UUID, LotPosition], quantity: int, today: date
) -> list[tuple[Lot, int]]:
    """The unexpired lots a quantity comes from, earliest expiry first, split as needed; all
    or nothing (insufficient_stock with what the unexpired lots have)."""
    picks: list[tuple[Lot, int]] = []
    wanted = quantity
    for position in sorted(positions.values(), key=lambda p: p.lot.fefo_key()):
        take = min(wanted, position.available(today))
        if take > 0:
            picks.append((position.lot, take))
            wanted -= take
        if wanted == 0:
            return picks
    available = quantity - wanted
    raise InsufficientStock(
        f"requested {quantity}, available {available} in unexpired lots",
        lines=[_line(key, requested=quantity, available=available)],
    )


def apply_in_lots(
    level: StockLevel,
    positions: dict[UUID, LotPosition],
    step: InLot,
    now: datetime,
) -> tuple[StockLevel, dict[UUID, LotPosition], list[LotMove]]:
    """The level and its lots after ``step``, with each lot's move, or the refusal."""
    today = today_of(now)
    change = step.change
    level_change: Receive | Ship | Adjust | Count | Recount | Return | Arrive = change
    if isinstance(change, Ship) and step.lot is None:
        picks = fefo(level.key, positions, change.quantity, today)
    else:
        if step.lot is None:  # the use case names a lot for everything but a shipment
            raise ValidationFailed("a lot is required for this line", field="lot_code")
        position = positions.get(step.lot.id) or LotPosition(step.lot, 0)
        if isinstance(change, Ship):
            ensure_shippable(level.key, position, change.quantity, today)
            picks = [(step.lot, change.quantity)]
        elif isinstance(change, Receive | Return | Arrive):  # an expired lot may arrive
            picks = [(step.lot, -change.quantity)]
        elif isinstance(change, Count | Recount):
            delta = _counted_delta(level.key, position, change)
            picks = [(step.lot, -delta)]
            level_change = Recount(delta)  # the level moves by the lot's delta
        else:
            _ensure_adjustable(level.key, position, change.delta)
            picks = [(step.lot, -change.delta)]
    after = dict(positions)
    moves: list[LotMove] = []
    for lot, taken in picks:
        before = after.get(lot.id) or LotPosition(lot, 0)
        after[lot.id] = replace(before, lot=lot, on_hand=before.on_hand - taken)
        moves.append(LotMove(lot, -taken, after[lot.id].on_hand))
    new_level = level.apply(level_change, now)
    lot_figures = figures(after, today)
    new_level = replace(
        new_level,
        expired=lot_figures.expired,
        expired_unreserved=lot_figures.expired_unreserved,
    )
    return new_level, after, moves


def ensure_shippable(key: LevelKey, position: LotPosition, quantity: int, today: date) -> None:
    if position.lot.is_expired(today):
        raise LotExpired(
            f"lot {position.lot.code} expired on {position.lot.expires_on}; write it off",
            lot_id=str(position.lot.id),
            lot_code=position.lot.code,
            expires_on=str(position.lot.expires_on),
        )
    available = position.available(today)
    if quantity > available:
        raise InsufficientStock(
            f"requested {quantity}, available {available} in lot {position.lot.code}",
            lines=[
                _line(key, requested=quantity, available=available, lot_id=str(position.lot.id))
            ],
        )


def _counted_delta(key: LevelKey, position: LotPosition, change: Count | Recount) -> int:
    """What a count moves the lot by: to ``counted`` (guarded by the lot's expected on_hand),
    or a session's counted minus snapshot; never below what the lot holds reserved."""
    if isinstance(change, Count):
        if change.expected_on_hand is not None and change.expected_on_hand != position.on_hand:
            raise CountMismatch(
                f"lot {position.lot.code} holds {position.on_hand}, not the expected "
                f"{change.expected_on_hand}",
                expected_on_hand=change.expected_on_hand,
                on_hand=position.on_hand,
                **_line(key, lot_id=str(position.lot.id)),
            )
        delta = change.counted - position.on_hand
    else:
        delta = change.delta
    resulting = position.on_hand + delta
    if resulting < position.reserved:
        raise ReservedStockConflict(
            f"lot {position.lot.code} would hold {resulting}, below the {position.reserved} "
            "reserved; release or fulfil reservations first",
            reserved=position.reserved,
            positions=[
                {
                    **_line(key, lot_id=str(position.lot.id)),
                    "reserved": position.reserved,
                    "resulting_on_hand": resulting,
                }
            ],
        )
    return delta


def _ensure_adjustable(key: LevelKey, position: LotPosition, delta: int) -> None:
    # An adjustment may write off an expired lot: only what is held stays.
    resulting = position.on_hand + delta
    if delta < 0 and resulting < 0:
        raise InsufficientStock(
            f"requested {-delta}, lot {position.lot.code} holds {position.on_hand}",
            lines=[
                _line(
                    key,
                    requested=-delta,
                    available=position.on_hand - position.reserved,
                    lot_id=str(position.lot.id),
                )
            ],
        )
    if resulting < position.reserved:
        raise ReservedStockConflict(
            f"lot {position.lot.code} would hold {resulting}, below the {position.reserved} "
            "reserved; release or fulfil reservations first",
            reserved=position.reserved,
            positions=[
                {
                    **_line(key, lot_id=str(position.lot.id)),
                    "reserved": position.reserved,
                    "resulting_on_hand": resulting,
                }
            ],
        )


def _line(key: LevelKey, **extra: object) -> dict[str, object]:
    return {"item_id": str(key.item_id), "location_id": str(key.location_id), **extra}
