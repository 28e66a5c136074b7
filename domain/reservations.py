"""Reservations: stock held for an order until fulfilled, released or expired."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain import rules
from domain.errors import InvalidTransition, ValidationFailed
from domain.lot_holds import LotHold
from domain.lots import Lot
from domain.stock import LevelKey

# Left out of fingerprints and stored results while unset (application/codec.py): untracked
# requests and results keep the form they had before lots (ADR 0031).
_UNSET_OMITTED = {"codec_omit_default": True}

MAX_LINES = 500
MAX_TTL_SECONDS = 366 * 24 * 3600


class ReservationStatus(StrEnum):
    """``active`` is the only non-terminal state."""

    ACTIVE = "active"
    FULFILLED = "fulfilled"
    RELEASED = "released"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class LineLot:
    """The part of a reservation line held in one lot (ADR 0031), in pick order on the line."""

    lot: Lot
    quantity: int
    fulfilled: int = 0
    released: int = 0

    @property
    def open(self) -> int:
        return self.quantity - self.fulfilled - self.released


@dataclass(frozen=True, slots=True)
class ReservationLine:
    """A held quantity of an item at a location; ``quantity = open + fulfilled + released``.

    A line of a lot-tracked item records the lots that hold it (``lots``, in pick order, their
    quantities adding up to the line's); an untracked line has none."""

    item_id: UUID
    location_id: UUID
    quantity: int
    fulfilled: int = 0
    released: int = 0
    lots: tuple[LineLot, ...] = field(default=(), metadata=_UNSET_OMITTED)

    @property
    def key(self) -> LevelKey:
        return LevelKey(self.item_id, self.location_id)

    @property
    def open(self) -> int:
        return self.quantity - self.fulfilled - self.released

    def open_holds(self) -> list[LotHold]:
        """What each lot still holds of this line, in pick order."""
        return [LotHold(part.lot, part.open) for part in self.lots if part.open]

    def settled_holds(self, before: ReservationLine) -> list[LotHold]:
        """What each lot gave up between ``before`` and this state, in pick order."""
        old = {part.lot.id: part.open for part in before.lots}
        return [
            LotHold(part.lot, old[part.lot.id] - part.open)
            for part in self.lots
            if old[part.lot.id] != part.open
        ]

    def with_holds(self, holds: list[LotHold]) -> ReservationLine:
        """This new line, held in the lots ``holds`` names (what ``Lots.hold`` took)."""
        return replace(self, lots=tuple(LineLot(h.lot, h.quantity) for h in holds))

    def settling(self, quantity: int, *, fulfil: bool) -> ReservationLine:
        """``quantity`` more of the line fulfilled or released; its lots settle in pick order."""
        lots = self.lots
        if lots:
            wanted = quantity
            parts = []
            for part in lots:
                take = min(wanted, part.open)
                wanted -= take
                if fulfil:
                    parts.append(replace(part, fulfilled=part.fulfilled + take))
                else:
                    parts.append(replace(part, released=part.released + take))
            if wanted:  # a bookkeeping bug: the lots hold less than the line's open quantity
                raise InvalidTransition(
                    f"cannot settle {quantity}, the lots hold {quantity - wanted}"
                )
            lots = tuple(parts)
        if fulfil:
            return replace(self, fulfilled=self.fulfilled + quantity, lots=lots)
        return replace(self, released=self.released + quantity, lots=lots)


@dataclass(frozen=True, slots=True)
class LineQuantity:
    """A part of a reservation line to release or fulfil; on create, optionally the one lot
    (by id or code) a line of a lot-tracked item is to be held in (ADR 0031)."""

    item_id: UUID
    location_id: UUID
    quantity: int
    lot_id: UUID | None = field(default=None, metadata=_UNSET_OMITTED)
    lot_code: str | None = field(default=None, metadata=_UNSET_OMITTED)

    @property
    def key(self) -> LevelKey:
        return LevelKey(self.item_id, self.location_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    """Stock held for an order; its lines are distinct (item, location) pairs."""

    id: UUID
    reference: str | None
    status: ReservationStatus
    expires_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int
    lines: tuple[ReservationLine, ...]

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        reference: str | None,
        lines: tuple[LineQuantity, ...],
        ttl_seconds: int | None,
        created_by: str,
        now: datetime,
    ) -> Reservation:
        """A new active reservation; the caller reserves the stock in the same unit of work."""
        if not 1 <= len(lines) <= MAX_LINES:
            raise ValidationFailed(f"a reservation needs 1 to {MAX_LINES} lines", field="lines")
        keys = [line.key for line in lines]
        if len(set(keys)) != len(keys):
            raise ValidationFailed("each item and location may appear once", field="lines")
        return cls(
            id=id,
            reference=rules.optional_text(reference, "reference", rules.MAX_REFERENCE),
            status=ReservationStatus.ACTIVE,
            expires_at=None if ttl_seconds is None else now + _ttl(ttl_seconds),
            created_by=created_by,
            created_at=now,
            updated_at=now,
            version=1,
            lines=tuple(
                ReservationLine(line.item_id, line.location_id, rules.positive(line.quantity))
                for line in lines
            ),
        )

    def is_expired(self, now: datetime) -> bool:
        """Past its expiry: it holds nothing, whether or not the expiry job has marked it yet."""
        return self.status is ReservationStatus.EXPIRED or self.is_expired_unmarked(now)

    def is_expired_unmarked(self, now: datetime) -> bool:
        """Expired but still stored as active: the expiry job has not marked it yet."""
        # The expiry rule; its SQL twin is adapters/postgres/expiry_sql.py (one edit each).
        return (
            self.status is ReservationStatus.ACTIVE
            and self.expires_at is not None
            and self.expires_at <= now
        )

    def expired_holds(self, now: datetime) -> tuple[ReservationLine, ...]:
        """The open lines of an expired, unmarked reservation: they hold nothing any more."""
        if not self.is_expired_unmarked(now):
            return ()
        return tuple(line for line in self.lines if line.open)

    def as_of(self, now: datetime) -> Reservation:
        """The reservation as clients see it at ``now``: an expired hold reports as released."""
        if not self.is_expired_unmarked(now):
            return self
        return replace(
            self,
            status=ReservationStatus.EXPIRED,
            lines=tuple(line.settling(line.open, fulfil=False) for line in self.lines),
        )

    def release(self, parts: tuple[LineQuantity, ...] | None, now: datetime) -> Reservation:
        """Give back the parts (all that is open when None); quantities must be open."""
        return self._settle(parts, now, fulfil=False)

    def fulfil(self, parts: tuple[LineQuantity, ...] | None, now: datetime) -> Reservation:
        """Ship the parts (all that is open when None); quantities must be open."""
        return self._settle(parts, now, fulfil=True)

    def extend(self, ttl_seconds: int, now: datetime) -> Reservation:
        """Hold until ``now + ttl``; only an active, unexpired reservation that holds something
        can be extended."""
        self._ensure_active(now)
        return replace(
            self, expires_at=now + _ttl(ttl_seconds), version=self.version + 1, updated_at=now
        )

    def expire(self, now: datetime) -> Reservation:
        """Mark an expired reservation as such, releasing whatever is still open."""
        if not self.is_expired(now):
            raise InvalidTransition(f"reservation {self.id} has not expired")
        view = self.as_of(now)
        return replace(view, version=self.version + 1, updated_at=now)

    def settled_parts(self, before: Reservation) -> list[LineQuantity]:
        """What changed per line between ``before`` and this state (released or fulfilled)."""
        old = {line.key: line for line in before.lines}
        return [
            LineQuantity(line.item_id, line.location_id, old[line.key].open - line.open)
            for line in self.lines
            if old[line.key].open != line.open
        ]

    def _settle(
        self, parts: tuple[LineQuantity, ...] | None, now: datetime, *, fulfil: bool
    ) -> Reservation:
        self._ensure_active(now)
        if parts is not None and not parts:
            raise ValidationFailed(
                "name at least one line, or omit lines to settle all", field="lines"
            )
        wanted = {line.key: line.open for line in self.lines} if parts is None else {}
        for part in parts or ():
            rules.positive(part.quantity)
            wanted[part.key] = wanted.get(part.key, 0) + part.quantity
        lines = []
        for line in self.lines:
            settling = wanted.pop(line.key, 0)
            if settling > line.open:
                raise InvalidTransition(
                    f"only {line.open} is open on item {line.item_id} at {line.location_id}",
                    item_id=str(line.item_id),
                    location_id=str(line.location_id),
                    open=line.open,
                )
            lines.append(line.settling(settling, fulfil=fulfil) if settling else line)
        if wanted:
            raise InvalidTransition("a line names an item and location this reservation lacks")
        if all(line.open == 0 for line in lines):
            done = any(line.fulfilled for line in lines)
            status = ReservationStatus.FULFILLED if done else ReservationStatus.RELEASED
        else:
            status = ReservationStatus.ACTIVE
        return replace(
            self, lines=tuple(lines), status=status, version=self.version + 1, updated_at=now
        )

    def _ensure_active(self, now: datetime) -> None:
        if self.is_expired(now):
            raise InvalidTransition(f"reservation {self.id} has expired", status="expired")
        if self.status is not ReservationStatus.ACTIVE:
            raise InvalidTransition(
                f"reservation {self.id} is {self.status.value}", status=self.status.value
            )
        if not any(line.open for line in self.lines):
            # Active with nothing open is a header its lines contradict: nothing may act on it.
            raise InvalidTransition(f"reservation {self.id} holds nothing open", status="active")


def _ttl(seconds: int) -> timedelta:
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not 1 <= seconds <= MAX_TTL_SECONDS
    ):
        raise ValidationFailed(
            f"ttl_seconds must be between 1 and {MAX_TTL_SECONDS}", field="ttl_seconds"
        )
    return timedelta(seconds=seconds)
