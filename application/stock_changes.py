"""Applying level changes for one request: existence checks, expiry, fixed lock order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from application.ports import LevelChange, UnitOfWork
from domain.catalog import Item, Location
from domain.errors import InsufficientStock, NotFound
from domain.movements import adds_stock
from domain.stock import Adjust, Count, LevelKey, Release, Reserve, Ship, StockChange

Step = tuple[LevelKey, StockChange]
Archived = dict[LevelKey, Item | Location]  # a level, and its archived item or location


async def ensure_catalog(uow: UnitOfWork, steps: Sequence[Step]) -> Archived:
    """Every item and location exists in the org; none that gains stock or holds is archived.
    Returns, per level of an archived item or location, that entry (for ``ensure_no_new_stock``).

    The entries are read held against archiving until the unit of work ends, so an archive
    cannot commit between this check and the write: an archived item or location takes no new
    stock."""
    item_ids = sorted({key.item_id for key, _ in steps})
    location_ids = sorted({key.location_id for key, _ in steps})
    items = await uow.items.get_many(item_ids)
    locations = await uow.locations.get_many(location_ids)
    for item_id in item_ids:
        if item_id not in items:
            raise NotFound(f"item {item_id} not found", resource="item", id=str(item_id))
    for location_id in location_ids:
        if location_id not in locations:
            raise NotFound(
                f"location {location_id} not found", resource="location", id=str(location_id)
            )
    archived: Archived = {}
    for key, change in steps:
        item, location = items[key.item_id], locations[key.location_id]
        if adds_stock(change) or isinstance(change, Reserve):
            item.ensure_active()
            location.ensure_active()
        if item.archived or location.archived:
            archived[key] = item if item.archived else location
    return archived


def ensure_no_new_stock(
    steps: Sequence[Step], changes: Sequence[LevelChange], archived: Archived
) -> None:
    """A count that raised on_hand took new stock: refused at an archived item or location
    (one that lowered it wrote off what was left, which an archived entry may do)."""
    for (key, change), result in zip(steps, changes, strict=True):
        if isinstance(change, Count) and result.on_hand_delta > 0 and key in archived:
            archived[key].ensure_active()


def _consumes(change: StockChange) -> bool:
    # Changes limited by reserved/available must not be blocked by holds that have expired.
    return isinstance(change, Ship | Reserve | Count) or (
        isinstance(change, Adjust) and change.delta < 0
    )


async def apply_steps(uow: UnitOfWork, steps: Sequence[Step], now: datetime) -> list[LevelChange]:
    """Apply ``steps`` level by level in (item_id, location_id) order, so concurrent writers
    take row locks in the same order and cannot deadlock; return results in request order.

    Expired holds on the levels a step consumes from are released first, inside the same
    transaction: their reservations are marked expired (locked before any level, as every
    writer locks them), which releases their lines at other levels too; those levels get
    their reserved stock back in the same key order."""
    expired: dict[LevelKey, int] = {}
    consuming = sorted({key for key, change in steps if _consumes(change)})
    if consuming:
        expired = await uow.reservations.release_expired_holds(consuming, now)
    order = sorted(range(len(steps)), key=lambda i: steps[i][0])
    released_only = sorted(set(expired) - {key for key, _ in steps})
    results: list[LevelChange | None] = [None] * len(steps)
    short: list[InsufficientStock] = []
    for i in _merged(order, steps, released_only):
        if isinstance(i, LevelKey):  # a level only an expired reservation held stock at
            await uow.stock.change(i, Release(expired.pop(i)), now)
            continue
        key, change = steps[i]
        if expired.get(key):
            await uow.stock.change(key, Release(expired.pop(key)), now)
        try:
            results[i] = await uow.stock.change(key, change, now)
        except InsufficientStock as exc:
            short.append(exc)  # keep going: the client learns every short line at once
    if short:
        raise _combined(short)
    return [r for r in results if r is not None]


def _merged(order: list[int], steps: Sequence[Step], keys: list[LevelKey]) -> list[int | LevelKey]:
    """Step indexes and bare level keys, together in (item_id, location_id) order (a stable
    sort: steps of one level keep their request order)."""
    merged: list[tuple[LevelKey, int | LevelKey]] = [(steps[i][0], i) for i in order]
    merged += [(key, key) for key in keys]
    return [entry for _, entry in sorted(merged, key=lambda m: m[0])]


def _combined(errors: list[InsufficientStock]) -> InsufficientStock:
    if len(errors) == 1:
        return errors[0]
    lines = [line for exc in errors for line in exc.extra.get("lines", [])]
    return InsufficientStock(f"{len(lines)} lines ask for more than is available", lines=lines)
