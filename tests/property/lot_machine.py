"""A hypothesis state machine over lots (ADRs 0024-0026, 0032): random receipts, FEFO and named
shipments, write-offs, counts per lot (one-step and in count sessions), redating and days
passing, on one lot-tracked and one serial item.
After every step: invariants 9 and 10 of docs/design.md against a plain model and the ledger.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from adapters.clock import ManualClock
from application.ports import MovementFilter, StockFilter
from application.principal import Principal
from application.queries.lots import ListLotLevelsHandler
from application.queries.stock import ListMovementsHandler, ListStockLevelsHandler
from application.use_cases.base import Deps
from application.use_cases.cancel_count import CancelCount, CancelCountHandler
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.manage_lots import (
    CreateLot,
    CreateLotHandler,
    UpdateLot,
    UpdateLotHandler,
)
from application.use_cases.open_count import OpenCount, OpenCountHandler
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from domain.counts import ItemCount
from domain.errors import (
    InsufficientStock,
    LotExpired,
    NotFound,
    ReservedStockConflict,
    SerialLimit,
    StockroomError,
)
from domain.movements import (
    AdjustmentReason,
    CountLine,
    LotRef,
    Movement,
    MovementRequest,
    MovementType,
    QuantityLine,
)

T = TypeVar("T")

START = date(2026, 1, 1)  # ManualClock's first day
# Dated lots (a receipt creates them) and one without a date (created by POST /v1/lots).
DATED = {
    "A": START + timedelta(days=2),
    "B": START + timedelta(days=4),
    "C": START + timedelta(days=4),
}
UNDATED = "D"
CODES = [*DATED, UNDATED]
places = st.integers(0, 1)
small = st.integers(1, 9)


class LotMachine(RuleBasedStateMachine):
    """Random lot operations on one fresh org; the model says what each must do."""

    def __init__(self, deps: Deps, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.deps, self.loop = deps, loop
        assert isinstance(deps.clock, ManualClock)
        self.clock: ManualClock = deps.clock
        org = f"org-{uuid.uuid4().hex[:12]}"
        self.who = Principal.from_claims(user_id="admin-1", org_id=org, raw_role="admin")
        self.expires: dict[str, date | None] = {}  # code -> date, once the lot exists
        self.held: dict[tuple[int, str], int] = {}  # (location, code) -> on_hand
        self.serial_at: int | None = None  # where the one serial unit is
        self.serial_moving = False  # in transit (transit_lot_machine): it still counts
        # The open count session: its id, location, and per code (snapshot, counted).
        self.session: tuple[UUID, int] | None = None
        self.session_lots: dict[str, tuple[int, int]] = {}

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)

    def refused(self, awaitable: Awaitable[Any]) -> StockroomError | None:
        try:
            self.run(awaitable)
        except StockroomError as exc:
            return exc
        return None

    @property
    def today(self) -> date:
        return self.clock.now().date()

    def expired(self, code: str) -> bool:
        when = self.expires.get(code)
        return when is not None and when < self.today

    @initialize()
    def setup(self) -> None:
        async def make() -> None:
            item = CreateItemHandler(self.deps)
            self.item = (
                await item(self.who, CreateItem(sku="LOT-1", name="x", tracking="lot"))
            ).value.id
            self.serial = (
                await item(self.who, CreateItem(sku="SER-1", name="x", tracking="serial"))
            ).value.id
            place = CreateLocationHandler(self.deps)
            self.places = [
                (await place(self.who, CreateLocation(code=f"L{i}", name="x"))).value.id
                for i in range(2)
            ]
            await CreateLotHandler(self.deps)(self.who, CreateLot(item_id=self.item, code=UNDATED))

        self.run(make())
        self.expires[UNDATED] = None

    async def post(
        self, kind: MovementType, line: QuantityLine, reason: AdjustmentReason | None = None
    ) -> Movement:
        request = MovementRequest(type=kind, lines=(line,), reason=reason)
        return (await PostMovementHandler(self.deps)(self.who, request)).value

    def line(
        self,
        item: UUID,
        place: int,
        quantity: int,
        code: str | None,
        expires_on: date | None = None,
    ) -> QuantityLine:
        lot = None if code is None else LotRef(code=code, expires_on=expires_on)
        return QuantityLine(item, self.places[place], quantity, lot)

    @rule(place=places, code=st.sampled_from(CODES), n=small)
    def receive(self, place: int, code: str, n: int) -> None:
        dated = DATED.get(code) if code not in self.expires else None
        self.run(self.post(MovementType.RECEIPT, self.line(self.item, place, n, code, dated)))
        self.expires.setdefault(code, DATED.get(code))
        self.held[(place, code)] = self.held.get((place, code), 0) + n

    @rule(place=places, n=small)
    def ship_first_expiry_first(self, place: int, n: int) -> None:
        usable = sorted(
            (c for c in self.expires if not self.expired(c) and self.held.get((place, c), 0) > 0),
            key=lambda c: (self.expires[c] is None, self.expires[c] or date.max, c.lower()),
        )
        if sum(self.held[(place, c)] for c in usable) < n:
            error = self.refused(
                self.post(MovementType.SHIPMENT, self.line(self.item, place, n, None))
            )
            assert isinstance(error, InsufficientStock), error
            return
        picks, wanted = [], n
        for code in usable:
            take = min(wanted, self.held[(place, code)])
            if take:
                picks.append((code, -take))
                wanted -= take
        shipped = self.run(self.post(MovementType.SHIPMENT, self.line(self.item, place, n, None)))
        assert [(x.lot_code, x.delta) for x in shipped.lines] == picks  # FEFO, invariant 10
        for code, delta in picks:
            self.held[(place, code)] += delta

    @rule(place=places, code=st.sampled_from(CODES), n=small)
    def ship_named(self, place: int, code: str, n: int) -> None:
        outcome = self.refused(
            self.post(MovementType.SHIPMENT, self.line(self.item, place, n, code))
        )
        if code not in self.expires:
            assert isinstance(outcome, NotFound), outcome
        elif self.expired(code):
            assert isinstance(outcome, LotExpired), outcome  # never shipped once expired
        elif self.held.get((place, code), 0) < n:
            assert isinstance(outcome, InsufficientStock), outcome
        else:
            assert outcome is None, outcome
            self.held[(place, code)] -= n

    @rule(place=places, code=st.sampled_from(CODES), n=small)
    def write_off(self, place: int, code: str, n: int) -> None:
        line = self.line(self.item, place, -n, code)
        outcome = self.refused(self.post(MovementType.ADJUSTMENT, line, AdjustmentReason.EXPIRED))
        if code not in self.expires:
            assert isinstance(outcome, NotFound), outcome
        elif self.held.get((place, code), 0) < n:
            assert isinstance(outcome, InsufficientStock), outcome
        else:
            assert outcome is None, outcome
            self.held[(place, code)] -= n

    def new_lot_date(self, code: str) -> date | None:
        """The expires_on a line needs: a new code's date, none for a lot that exists."""
        return None if code in self.expires else DATED.get(code)

    @rule(place=places, code=st.sampled_from(CODES), n=st.integers(0, 9))
    def count(self, place: int, code: str, n: int) -> None:
        lot = LotRef(code=code, expires_on=self.new_lot_date(code))
        line = CountLine(self.item, self.places[place], n, None, lot)
        request = MovementRequest(type=MovementType.COUNT, lines=(line,))
        counted = self.run(PostMovementHandler(self.deps)(self.who, request)).value
        before = self.held.get((place, code), 0)
        assert [(x.lot_code, x.delta) for x in counted.lines] == [(code, n - before)]
        self.expires.setdefault(code, DATED.get(code))
        self.held[(place, code)] = n

    @rule(place=places)
    def open_session(self, place: int) -> None:
        if self.session is not None:
            return
        command = OpenCount(location_id=self.places[place])
        opened = self.run(OpenCountHandler(self.deps)(self.who, command)).value
        self.session, self.session_lots = (opened.id, place), {}

    @rule(code=st.sampled_from(CODES), n=st.integers(0, 9))
    def count_in_session(self, code: str, n: int) -> None:
        if self.session is None:
            return
        session_id, place = self.session
        lot = LotRef(code=code, expires_on=self.new_lot_date(code))
        command = RecordCounts(session_id=session_id, lines=(ItemCount(self.item, n, lot),))
        recorded = self.run(RecordCountsHandler(self.deps)(self.who, command))
        self.expires.setdefault(code, DATED.get(code))
        snapshot = self.session_lots.get(code, (self.held.get((place, code), 0), 0))[0]
        self.session_lots[code] = (snapshot, n)
        line = next(x for x in recorded.lines if x.lot_code == code)
        assert (line.expected, line.counted) == (snapshot, n)  # snapshotted at its first count

    @rule()
    def post_session(self) -> None:
        if self.session is None:
            return
        session_id, place = self.session
        self.session = None
        deltas = {code: n - snap for code, (snap, n) in self.session_lots.items()}
        short = [c for c, d in deltas.items() if self.held.get((place, c), 0) + d < 0]
        outcome = self.refused(
            PostCountHandler(self.deps)(self.who, PostCount(session_id=session_id))
        )
        if not deltas:
            assert outcome is not None, "nothing counted: refused"
        elif short:
            assert isinstance(outcome, ReservedStockConflict), outcome
        else:
            assert outcome is None, outcome
            for code, delta in deltas.items():  # movements since the snapshot stay applied
                self.held[(place, code)] = self.held.get((place, code), 0) + delta
            return
        command = CancelCount(session_id=session_id)
        self.run(CancelCountHandler(self.deps)(self.who, command))

    @rule(code=st.sampled_from(CODES), days=st.integers(-2, 6))
    def redate(self, code: str, days: int) -> None:
        if code not in self.expires:
            return
        lot = self.run(self.lot_id(code))
        when = self.today + timedelta(days=days)
        self.run(UpdateLotHandler(self.deps)(self.who, UpdateLot(lot_id=lot, expires_on=when)))
        self.expires[code] = when

    @rule(hours=st.integers(1, 40))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours * 3600)

    @rule(place=places)
    def receive_serial(self, place: int) -> None:
        line = self.line(self.serial, place, 1, "SN-1", date(2030, 1, 1))
        outcome = self.refused(self.post(MovementType.RECEIPT, line))
        if self.serial_at is None and not self.serial_moving:
            assert outcome is None, outcome
            self.serial_at = place
        else:
            assert isinstance(outcome, SerialLimit), outcome

    @rule(place=places)
    def ship_serial(self, place: int) -> None:
        outcome = self.refused(
            self.post(MovementType.SHIPMENT, self.line(self.serial, place, 1, None))
        )
        if self.serial_at == place:
            assert outcome is None, outcome
            self.serial_at = None
        else:
            assert isinstance(outcome, InsufficientStock), outcome

    async def lot_id(self, code: str) -> UUID:
        async with self.deps.uow(self.who.org_id or "") as uow:
            lot = await uow.lots.by_code(self.item, code)
        assert lot is not None
        return lot.id

    @invariant()
    def figures_match_the_model_and_the_ledger(self) -> None:
        if not hasattr(self, "places"):
            return
        levels, lots, ledger = self.run(self.read())
        for place, location in enumerate(self.places):
            mine = {c: n for (p, c), n in self.held.items() if p == place}
            level = levels.get(location)
            on_hand = sum(mine.values())
            if level is None:
                assert on_hand == 0
                continue
            usable = sum(n for c, n in mine.items() if not self.expired(c))
            expired = on_hand - usable
            assert (level.on_hand, level.available, level.expired) == (on_hand, usable, expired)
            for code, n in mine.items():  # invariant 9: level = sum of lots = ledger per lot
                assert lots[(location, code)] == n == ledger.get((location, code), 0)
        serial_total = sum(n for (item, _, _), n in self.serial_positions.items())
        assert serial_total == (0 if self.serial_at is None else 1)

    async def read(
        self,
    ) -> tuple[dict[UUID, Any], dict[tuple[UUID, str], int], dict[tuple[UUID, str], int]]:
        filters = StockFilter(item_id=self.item)
        page = await ListStockLevelsHandler(self.deps)(self.who, filters, 200, None)
        levels = {level.location_id: level for level in page.items}
        lots: dict[tuple[UUID, str], int] = {}
        self.serial_positions: dict[tuple[UUID, UUID, str], int] = {}
        for item in (self.item, self.serial):
            rows = await ListLotLevelsHandler(self.deps)(
                self.who, StockFilter(item_id=item), 200, None
            )
            for row in rows.items:
                if item == self.item:
                    lots[(row.location_id, row.position.lot.code)] = row.position.on_hand
                else:
                    self.serial_positions[(item, row.location_id, row.position.lot.code)] = (
                        row.position.on_hand
                    )
        ledger: dict[tuple[UUID, str], int] = {}
        cursor = None
        while True:
            movements = await ListMovementsHandler(self.deps)(
                self.who, MovementFilter(item_id=self.item), 200, cursor
            )
            for movement in movements.items:
                for line in movement.lines:
                    assert line.lot_code is not None
                    key = (line.location_id, line.lot_code)
                    ledger[key] = ledger.get(key, 0) + line.delta
            cursor = movements.next_cursor
            if cursor is None:
                return levels, lots, ledger
