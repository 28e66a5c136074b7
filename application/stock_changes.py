"""Applying level changes for one request: existence checks, expiry, fixed lock order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.events import Cause, level_events, reservation_event
from application.lot_ports import LotChange
from application.ports import ExpiredHolds, LevelChange, UnitOfWork
from domain.catalog import Item, Location
from domain.errors import InsufficientStock, NotFound, ReservedStockConflict
from domain.events import EventType
from domain.lot_holds import HoldInLots, LotHold
from domain.lots import InLot
from domain.movements import MovementLine, adds_stock
from domain.stock import (
    Adjust,
    Count,
    Expect,
    LevelKey,
    Recount,
    Release,
    Reserve,
    Ship,
    StockChange,
)

Step = tuple[LevelKey, StockChange | InLot | HoldInLots]
Archived = dict[LevelKey, Item | Location]  # a level, and its archived item or location


@dataclass(frozen=True, slots=True)
class CatalogCheck:
    """What ``ensure_catalog`` found: each item's reorder point (the ``stock_level.low``
    signal needs it), and per level of an archived item or location, that entry."""

    reorder_points: dict[UUID, int | None]
    archived: Archived
    items: dict[UUID, Item]


async def ensure_catalog(uow: UnitOfWork, steps: Sequence[Step]) -> CatalogCheck:
    """Every item and location exists in the org; none that gains stock or holds is archived.

    The entries are read held against archiving until the unit of work ends, so an archive
    cannot commit between this check and the write: an archived item or location takes no new
    stock."""
    item_ids = sorted({key.item_id for key, _ in steps})
    location_ids = sorted({key.location_id for key, _ in steps})
    items = await uow.items.get_many(item_ids)
    locations = await uow.locations.get_many(location_ids)
    return check_catalog(steps, items, locations)


def check_catalog(
    steps: Sequence[Step], items: dict[UUID, Item], locations: dict[UUID, Location]
) -> CatalogCheck:
    """``ensure_catalog``'s rule on entries already read (``items`` and ``locations``: those
    found of the steps' ones): the same refusals, in the same order."""
    item_ids = sorted({key.item_id for key, _ in steps})
    location_ids = sorted({key.location_id for key, _ in steps})
    for item_id in item_ids:
        if item_id not in items:
            raise NotFound(f"item {item_id} not found", resource="item", id=str(item_id))
    for location_id in location_ids:
        if location_id not in locations:
            raise NotFound(
                f"location {location_id} not found", resource="location", id=str(location_id)
            )
    archived: Archived = {}
    for key, step in steps:
        change = plain(step)
        item, location = items[key.item_id], locations[key.location_id]
        if adds_stock(change) or isinstance(change, Reserve):
            item.ensure_active()
            location.ensure_active()
        if item.archived or location.archived:
            archived[key] = item if item.archived else location
    reorder_points = {item_id: item.reorder_point for item_id, item in items.items()}
    return CatalogCheck(reorder_points, archived, items)


def plain(step: StockChange | InLot | HoldInLots) -> StockChange:
    """The level change of a step, in a lot (or held in lots) or not."""
    return step.change if isinstance(step, InLot | HoldInLots) else step


def ensure_no_new_stock(
    steps: Sequence[Step], changes: Sequence[LevelChange], archived: Archived
) -> None:
    """A count that raised on_hand took new stock: refused at an archived item or location
    (one that lowered it wrote off what was left, which an archived entry may do)."""
    for (key, step), result in zip(steps, changes, strict=True):
        change = plain(step)
        if isinstance(change, Count | Recount) and result.on_hand_delta > 0 and key in archived:
            archived[key].ensure_active()


def _consumes(step: StockChange | InLot | HoldInLots) -> bool:
    # Changes limited by reserved/available must not be blocked by holds that have expired.
    change = plain(step)
    return isinstance(change, Ship | Reserve | Count) or (
        isinstance(change, Adjust | Recount) and change.delta < 0
    )


async def apply_steps(
    uow: UnitOfWork, steps: Sequence[Step], now: datetime, new_id: Callable[[], UUID]
) -> list[LevelChange]:
    """Apply ``steps`` level by level in (item_id, location_id) order, so concurrent writers
    take row locks in the same order and cannot deadlock; return results in request order.

    Expired holds on the levels a step consumes from are released first, inside the same
    transaction: their reservations are marked expired (locked before any level, as every
    writer locks them), which releases their lines at other levels too; those levels get
    their reserved stock back in the same key order, and each reservation is announced as
    expired (``new_id`` numbers those events)."""
    expired: dict[LevelKey, int] = {}
    released = ExpiredHolds({})
    consuming = sorted({key for key, change in steps if _consumes(change)})
    if consuming:
        released = await uow.reservations.release_expired_holds(consuming, now)
        expired = dict(released.by_level)
        await _announce_expired(uow, released.reservation_ids, now, new_id)
    order = sorted(range(len(steps)), key=lambda i: steps[i][0])
    released_only = sorted(set(expired) - {key for key, _ in steps})
    results: list[LevelChange | None] = [None] * len(steps)
    short: list[InsufficientStock] = []
    below: list[ReservedStockConflict] = []
    for i in _merged(order, steps, released_only):
        if isinstance(i, LevelKey):  # a level only an expired reservation held stock at
            await _release_only(uow, i, released, now, new_id)
            expired.pop(i)
            continue
        key, change = steps[i]
        if expired.get(key):
            await _release_expired(uow, key, expired.pop(key), released.holds_at(key), now)
        # Keep going after a refusal: the client learns every refused line at once.
        try:
            if isinstance(change, InLot):  # the level, then its lots (ADR 0025)
                results[i] = await uow.lots.change(key, change, now)
            elif isinstance(change, HoldInLots):  # the level, then its lots (ADR 0031)
                results[i] = await uow.lots.hold(key, change, now)
            else:
                results[i] = await uow.stock.change(key, change, now)
        except InsufficientStock as exc:
            short.append(exc)
        except ReservedStockConflict as exc:
            below.append(exc)
    if short:
        raise _combined(short)
    if below:
        raise _below_reserved(below)
    return [r for r in results if r is not None]


