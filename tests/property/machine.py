"""A hypothesis state machine driving the use cases with random operations (clock advances
past expiry included) and checking every invariant of docs/design.md §3 after each step, and
that each step wrote exactly the events the model expects of it."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from application.ports import ExpiredReservations
from application.principal import Principal
from application.use_cases.base import Deps
from domain.errors import NotFound, StockroomError
from domain.events import EventType, stock_signals
from tests.property import operations as ops
from tests.property.model import Model
from tests.property.workflow_rules import WorkflowRules

T = TypeVar("T")

ITEMS, LOCATIONS = 2, 2
keys = st.tuples(st.integers(0, ITEMS - 1), st.integers(0, LOCATIONS - 1))
small = st.integers(1, 12)


@dataclass
class Backend:
    """What the machine runs on: use-case deps (with a ManualClock), the expiry listing, a loop."""

    deps: Deps
    expired: ExpiredReservations
    loop: asyncio.AbstractEventLoop


class InventoryMachine(WorkflowRules, RuleBasedStateMachine):
    """Random operations on one fresh org; a bystander org must never see or feel them.
    Transfers in transit, count sessions and reversals: ``WorkflowRules``."""

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.b = backend
        self.model = Model()
        org = f"org-{uuid.uuid4().hex[:12]}"
        self.admin = Principal.from_claims(user_id="admin-1", org_id=org, raw_role="admin")
        self.outsider = Principal.from_claims(
            user_id="spy-1", org_id=f"other-{org}", raw_role="owner"
        )
        self.ops = ops.Operations(backend.deps, backend.expired, self.admin)
        self.start_workflows()
        self.reservation_ids: list[str] = []
        # Events the current step should have written: their types, and whether the derived
        # signals can be predicted (not while a hold past expiry is still counted in storage).
        self.expected: Counter[str] = Counter()
        self.signals_known = True

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.b.loop.run_until_complete(awaitable)

    def expect(
        self, action: Callable[[], Awaitable[Any]], error: type[StockroomError] | None
    ) -> Any:
        """Run ``action``; it must succeed when ``error`` is None, else raise exactly that."""
        try:
            result = self.run(action())
        except StockroomError as exc:
            assert error is not None, f"unexpected refusal {exc.code}: {exc.detail}"
            assert type(exc) is error, f"expected {error.__name__}, got {type(exc).__name__}"
            return None
        assert error is None, f"expected {error.__name__}, but it succeeded"
        return result

    def available(self, keys: Iterable[ops.Key]) -> dict[ops.Key, int]:
        return {key: self.model.available(key) for key in keys}

    def announce(
        self, kinds: list[str], before: dict[ops.Key, int], consumed: Iterable[ops.Key] = ()
    ) -> None:
        """After a successful step: it wrote ``kinds``, one ``stock_level.changed`` per level
        in ``before`` (with the signals its available stock crossed), and, for each reservation
        past expiry it released at the ``consumed`` levels, that reservation's announcement and
        a ``stock_level.changed`` per other level of it that got stock back."""
        self.signals_known = not self.model.unmarked_expiry()
        expired = self.model.release_expired_at(set(consumed))
        self.expected.update(kinds)
        for _, announced, levels in expired:
            self.expected["reservation.expired"] += 1 if announced else 0
            self.expected["stock_level.changed"] += len([k for k in levels if k not in before])
        for key, was in before.items():
            self.expected["stock_level.changed"] += 1
            now = self.model.available(key)
            for signal in stock_signals(was, now, self.model.reorder_points[key[0]]):
                self.expected[signal.value] += 1

    @initialize()
    def catalog(self) -> None:
        self.run(self.ops.create_catalog(ITEMS, LOCATIONS, [5, None]))
        self.expected.update({"item.created": ITEMS, "location.created": LOCATIONS})

    @rule(key=keys, quantity=small)
    def receive(self, key: ops.Key, quantity: int) -> None:
        before = self.available([key])
        posted = self.expect(lambda: self.ops.receive(key, quantity), None)
        self.model.add(key, quantity)
        self.moved(posted.id, "receipt", [(key, quantity)])
        self.announce(["movement.posted"], before)

    @rule(key=keys, quantity=small)
    def ship(self, key: ops.Key, quantity: int) -> None:
        error = ops.expect_take(self.model, key, quantity)
        before = self.available([key])
        if (posted := self.expect(lambda: self.ops.ship(key, quantity), error)) is not None:
            self.model.add(key, -quantity)
            self.moved(posted.id, "shipment", [(key, -quantity)])
            self.announce(["movement.posted"], before, [key])

    @rule(item=st.integers(0, ITEMS - 1), quantity=small)
    def transfer(self, item: int, quantity: int) -> None:
        source, destination = (item, 0), (item, 1)
        total = sum(self.model.on_hand.get((item, loc), 0) for loc in range(LOCATIONS))
        error = ops.expect_take(self.model, source, quantity)
        before = self.available([source, destination])
        posted = self.expect(lambda: self.ops.transfer(item, 0, 1, quantity), error)
        if posted is not None:
            self.model.add(source, -quantity)
            self.model.add(destination, quantity)
            self.moved(posted.id, "transfer", [(source, -quantity), (destination, quantity)])
            self.announce(["movement.posted"], before, [source])
        assert total == self.ops_total(item), "a transfer must conserve the item's on_hand"

    @rule(key=keys, delta=st.integers(-12, 12).filter(bool))
    def adjust(self, key: ops.Key, delta: int) -> None:
        error = ops.expect_adjust(self.model, key, delta)
        before = self.available([key])
        if (posted := self.expect(lambda: self.ops.adjust(key, delta), error)) is not None:
            self.model.add(key, delta)
            self.moved(posted.id, "adjustment", [(key, delta)])
            self.announce(["movement.posted"], before, [key] if delta < 0 else [])

    @rule(key=keys, counted=st.integers(0, 20), guard=st.sampled_from([None, "right", "wrong"]))
    def count(self, key: ops.Key, counted: int, guard: str | None) -> None:
        on_hand = self.model.on_hand.get(key, 0)
        expected = None if guard is None else on_hand + (0 if guard == "right" else 1)
        error = ops.expect_count(self.model, key, counted, expected)
        before = self.available([key])
        posted = self.expect(lambda: self.ops.count(key, counted, expected), error)
        if posted is not None:
            self.model.on_hand[key] = counted
            self.moved(posted.id, "count", [(key, counted - on_hand)])
            self.announce(["movement.posted"], before, [key])

    @rule(
        lines=st.dictionaries(keys, small, min_size=1, max_size=3),
        ttl=st.one_of(st.none(), st.integers(1, 90)),
    )
    def reserve(self, lines: dict[ops.Key, int], ttl: int | None) -> None:
        error = ops.expect_reserve(self.model, lines)
        before = self.available(lines)
        created = self.expect(lambda: self.ops.reserve(lines, ttl), error)
        if created is not None:
            self.model.reservations[created] = ops.model_reservation(self.model, lines, ttl)
            self.reservation_ids.append(created)
            self.announce(["reservation.created"], before, lines)

    @precondition(lambda self: self.reservation_ids)
    @rule(pick=st.integers(0, 10**6), part=st.sampled_from([None, 1, 2]), fulfil=st.booleans())
    def settle(self, pick: int, part: int | None, fulfil: bool) -> None:
        rid = self.reservation_ids[pick % len(self.reservation_ids)]
        parts, error = ops.expect_settle(self.model, rid, part)
        settled = parts or ops.open_parts(self.model, rid)
        before = self.available(settled)
        done = self.expect(lambda: self.ops.settle(rid, parts, fulfil=fulfil), error)
        if done is not None:
            self.model.reservations[rid].settle(settled, fulfil=fulfil)
            for key, quantity in settled.items():
                self.model.add(key, -quantity if fulfil else 0)
            if fulfil:
                shipped = [(key, -quantity) for key, quantity in settled.items()]
                self.moved(done.movement_id, "shipment", shipped)
            kinds = ["reservation.fulfilled", "movement.posted"] if fulfil else []
            self.announce(kinds or ["reservation.released"], before)

    @precondition(lambda self: self.reservation_ids)
    @rule(pick=st.integers(0, 10**6), ttl=st.integers(1, 90))
    def extend(self, pick: int, ttl: int) -> None:
        rid = self.reservation_ids[pick % len(self.reservation_ids)]
        status = self.model.reservations[rid].effective_status(self.model.now)
        error = None if status == "active" else ops.InvalidTransition
        if self.expect(lambda: self.ops.extend(rid, ttl), error) is not None:
            self.model.reservations[rid].expires_at = self.model.now + ttl
            self.announce(["reservation.extended"], {})

    @rule(seconds=st.integers(1, 60))
    def advance_clock(self, seconds: int) -> None:
        self.b.deps.clock.advance(seconds)  # type: ignore[attr-defined]
        self.model.now += seconds

    @rule()
    def expire_reservations(self) -> None:
        self.run(self.ops.expire_reservations())
        self.signals_known = False  # stored levels counted the expired holds until now
        for _, announced, levels in self.model.expire_reservations():
            self.expected.update(["reservation.expired"] if announced else [])
            self.expected["stock_level.changed"] += len(levels)

    @rule(key=keys, quantity=small)
    def replay_is_applied_once(self, key: ops.Key, quantity: int) -> None:
        before = self.available([key])
        first, second = self.run(self.ops.receive_twice_with_one_key(key, quantity))
        assert second.replayed and second.value == first.value
        self.model.add(key, quantity)
        self.moved(first.value.id, "receipt", [(key, quantity)])
        self.announce(["movement.posted"], before)  # the replay writes nothing

    @precondition(lambda self: self.reservation_ids)
    @rule(pick=st.integers(0, 10**6))
    def outsider_sees_nothing(self, pick: int) -> None:
        rid = self.reservation_ids[pick % len(self.reservation_ids)]
        self.expect(lambda: self.ops.get_reservation(rid, self.outsider), NotFound)
        levels = self.run(self.ops.all_levels(self.outsider))
        assert levels == [], "another org's stock must be invisible"

    def ops_total(self, item: int) -> int:
        levels = self.run(self.ops.all_levels(self.admin))
        return sum(lv.on_hand for lv in levels if lv.item_id == self.ops.items[item])

    @invariant()
    def each_step_wrote_the_events_the_model_expects(self) -> None:
        events = self.run(self.ops.new_events())
        expected, self.expected = self.expected, Counter()
        signals = {EventType.STOCK_LEVEL_LOW, EventType.STOCK_LEVEL_OUT}
        signals.add(EventType.STOCK_LEVEL_RESTOCKED)
        written = Counter(
            e.type.value for e in events if self.signals_known or e.type not in signals
        )
        if not self.signals_known:
            expected = Counter({k: n for k, n in expected.items() if EventType(k) not in signals})
        assert written == expected, f"events {dict(written)} != expected {dict(expected)}"
        for event in events:
            if event.type is EventType.STOCK_LEVEL_CHANGED:
                key = self.ops.key_of_subject(event.subject_id)
                assert event.data["on_hand"] == self.model.on_hand.get(key, 0), key
                assert event.data["incoming"] == self.warehouse.incoming(key), key
                if self.signals_known:
                    assert event.data["reserved"] == self.model.reserved(key), key
        self.signals_known = True

    @invariant()
    def levels_match_ledger_and_model(self) -> None:
        levels = {self.ops.key_of(lv): lv for lv in self.run(self.ops.all_levels(self.admin))}
        ledger = self.run(self.ops.ledger_sums())
        for key in set(levels) | set(self.model.on_hand) | set(ledger):
            level = levels.get(key)
            on_hand = level.on_hand if level else 0
            reserved = level.reserved if level else 0
            assert on_hand == ledger.get(key, 0), f"{key}: on_hand {on_hand} != ledger sum"
            assert on_hand == self.model.on_hand.get(key, 0), f"{key}: on_hand differs from model"
            assert 0 <= reserved <= on_hand, f"{key}: reserved {reserved}, on_hand {on_hand}"
            assert reserved == self.model.reserved(key), f"{key}: reserved differs from model"

    @invariant()
    def reservations_match_model(self) -> None:
        for rid, expected in self.model.reservations.items():
            actual = self.run(self.ops.get_reservation(rid, self.admin))
            assert actual.status.value == expected.effective_status(self.model.now), rid
            expired = actual.status.value == "expired"
            for line in actual.lines:
                model_line = expected.lines[self.ops.key_of(line)]
                assert line.quantity == line.fulfilled + line.released + (
                    0 if actual.status.value != "active" else model_line.open
                )
                assert line.fulfilled == model_line.fulfilled
                released = model_line.released + (model_line.open if expired else 0)
                assert line.released == released, f"{rid}: released differs from model"
