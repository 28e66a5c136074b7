"""A hypothesis state machine over holds in lots (ADR 0031): random receipts into dated lots,
FEFO and named holds, releases and fulfilments of recorded holds (whole or in part, in the
recorded order), shipments and days passing, at two levels of one lot-tracked item, through the
``Lots`` port. After every step, per level: on_hand and reserved = the sums over its lots, each
lot's reserved = the open holds in it; nothing expired is newly held or shipped, and FEFO
takes the earliest unexpired lot (asserted in the rules against a plain model).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from adapters.clock import ManualClock
from application.lot_ports import HoldChange
from application.ports import StockFilter
from application.principal import Principal
from application.queries.lots import ListLotLevelsHandler
from application.queries.stock import ListStockLevelsHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.manage_lots import CreateLot, CreateLotHandler
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import InsufficientStock, LotExpired, StockroomError
from domain.lot_holds import HoldInLots, LotHold, take_holds
from domain.movements import LotRef, MovementRequest, MovementType, QuantityLine
from domain.stock import Fulfil, LevelKey, Release, Reserve

T = TypeVar("T")

START = date(2026, 1, 1)  # ManualClock's first day
DATED = {"A": START + timedelta(days=3), "B": START + timedelta(days=1), "C": None}
CODES = list(DATED)
places = st.integers(0, 1)
small = st.integers(1, 9)


def fefo_key(code: str) -> tuple[bool, date, str]:
    when = DATED[code]
    return (when is None, when or date.max, code.lower())


class LotHoldMachine(RuleBasedStateMachine):
    """Random holds on one fresh org; the model says what each must do."""

    def __init__(self, deps: Deps, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.deps, self.loop = deps, loop
        assert isinstance(deps.clock, ManualClock)
        self.clock: ManualClock = deps.clock
        org = f"org-{uuid.uuid4().hex[:12]}"
        self.who = Principal.from_claims(user_id="admin-1", org_id=org, raw_role="admin")
        self.on_hand: dict[tuple[int, str], int] = {}  # (place, code) -> on_hand
        self.holds: list[tuple[int, list[LotHold]]] = []  # open holds, per place

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)

    def refused(self, awaitable: Awaitable[Any]) -> StockroomError | None:
        try:
            self.run(awaitable)
        except StockroomError as exc:
            return exc
        return None

    def expired(self, code: str) -> bool:
        when = DATED[code]
        return when is not None and when < self.clock.now().date()

    def reserved(self, place: int, code: str) -> int:
        return sum(
            h.quantity for p, holds in self.holds if p == place for h in holds if h.lot.code == code
        )

    def available(self, place: int, code: str) -> int:
        if self.expired(code):
            return 0
        return self.on_hand.get((place, code), 0) - self.reserved(place, code)

    @initialize()
    def setup(self) -> None:
        async def make() -> None:
            item = CreateItemHandler(self.deps)
            made = await item(self.who, CreateItem(sku="LOT-1", name="x", tracking="lot"))
            self.item = made.value.id
            place = CreateLocationHandler(self.deps)
            self.places = [
                (await place(self.who, CreateLocation(code=f"L{i}", name="x"))).value.id
                for i in range(2)
            ]
            await CreateLotHandler(self.deps)(self.who, CreateLot(item_id=self.item, code="C"))

        self.run(make())

    def key(self, place: int) -> LevelKey:
        return LevelKey(self.item, self.places[place])

    async def hold(self, place: int, step: HoldInLots) -> HoldChange:
        async with self.deps.uow(self.who.org_id or "") as uow:
            changed = await uow.lots.hold(self.key(place), step, self.clock.now())
            await uow.commit()
        return changed

    async def post(self, kind: MovementType, place: int, n: int, code: str | None) -> None:
        lot = None if code is None else LotRef(code=code, expires_on=DATED[code])
        line = QuantityLine(self.item, self.places[place], n, lot)
        request = MovementRequest(type=kind, lines=(line,))
        await PostMovementHandler(self.deps)(self.who, request)

    @rule(place=places, code=st.sampled_from(CODES), n=small)
    def receive(self, place: int, code: str, n: int) -> None:
        self.run(self.post(MovementType.RECEIPT, place, n, code))
        self.on_hand[(place, code)] = self.on_hand.get((place, code), 0) + n

    @precondition(lambda self: hasattr(self, "places"))
    @rule(place=places, n=small)
    def hold_first_expiry_first(self, place: int, n: int) -> None:
        usable = sorted((c for c in CODES if self.available(place, c) > 0), key=fefo_key)
        if sum(self.available(place, c) for c in usable) < n:
            error = self.refused(self.hold(place, HoldInLots(Reserve(n))))
            assert isinstance(error, InsufficientStock), error
            return
        picks, wanted = [], n
        for code in usable:
            take = min(wanted, self.available(place, code))
            if take:
                picks.append((code, take))
                wanted -= take
        held = self.run(self.hold(place, HoldInLots(Reserve(n))))
        assert [(h.lot.code, h.quantity) for h in held.holds] == picks  # FEFO, unexpired only
        self.holds.append((place, list(held.holds)))

    @precondition(lambda self: hasattr(self, "places"))
    @rule(place=places, code=st.sampled_from(CODES), n=small)
    def hold_named(self, place: int, code: str, n: int) -> None:
        lot = self.run(self.lot(code))
        if lot is None:
            return
        outcome: StockroomError | HoldChange
        try:
            outcome = self.run(self.hold(place, HoldInLots(Reserve(n), lot=lot)))
        except StockroomError as exc:
            outcome = exc
        if self.expired(code):
            assert isinstance(outcome, LotExpired), outcome  # never held once expired
        elif self.available(place, code) < n:
            assert isinstance(outcome, InsufficientStock), outcome
        else:
            assert isinstance(outcome, HoldChange), outcome
            self.holds.append((place, list(outcome.holds)))

    @precondition(lambda self: bool(self.holds))
    @rule(pick=st.integers(0, 99), part=st.integers(1, 9), fulfil=st.booleans())
    def settle(self, pick: int, part: int, fulfil: bool) -> None:
        index = pick % len(self.holds)
        place, holds = self.holds[index]
        quantity = min(part, sum(h.quantity for h in holds))
        taken, left = take_holds(holds, quantity)
        change = Fulfil(quantity) if fulfil else Release(quantity)
        step = HoldInLots(change, holds=tuple(taken))
        if fulfil and any(self.expired(h.lot.code) for h in taken):
            error = self.refused(self.hold(place, step))
            assert isinstance(error, LotExpired), error  # never shipped once expired
            return
        done = self.run(self.hold(place, step))
        if fulfil:
            assert [(m.lot.code, m.delta) for m in done.moves] == [
                (h.lot.code, -h.quantity) for h in taken
            ]
            for h in taken:
                self.on_hand[(place, h.lot.code)] -= h.quantity
        if left:
            self.holds[index] = (place, left)
        else:
            del self.holds[index]

    @precondition(lambda self: hasattr(self, "places"))
    @rule(place=places, n=small)
    def ship_first_expiry_first(self, place: int, n: int) -> None:
        usable = sorted((c for c in CODES if self.available(place, c) > 0), key=fefo_key)
        if sum(self.available(place, c) for c in usable) < n:
            error = self.refused(self.post(MovementType.SHIPMENT, place, n, None))
            assert isinstance(error, InsufficientStock), error
            return
        wanted = n
        for code in usable:
            take = min(wanted, self.available(place, code))
            self.on_hand[(place, code)] -= take
            wanted -= take
        self.run(self.post(MovementType.SHIPMENT, place, n, None))

    @rule(hours=st.integers(1, 40))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours * 3600)

    async def lot(self, code: str) -> Any:
        async with self.deps.uow(self.who.org_id or "") as uow:
            return await uow.lots.by_code(self.item, code)

    @invariant()
    def levels_are_the_sums_of_their_lots(self) -> None:
        if not hasattr(self, "places"):
            return
        levels, lots = self.run(self.read())
        for place, location in enumerate(self.places):
            on_hand = sum(n for (p, _), n in self.on_hand.items() if p == place)
            reserved = sum(h.quantity for p, holds in self.holds if p == place for h in holds)
            level = levels.get(location)
            if level is None:
                assert (on_hand, reserved) == (0, 0)
                continue
            mine = {code: v for (loc, code), v in lots.items() if loc == location}
            assert (level.on_hand, level.reserved) == (on_hand, reserved)
            assert level.on_hand == sum(v[0] for v in mine.values())
            assert level.reserved == sum(v[1] for v in mine.values())
            for code, (lot_on_hand, lot_reserved) in mine.items():
                assert lot_on_hand == self.on_hand.get((place, code), 0)
                assert lot_reserved == self.reserved(place, code)
            usable = sum(self.available(place, c) for c in CODES)
            assert level.available == usable

    async def read(self) -> tuple[dict[UUID, Any], dict[tuple[UUID, str], tuple[int, int]]]:
        filters = StockFilter(item_id=self.item)
        page = await ListStockLevelsHandler(self.deps)(self.who, filters, 200, None)
        levels = {level.location_id: level for level in page.items}
        rows = await ListLotLevelsHandler(self.deps)(self.who, filters, 200, None)
        lots = {
            (row.location_id, row.position.lot.code): (row.position.on_hand, row.position.reserved)
            for row in rows.items
        }
        return levels, lots