def ledger_lines(steps: Sequence[Step], changes: Sequence[LevelChange]) -> tuple[MovementLine, ...]:
    """The ledger lines of applied steps: one per change of on_hand (what is in transit
    towards a level is not on hand there, so ``Expect`` writes none), and one per lot a
    step of a tracked item moved (``on_hand_after`` is still the level's, line by line)."""
    lines: list[MovementLine] = []
    for (key, change), c in zip(steps, changes, strict=True):
        if isinstance(change, Expect):
            continue
        if not isinstance(c, LotChange):
            lines.append(
                MovementLine(key.item_id, key.location_id, c.on_hand_delta, c.level.on_hand)
            )
            continue
        running = c.level.on_hand - c.on_hand_delta
        for move in c.moves:
            running += move.delta
            lines.append(
                MovementLine(
                    key.item_id, key.location_id, move.delta, running, move.lot.id, move.lot.code
                )
            )
    return tuple(lines)


async def _release_only(
    uow: UnitOfWork,
    key: LevelKey,
    released: ExpiredHolds,
    now: datetime,
    new_id: Callable[[], UUID],
) -> None:
    """Give a level its stock back from each expired reservation, with that change's event:
    no step of the request touches this level, so nothing else announces it."""
    for reservation_id, level, quantity in sorted(released.lines, key=lambda r: str(r[0])):
        if level == key:
            release = Release(quantity)
            holds = released.holds_at(key, reservation_id)
            change = await _release_expired(uow, key, quantity, holds, now)
            cause = Cause(reservation_id=reservation_id)
            uow.events.add(level_events(new_id, [(release, change)], cause, {}, now))


async def _release_expired(
    uow: UnitOfWork, key: LevelKey, quantity: int, holds: list[LotHold], now: datetime
) -> LevelChange:
    """Give a level back ``quantity`` held by expired reservations: what lots held goes back
    to those lots with the level's reserved (ADR 0031), the rest to the level alone."""
    in_lots = sum(hold.quantity for hold in holds)
    change: LevelChange | None = None
    if in_lots:
        change = await uow.lots.hold(key, HoldInLots(Release(in_lots), holds=tuple(holds)), now)
    if quantity - in_lots:
        change = await uow.stock.change(key, Release(quantity - in_lots), now)
    assert change is not None  # noqa: S101 -- a released quantity is positive
    return change


async def _announce_expired(
    uow: UnitOfWork, reservation_ids: Sequence[UUID], now: datetime, new_id: Callable[[], UUID]
) -> None:
    # Rare (a write meets holds past expiry) and before any level is locked: the reads cost
    # no time under a hot level's lock. The outbox keeps one announcement per reservation.
    for reservation_id in reservation_ids:
        reservation = await uow.reservations.get(reservation_id)
        if reservation is not None:
            expired = reservation_event(new_id, EventType.RESERVATION_EXPIRED, reservation, now)
            uow.events.add([expired])


def _merged(order: list[int], steps: Sequence[Step], keys: list[LevelKey]) -> list[int | LevelKey]:
    """Step indexes and bare level keys, together in (item_id, location_id) order (a stable
    sort: steps of one level keep their request order)."""
    merged: list[tuple[LevelKey, int | LevelKey]] = [(steps[i][0], i) for i in order]
    merged += [(key, key) for key in keys]
    return [entry for _, entry in sorted(merged, key=lambda m: m[0])]


def _below_reserved(errors: list[ReservedStockConflict]) -> ReservedStockConflict:
    if len(errors) == 1:
        return errors[0]
    positions = [p for exc in errors for p in exc.extra.get("positions", [])]
    return ReservedStockConflict(
        f"{len(positions)} positions would fall below what is reserved; "
        "release or fulfil reservations first",
        positions=positions,
    )


def _combined(errors: list[InsufficientStock]) -> InsufficientStock:
    if len(errors) == 1:
        return errors[0]
    lines = [line for exc in errors for line in exc.extra.get("lines", [])]
    return InsufficientStock(f"{len(lines)} lines ask for more than is available", lines=lines)
