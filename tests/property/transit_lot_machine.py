"""The lot state machine with transfers in transit of lot-tracked items (ADR 0034): random
shipments (first-expiry-first-out or of a named lot) between the two locations, partial
receipts (of a named lot, or earliest expiry first), cancels, and the serial unit on its way.
After every step, on top of the lot invariants: per level, incoming = what the model has in
transit towards it; per transfer, its lots = the model's; and each transit step conserves the
item's stock over the locations plus what is in transit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from application.pagination import PageRequest
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from application.workflow_ports import TransferFilter
from domain.errors import InsufficientStock, InvalidTransferState, LotExpired, NotFound
from domain.movements import LotRef
from domain.transfers import ItemQuantity, Transfer
from tests.property.lot_machine import CODES, LotMachine, places, small

maybe_code = st.none() | st.sampled_from(CODES)


@dataclass
class Moving:
    """A transfer the model has open: from where, and per code what is in transit."""

    source: int
    lots: dict[str, int] = field(default_factory=dict)


class TransitLotMachine(LotMachine):
    """LotMachine plus transfers in transit of the lot-tracked and the serial item."""

    def __init__(self, deps: Deps, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(deps, loop)
        self.moving: dict[UUID, Moving] = {}
        self.serial_transfer: UUID | None = None

    def fefo_order(self, codes: list[str]) -> list[str]:
        return sorted(
            codes,
            key=lambda c: (self.expires[c] is None, self.expires[c] or date.max, c.lower()),
        )

    def total(self) -> int:
        held = sum(self.held.values())
        return held + sum(n for m in self.moving.values() for n in m.lots.values())

    async def ship_one(self, place: int, item: UUID, n: int, code: str | None) -> TransferMoved:
        lot = None if code is None else LotRef(code=code)
        command = ShipTransfer(
            from_location_id=self.places[place],
            to_location_id=self.places[1 - place],
            lines=(ItemQuantity(item, n, lot),),
        )
        return (await ShipTransferHandler(self.deps)(self.who, command)).value

    @rule(place=places, code=maybe_code, n=small)
    def ship_in_transit(self, place: int, code: str | None, n: int) -> None:
        before = self.total()
        usable = self.fefo_order(
            [c for c in self.expires if not self.expired(c) and self.held.get((place, c), 0)]
        )
        try:
            shipped = self.run(self.ship_one(place, self.item, n, code))
        except (NotFound, LotExpired, InsufficientStock) as exc:
            if code is None:
                assert isinstance(exc, InsufficientStock), exc
                assert sum(self.held[(place, c)] for c in usable) < n
            elif code not in self.expires:
                assert isinstance(exc, NotFound), exc
            elif self.expired(code):
                assert isinstance(exc, LotExpired), exc  # never shipped once expired
            else:
                assert isinstance(exc, InsufficientStock), exc
                assert self.held.get((place, code), 0) < n
            return
        picks: list[tuple[str, int]] = []
        wanted = n
        for c in usable if code is None else [code]:
            take = min(wanted, self.held[(place, c)])
            if take:
                picks.append((c, take))
                wanted -= take
        assert wanted == 0
        [line] = shipped.transfer.lines
        assert [(t.lot.code, t.shipped) for t in line.lots] == picks  # FEFO or the named lot
        for c, take in picks:
            self.held[(place, c)] -= take
        self.moving[shipped.transfer.id] = Moving(place, dict(picks))
        assert self.total() == before

    def open_transfer(self, index: int) -> UUID | None:
        ids = list(self.moving)  # in shipping order: ids are random, the order is not
        return ids[index % len(ids)] if ids else None

    @rule(index=st.integers(0, 9), code=maybe_code, n=small)
    def receive_in_transit(self, index: int, code: str | None, n: int) -> None:
        transfer_id = self.open_transfer(index)
        if transfer_id is None:
            return
        before, moving = self.total(), self.moving[transfer_id]
        lot = None if code is None else LotRef(code=code)
        parts = (ItemQuantity(self.item, n, lot),)
        command = ReceiveTransfer(transfer_id=transfer_id, lines=parts)
        in_lot = sum(moving.lots.values()) if code is None else moving.lots.get(code, 0)
        if n > in_lot:
            error = self.refused(ReceiveTransferHandler(self.deps)(self.who, command))
            assert isinstance(error, InvalidTransferState), error
            return
        moved = self.run(ReceiveTransferHandler(self.deps)(self.who, command)).value
        order = [code] if code is not None else self.fefo_order(list(moving.lots))
        wanted, destination = n, 1 - moving.source
        for c in order:  # the named lot, else earliest expiry first (an expired one too)
            take = min(wanted, moving.lots[c])
            if take:
                moving.lots[c] -= take
                self.held[(destination, c)] = self.held.get((destination, c), 0) + take
                wanted -= take
        self.expect_transfer(moved, transfer_id)
        assert self.total() == before

    @rule(index=st.integers(0, 9))
    def cancel_in_transit(self, index: int) -> None:
        transfer_id = self.open_transfer(index)
        if transfer_id is None:
            return
        before, moving = self.total(), self.moving[transfer_id]
        command = CancelTransfer(transfer_id=transfer_id)
        moved = self.run(CancelTransferHandler(self.deps)(self.who, command)).value
        for c, n in moving.lots.items():  # back into the same lots at the source
            if n:
                self.held[(moving.source, c)] = self.held.get((moving.source, c), 0) + n
                moving.lots[c] = 0
        self.expect_transfer(moved, transfer_id)
        assert self.total() == before

    def expect_transfer(self, moved: TransferMoved, transfer_id: UUID) -> None:
        [line] = moved.transfer.lines
        model = self.moving[transfer_id].lots
        assert {t.lot.code: t.in_transit for t in line.lots} == model
        if not any(model.values()):
            del self.moving[transfer_id]

    @rule(place=places, arrives=st.booleans())
    def serial_in_transit(self, place: int, arrives: bool) -> None:
        if self.serial_transfer is not None:
            transfer_id, self.serial_transfer = self.serial_transfer, None
            if arrives:
                command = ReceiveTransfer(transfer_id=transfer_id)
                self.run(ReceiveTransferHandler(self.deps)(self.who, command))
            else:
                self.run(
                    CancelTransferHandler(self.deps)(
                        self.who, CancelTransfer(transfer_id=transfer_id)
                    )
                )
            self.serial_at = self.serial_moving_to if arrives else self.serial_moving_from
            self.serial_moving = False
            return
        outcome = None
        try:
            shipped = self.run(self.ship_one(place, self.serial, 1, None))
        except InsufficientStock as exc:
            outcome = exc
        if self.serial_at != place:
            assert isinstance(outcome, InsufficientStock), outcome
            return
        assert outcome is None, outcome
        self.serial_transfer = shipped.transfer.id
        self.serial_moving_from, self.serial_moving_to = place, 1 - place
        self.serial_at, self.serial_moving = None, True

    @invariant()
    def incoming_is_what_the_model_has_in_transit(self) -> None:
        if not hasattr(self, "places"):
            return
        levels, transfers = self.run(self.read_transit())
        for place, location in enumerate(self.places):
            towards = sum(
                n for m in self.moving.values() if 1 - m.source == place for n in m.lots.values()
            )
            level = levels.get(location)
            assert (0 if level is None else level.incoming) == towards
        for transfer in transfers:
            [line] = transfer.lines
            if line.item_id != self.item or not transfer.is_open:
                continue
            assert {t.lot.code: t.in_transit for t in line.lots} == self.moving[transfer.id].lots
            assert sum(t.in_transit for t in line.lots) == line.in_transit

    async def read_transit(self) -> tuple[dict[UUID, Any], list[Transfer]]:
        levels, _, _ = await self.read()
        async with self.deps.uow(self.who.org_id or "") as uow:
            transfers = await uow.transfers.list(TransferFilter(), PageRequest(limit=500))
        return levels, transfers
