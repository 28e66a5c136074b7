"""Turning a request's lines into lot-aware steps: which lot each line of a tracked item is in.

Untracked items keep their plain steps (and the statements of ADR 0004); a line of a
lot-tracked item becomes an ``InLot`` step the ``Lots`` port applies under the level's lock.
Lots a receipt names are created here, before any level is locked; serial lots that gain
stock are locked here too (lots before levels, ADR 0025), and checked after the steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from application.lot_ports import LotChange
from application.pagination import PageRequest
from application.ports import LevelChange, StockFilter, UnitOfWork
from domain.catalog import Item
from domain.counts import ItemCount
from domain.errors import LotsNotSupported, NotFound, SerialLimit, ValidationFailed
from domain.lot_holds import HoldInLots
from domain.lots import InLot, Lot, LotPosition, Tracking, fefo, today_of
from domain.movements import LotRef, Movement
from domain.reservations import LineQuantity
from domain.stock import (
    Adjust,
    Count,
    LevelKey,
    Receive,
    Recount,
    Reserve,
    Return,
    Ship,
    StockChange,
)

Step = tuple[LevelKey, StockChange | InLot | HoldInLots]


def refuse_tracked(items: Mapping[UUID, Item], item_ids: Sequence[UUID], what: str) -> None:
    """A path that does not handle lots yet refuses lot-tracked items (422), never ignores
    their lots (ADR 0027)."""
    for item_id in item_ids:
        item = items.get(item_id)
        if item is not None and item.tracked:
            raise LotsNotSupported(
                f"item {item_id} is tracked by {item.tracking.value}: {what} do not take "
                "lot-tracked items yet; use receipts, shipments and adjustments",
                item_id=str(item_id),
            )


async def with_lots(
    uow: UnitOfWork,
    steps: Sequence[tuple[LevelKey, StockChange]],
    refs: Sequence[LotRef | None],
    items: Mapping[UUID, Item],
    now: datetime,
    new_id: Callable[[], UUID],
    *,
    lot_aware: bool = True,
) -> list[Step]:
    """Each step of a tracked item in its lot (or first-expiry-first-out, for a shipment of
    no lot); a lot named on an untracked item, or missing where one is needed, is a 422.
    ``lot_aware`` False (transfers and counts, ADR 0027): tracked items are refused."""
    if not lot_aware:
        refuse_tracked(items, [key.item_id for key, _ in steps], "transfers and counts")
    out: list[Step] = []
    for index, ((key, change), ref) in enumerate(zip(steps, refs, strict=True)):
        item = items[key.item_id]
        field = f"lines[{index}].lot_code"
        if not item.tracked:
            if ref is not None:
                raise ValidationFailed(
                    f"item {item.id} does not track lots; name no lot", field=field
                )
            out.append((key, change))
            continue
        if not isinstance(change, Receive | Ship | Adjust | Count):
            refuse_tracked(items, [key.item_id], "transfers and counts")
            raise AssertionError("unreachable")  # pragma: no cover
        if ref is None:
            if not isinstance(change, Ship):
                raise ValidationFailed(
                    f"item {item.id} is tracked by lot: name the lot (lot_code or lot_id)",
                    field=field,
                )
            out.append((key, InLot(change, None)))
            continue
        # A count of a lot not known yet creates it (ADR 0032), as a receipt does.
        adds = isinstance(change, Receive | Count) or (
            isinstance(change, Adjust) and change.delta > 0
        )
        lot = await _lot(uow, item, ref, adds, field, now, new_id)
        if isinstance(change, Count) and any(
            isinstance(s, InLot) and s.lot == lot and k == key for k, s in out
        ):
            raise ValidationFailed(f"a count may list lot {lot.code} once", field=field)
        out.append((key, InLot(change, lot)))
    return out


async def hold_steps(
    uow: UnitOfWork,
    lines: Sequence[LineQuantity],
    items: Mapping[UUID, Item],
) -> list[Step]:
    """A reservation's steps (ADR 0031): a line of a lot-tracked item is held in the lot it
    names, or first-expiry-first-out (``HoldInLots``); an untracked line keeps its plain
    ``Reserve``, and naming a lot on it is a 422."""
    out: list[Step] = []
    for index, line in enumerate(lines):
        item = items[line.item_id]
        field = f"lines[{index}].lot_code"
        named = line.lot_id is not None or line.lot_code is not None
        if not item.tracked:
            if named:
                raise ValidationFailed(
                    f"item {item.id} does not track lots; name no lot", field=field
                )
            out.append((line.key, Reserve(line.quantity)))
            continue
        lot = None
        if named:
            ref = LotRef(lot_id=line.lot_id, code=line.lot_code)
            lot = await existing_lot(uow, item, ref, field)
        out.append((line.key, HoldInLots(Reserve(line.quantity), lot)))
    return out


def _no_new_id() -> UUID:  # pragma: no cover -- reservations and transfers create no lot
    raise AssertionError("this path names existing lots only")


def reversal_in_lots(
    original: Movement,
    steps: Sequence[tuple[LevelKey, StockChange]],
    items: Mapping[UUID, Item],
    lots: Mapping[UUID, Lot],
) -> list[Step]:
    """The steps that undo ``original``, each line of a lot in that lot (ADR 0032): what came
    into a lot leaves it (as an adjustment), what left it comes back. ``lots`` holds the
    lots the lines name. A tracked item's line with no lot (none are written) is refused."""
    out: list[Step] = []
    for line, (key, change) in zip(original.lines, steps, strict=True):
        if line.lot_id is None:
            refuse_tracked(items, [key.item_id], "reversals of lines in no lot")
            out.append((key, change))
            continue
        assert isinstance(change, Adjust | Return)  # noqa: S101 -- reversal_steps makes these
        _ensure_still_tracked(items, key.item_id)
        out.append((key, InLot(change, lots[line.lot_id])))
    return out


