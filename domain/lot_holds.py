"""Reservations in lots (ADR 0031): which lots hold a reservation line, and the rules that take,
give back and ship those holds under the level's lock, the one definition both adapters call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from domain.errors import InvalidTransition, LotExpired
from domain.lots import Lot, LotMove, LotPosition, ensure_shippable, fefo, figures, today_of
from domain.stock import Fulfil, Release, Reserve, StockLevel

# A reservation line of a tracked item records which lots
# hold it (``LotHold``s, in the order they were picked); release gives back to those lots and
# fulfilment ships from them, in that order. These are the rules both adapters will call under
# the level's lock; the reservation paths stay refused (ADR 0027) until they are wired.


@dataclass(frozen=True, slots=True)
class LotHold:
    """Part of a reservation line held in one lot."""

    lot: Lot
    quantity: int


def reserve_in_lots(
    level: StockLevel,
    positions: dict[UUID, LotPosition],
    quantity: int,
    lot: Lot | None,
    now: datetime,
) -> tuple[StockLevel, dict[UUID, LotPosition], list[LotHold]]:
    """Hold ``quantity`` in the lot named, or first-expiry-first-out over the unexpired lots'
    available stock (split as needed, all or nothing); an expired lot named is ``lot_expired``."""
    today = today_of(now)
    if lot is None:
        picks = fefo(level.key, positions, quantity, today)
    else:
        position = positions.get(lot.id) or LotPosition(lot, 0)
        ensure_shippable(level.key, position, quantity, today)
        picks = [(lot, quantity)]
    after = _held(positions, [LotHold(lot, taken) for lot, taken in picks], sign=1)
    new_level = level.apply(Reserve(quantity), now)
    return _with_figures(new_level, after, today), after, [LotHold(p, q) for p, q in picks]


def release_in_lots(
    level: StockLevel,
    positions: dict[UUID, LotPosition],
    holds: list[LotHold],
    now: datetime,
) -> tuple[StockLevel, dict[UUID, LotPosition]]:
    """Give held stock back to the lots that held it (an expired lot too: its stock stays
    there, now unreserved, for the write-off)."""
    after = _held(positions, holds, sign=-1)
    new_level = level.apply(Release(sum(h.quantity for h in holds)), now)
    return _with_figures(new_level, after, today_of(now)), after


def fulfil_in_lots(
    level: StockLevel,
    positions: dict[UUID, LotPosition],
    holds: list[LotHold],
    now: datetime,
) -> tuple[StockLevel, dict[UUID, LotPosition], list[LotMove]]:
    """Ship held stock from the lots that hold it, one move per lot; a lot that has expired
    since it was reserved is ``lot_expired`` (nothing expired is shipped: release, reserve
    again)."""
    today = today_of(now)
    for hold in holds:
        if hold.lot.is_expired(today):
            raise LotExpired(
                f"lot {hold.lot.code} expired on {hold.lot.expires_on} after it was reserved; "
                "release the reservation and reserve again",
                lot_id=str(hold.lot.id),
                lot_code=hold.lot.code,
                expires_on=str(hold.lot.expires_on),
            )
    after = _held(positions, holds, sign=-1)
    moves = []
    for hold in holds:
        before = after[hold.lot.id]
        after[hold.lot.id] = replace(before, on_hand=before.on_hand - hold.quantity)
        moves.append(LotMove(hold.lot, -hold.quantity, after[hold.lot.id].on_hand))
    new_level = level.apply(Fulfil(sum(h.quantity for h in holds)), now)
    return _with_figures(new_level, after, today), after, moves


def take_holds(holds: list[LotHold], quantity: int) -> tuple[list[LotHold], list[LotHold]]:
    """A partial release or fulfilment: ``quantity`` of the open holds in the recorded order,
    and what stays held."""
    taken: list[LotHold] = []
    left: list[LotHold] = []
    wanted = quantity
    for hold in holds:
        take = min(wanted, hold.quantity)
        wanted -= take
        if take:
            taken.append(LotHold(hold.lot, take))
        if hold.quantity - take:
            left.append(LotHold(hold.lot, hold.quantity - take))
    if wanted:
        raise InvalidTransition(f"cannot settle {quantity}, the lots hold {quantity - wanted}")
    return taken, left


def _held(
    positions: dict[UUID, LotPosition], holds: list[LotHold], *, sign: int
) -> dict[UUID, LotPosition]:
    after = dict(positions)
    for hold in holds:
        before = after.get(hold.lot.id) or LotPosition(hold.lot, 0)
        reserved = before.reserved + sign * hold.quantity
        if reserved < 0:  # a bookkeeping bug, never a client's mistake
            raise InvalidTransition(
                f"lot {hold.lot.code} holds {before.reserved}, cannot give back {hold.quantity}"
            )
        after[hold.lot.id] = replace(before, reserved=reserved)
    return after


def _with_figures(level: StockLevel, positions: dict[UUID, LotPosition], today: date) -> StockLevel:
    lot_figures = figures(positions, today)
    return replace(
        level, expired=lot_figures.expired, expired_unreserved=lot_figures.expired_unreserved
    )


@dataclass(frozen=True, slots=True)
class HoldInLots:
    """A reservation change of a tracked level: ``Reserve`` in the lot named (``lot``) or
    first-expiry-first-out (``lot`` None); ``Release`` or ``Fulfil`` of the ``holds`` named."""

    change: Reserve | Release | Fulfil
    lot: Lot | None = None
    holds: tuple[LotHold, ...] = ()


def apply_holds(
    level: StockLevel,
    positions: dict[UUID, LotPosition],
    step: HoldInLots,
    now: datetime,
) -> tuple[StockLevel, dict[UUID, LotPosition], list[LotHold], list[LotMove]]:
    """The level and its lots after a reservation change, the holds it took or gave back,
    and the lots' moves (a fulfilment only); the one definition both adapters call."""
    change = step.change
    if isinstance(change, Reserve):
        new_level, after, holds = reserve_in_lots(level, positions, change.quantity, step.lot, now)
        return new_level, after, holds, []
    holds = list(step.holds)
    if sum(h.quantity for h in holds) != change.quantity:  # a bookkeeping bug
        raise InvalidTransition(f"the holds named do not add up to {change.quantity}")
    if isinstance(change, Release):
        new_level, after = release_in_lots(level, positions, holds, now)
        return new_level, after, holds, []
    new_level, after, moves = fulfil_in_lots(level, positions, holds, now)
    return new_level, after, holds, moves
