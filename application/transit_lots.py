"""A transfer in transit of lot-tracked items (ADR 0034): the lots its shipment takes.

A line of a tracked item ships out of the lot it names, or (none named) first-expiry-first-out
over the source's unexpired lots, decided under the source level's lock exactly as a shipment
is (``InLot(Ship, None)``, ``domain.lots.apply_in_lots``); the lots the shipment took are then
recorded on the transfer, so receiving and cancelling go back into the same lots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from application.lot_ports import LotChange
from application.lot_steps import existing_lot
from application.ports import LevelChange, UnitOfWork
from application.stock_changes import Step
from domain.catalog import Item
from domain.errors import ValidationFailed
from domain.lots import InLot, Lot
from domain.stock import LevelKey, Ship, StockChange
from domain.transfers import ItemQuantity


async def shipping_in_lots(
    uow: UnitOfWork,
    steps: Sequence[tuple[LevelKey, StockChange]],
    lines: Sequence[ItemQuantity],
    items: Mapping[UUID, Item],
) -> list[Step]:
    """The shipment's steps with each tracked line's ``Ship`` in its lot (or FEFO); a lot
    named on an untracked item is a 422, an unknown lot a 404. ``steps`` are the transfer's
    (``Ship`` at the source, ``Expect`` at the destination) per line, in line order."""
    out: list[Step] = []
    for index, line in enumerate(lines):
        (source, shipped), expect = steps[2 * index], steps[2 * index + 1]
        item = items[line.item_id]
        field = f"lines[{index}].lot_code"
        if not item.tracked:
            if line.lot is not None:
                raise ValidationFailed(
                    f"item {item.id} does not track lots; name no lot", field=field
                )
            out += [(source, shipped), expect]
            continue
        assert isinstance(shipped, Ship)  # noqa: S101 -- shipping_steps makes these
        lot = None if line.lot is None else await existing_lot(uow, item, line.lot, field)
        out += [(source, InLot(shipped, lot)), expect]
    return out


def shipped_lots(
    steps: Sequence[Step], changes: Sequence[LevelChange]
) -> dict[UUID, list[tuple[Lot, int]]]:
    """Per item, the lots its shipment took and how much of each, in pick order."""
    shipped: dict[UUID, list[tuple[Lot, int]]] = {}
    for (key, step), change in zip(steps, changes, strict=True):
        if isinstance(step, InLot) and isinstance(step.change, Ship):
            assert isinstance(change, LotChange)  # noqa: S101 -- a step in lots makes one
            picks = shipped.setdefault(key.item_id, [])
            picks += [(move.lot, -move.delta) for move in change.moves if move.delta]
    return shipped