async def counted_in_lots(
    uow: UnitOfWork,
    counts: Sequence[ItemCount],
    items: Mapping[UUID, Item],
    now: datetime,
    new_id: Callable[[], UUID],
) -> tuple[ItemCount, ...]:
    """A count session's lines with the lot each names resolved (ADR 0032): required for a
    lot-tracked item, refused on an untracked one (422); a new lot needs its expires_on, as
    for receipts."""
    out: list[ItemCount] = []
    for index, count in enumerate(counts):
        item = items.get(count.item_id)
        field = f"lines[{index}].lot_code"
        if item is None or not item.tracked:
            if count.lot is not None:
                raise ValidationFailed(
                    f"item {count.item_id} does not track lots; name no lot", field=field
                )
            out.append(count)
            continue
        if count.lot is None:
            raise ValidationFailed(
                f"item {item.id} is tracked by lot: name the lot (lot_code or lot_id)",
                field=field,
            )
        lot = await _lot(uow, item, count.lot, True, field, now, new_id)
        out.append(replace(count, lot_id=lot.id, lot_code=lot.code))
    return tuple(out)


def posting_in_lots(
    steps: Sequence[tuple[LevelKey, StockChange]],
    lot_ids: Sequence[UUID | None],
    items: Mapping[UUID, Item],
    lots: Mapping[UUID, Lot],
) -> list[Step]:
    """A count session's posting steps, each line of a lot in that lot (ADR 0032); a line of
    a tracked item in no lot is refused."""
    out: list[Step] = []
    for (key, change), lot_id in zip(steps, lot_ids, strict=True):
        if lot_id is None:
            refuse_tracked(items, [key.item_id], "count lines in no lot")
            out.append((key, change))
            continue
        assert isinstance(change, Recount)  # noqa: S101 -- posting_steps makes these
        _ensure_still_tracked(items, key.item_id)
        out.append((key, InLot(change, lots[lot_id])))
    return out


def _ensure_still_tracked(items: Mapping[UUID, Item], item_id: UUID) -> None:
    # A line in a lot of an item that has stopped tracking lots since (it held nothing then)
    # would give an untracked level lot positions: refused.
    item = items.get(item_id)
    if item is None or not item.tracked:
        raise LotsNotSupported(
            f"item {item_id} no longer tracks lots: its lines in lots cannot be applied",
            item_id=str(item_id),
        )


async def lock_serials(
    uow: UnitOfWork, steps: Sequence[Step], items: Mapping[UUID, Item]
) -> dict[UUID, int]:
    """Lock the serial lots the request adds stock to (in id order, before any level) and
    return each one's on_hand across the org: no other writer can add to them meanwhile."""
    ids = sorted(
        {
            change.lot.id
            for key, change in steps
            if isinstance(change, InLot)
            and change.lot is not None
            and items[key.item_id].tracking is Tracking.SERIAL
            and not isinstance(change.change, Ship)
        }
    )
    return await uow.lots.lock_totals(ids) if ids else {}


