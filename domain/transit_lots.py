"""Transfers in transit of lot-tracked items (ADR 0034): which lots a line carries.

A line of a lot-tracked item records, per lot, how much was shipped out of it at the source
and what became of that since (received at the destination into the SAME lot, or cancelled
back into it at the source). A line's figures are always the sums of its lots'. What a
receipt takes from which lot is decided here: the lot a part names, else the transit lots in
first-expiry-first-out order (an expired lot too: it is stock that arrives).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from domain.errors import InvalidTransferState, ValidationFailed
from domain.lots import Lot
from domain.movements import LotRef


@dataclass(frozen=True, slots=True)
class TransitLot:
    """The part of a transfer line shipped out of one lot."""

    lot: Lot
    shipped: int
    received: int = 0
    cancelled: int = 0

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received - self.cancelled


@dataclass(frozen=True, slots=True)
class LotPart:
    """A part of a receipt of one line: ``quantity`` of the lot ``lot`` names (None: in
    first-expiry-first-out order over what the line's lots have in transit)."""

    quantity: int
    lot: LotRef | None = None


def names(ref: LotRef, lot: Lot) -> bool:
    """Whether a reference names this lot (by id, or by code ignoring case)."""
    if ref.lot_id is not None:
        return ref.lot_id == lot.id
    return ref.code is not None and ref.code.lower() == lot.code.lower()


def receive_lots(
    item_id: UUID, lots: tuple[TransitLot, ...], parts: Sequence[LotPart]
) -> tuple[TransitLot, ...]:
    """The line's lots after receiving ``parts``: parts naming a lot first (each from that
    lot), then the rest earliest expiry first; more than a lot has in transit is a 409."""
    taken = {t.lot.id: 0 for t in lots}
    by_expiry = sorted(lots, key=lambda t: t.lot.fefo_key())
    for part in sorted(parts, key=lambda p: p.lot is None):
        if part.lot is not None:
            ref = part.lot
            found = next((t for t in lots if names(ref, t.lot)), None)
            if found is None:
                raise InvalidTransferState(
                    f"item {item_id} has no lot {ref.code or ref.lot_id} in transit on this "
                    "transfer",
                    item_id=str(item_id),
                )
            if part.quantity > found.in_transit - taken[found.lot.id]:
                raise InvalidTransferState(
                    f"only {found.in_transit - taken[found.lot.id]} of lot {found.lot.code} "
                    f"of item {item_id} is in transit",
                    item_id=str(item_id),
                    lot_id=str(found.lot.id),
                    in_transit=found.in_transit,
                )
            taken[found.lot.id] += part.quantity
            continue
        wanted = part.quantity
        for t in by_expiry:
            take = min(wanted, t.in_transit - taken[t.lot.id])
            taken[t.lot.id] += take
            wanted -= take
        if wanted:  # the line's total was checked already: a named part took the rest
            raise InvalidTransferState(
                f"item {item_id}: the parts ask for more than is in transit",
                item_id=str(item_id),
            )
    return tuple(replace(t, received=t.received + taken[t.lot.id]) for t in lots)


def cancel_lots(lots: tuple[TransitLot, ...]) -> tuple[TransitLot, ...]:
    """Everything still in transit goes back, lot by lot."""
    return tuple(replace(t, cancelled=t.cancelled + t.in_transit) for t in lots)


def untracked_part(item_id: UUID, parts: Sequence[LotPart], index_of: int) -> None:
    """A part naming a lot on a line of an untracked item (one with no lots) is a 422."""
    if any(part.lot is not None for part in parts):
        raise ValidationFailed(
            f"item {item_id} does not track lots; name no lot",
            field=f"lines[{index_of}].lot_code",
        )


def moved_lots(
    after: tuple[TransitLot, ...], before: tuple[TransitLot, ...], received: bool
) -> list[tuple[Lot, int]]:
    """Per lot, how much was received (or cancelled) between ``before`` and ``after``."""
    old = {t.lot.id: t for t in before}
    out: list[tuple[Lot, int]] = []
    for t in after:
        was = old[t.lot.id]
        delta = t.received - was.received if received else t.cancelled - was.cancelled
        if delta:
            out.append((t.lot, delta))
    return out