def ensure_serials(totals: Mapping[UUID, int], changes: Sequence[LevelChange]) -> None:
    """A serial never holds more than one unit across the org (409 ``serial_limit``)."""
    after = dict(totals)
    codes: dict[UUID, str] = {}
    for change in changes:
        if isinstance(change, LotChange):
            for move in change.moves:
                if move.lot.id in after:
                    after[move.lot.id] += move.delta
                    codes[move.lot.id] = move.lot.code
    over = sorted(lot_id for lot_id, total in after.items() if total > 1)
    if over:
        raise SerialLimit(
            f"a serial holds at most one unit across the org; {len(over)} would hold more",
            lots=[{"lot_id": str(i), "lot_code": codes[i], "on_hand": after[i]} for i in over],
        )


async def existing_lot(uow: UnitOfWork, item: Item, ref: LotRef, field: str) -> Lot:
    """The lot of ``item`` that ``ref`` names (404 if it has none such); never creates one."""
    return await _lot(uow, item, ref, False, field, datetime.min, _no_new_id)


async def _lot(
    uow: UnitOfWork,
    item: Item,
    ref: LotRef,
    adds: bool,
    field: str,
    now: datetime,
    new_id: Callable[[], UUID],
) -> Lot:
    if ref.lot_id is not None:
        lot = await uow.lots.get(ref.lot_id)
        if lot is None or lot.item_id != item.id:
            raise NotFound(f"lot {ref.lot_id} of item {item.id} not found", resource="lot")
    else:
        assert ref.code is not None  # noqa: S101 -- LotRef names a lot by id or by code
        found = await uow.lots.by_code(item.id, ref.code)
        if found is None:
            if not adds:
                raise NotFound(f"item {item.id} has no lot {ref.code}", resource="lot")
            if ref.expires_on is None:
                raise ValidationFailed(
                    f"lot {ref.code} is new: give its expires_on (or create it first with "
                    "POST /v1/lots)",
                    field=field.replace("lot_code", "expires_on"),
                )
            created = Lot.create(
                id=new_id(), item_id=item.id, code=ref.code, expires_on=ref.expires_on, now=now
            )
            found = await uow.lots.add(created)
        lot = found
    if ref.expires_on is not None and ref.expires_on != lot.expires_on:
        raise ValidationFailed(
            f"lot {lot.code} expires on {lot.expires_on}, not {ref.expires_on}; "
            "change a lot's date with PATCH /v1/lots/{id}",
            field=field.replace("lot_code", "expires_on"),
        )
    return lot


# The most lot positions one level is read with to pick a transfer's lots.
MAX_LEVEL_LOTS = 1000


async def transfer_lots(
    uow: UnitOfWork,
    steps: Sequence[tuple[LevelKey, StockChange]],
    refs: Sequence[LotRef | None],
    items: Mapping[UUID, Item],
    now: datetime,
) -> tuple[list[tuple[LevelKey, StockChange]], list[LotRef | None]]:
    """A one-step transfer's (out, in) step pairs, each of a tracked item in a named lot: a
    pair that names none is split into one pair per lot first-expiry-first-out picks at the
    source (ADR 0033). The pick reads the source's lots before any lock; the shipment out of
    each picked lot is still decided under the level's lock, so a lot taken meanwhile is a 409
    ``insufficient_stock``, never an oversell. Untracked pairs are returned as they are."""
    out_steps: list[tuple[LevelKey, StockChange]] = []
    out_refs: list[LotRef | None] = []
    for i in range(0, len(steps), 2):
        (source, shipped), (target, received), ref = steps[i], steps[i + 1], refs[i]
        if ref is not None or not items[source.item_id].tracked or not isinstance(shipped, Ship):
            out_steps += [(source, shipped), (target, received)]
            out_refs += [ref, ref]
            continue
        filters = StockFilter(item_id=source.item_id, location_id=source.location_id)
        rows = await uow.lots.levels(filters, PageRequest(limit=MAX_LEVEL_LOTS), now)
        positions: dict[UUID, LotPosition] = {row.position.lot.id: row.position for row in rows}
        for lot, quantity in fefo(source, positions, shipped.quantity, today_of(now)):
            picked = LotRef(lot_id=lot.id)
            out_steps += [(source, Ship(quantity)), (target, Receive(quantity))]
            out_refs += [picked, picked]
    return out_steps, out_refs
