"""A hypothesis state machine driving the use cases with random operations (clock advances
past expiry included) and checking every invariant of docs/design.md §3 after each step."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from application.ports import ExpiredReservations
from application.principal import Principal
from application.use_cases.base import Deps
from domain.errors import NotFound, StockroomError
from tests.property import operations as ops
from tests.property.model import Model

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


class InventoryMachine(RuleBasedStateMachine):
    """Random operations on one fresh org; a bystander org must never see or feel them."""

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
        self.reservation_ids: list[str] = []

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

    @initialize()
    def catalog(self) -> None:
        self.run(self.ops.create_catalog(ITEMS, LOCATIONS))

    @rule(key=keys, quantity=small)
    def receive(self, key: ops.Key, quantity: int) -> None:
        self.expect(lambda: self.ops.receive(key, quantity), None)
        self.model.add(key, quantity)

    @rule(key=keys, quantity=small)
    def ship(self, key: ops.Key, quantity: int) -> None:
        error = ops.expect_take(self.model, key, quantity)
        if self.expect(lambda: self.ops.ship(key, quantity), error) is not None:
            self.model.add(key, -quantity)

    @rule(item=st.integers(0, ITEMS - 1), quantity=small)
    def transfer(self, item: int, quantity: int) -> None:
        source, destination = (item, 0), (item, 1)
        total = sum(self.model.on_hand.get((item, loc), 0) for loc in range(LOCATIONS))
        error = ops.expect_take(self.model, source, quantity)
        if self.expect(lambda: self.ops.transfer(item, 0, 1, quantity), error) is not None:
            self.model.add(source, -quantity)
            self.model.add(destination, quantity)
        assert total == self.ops_total(item), "a transfer must conserve the item's on_hand"

    @rule(key=keys, delta=st.integers(-12, 12).filter(bool))
    def adjust(self, key: ops.Key, delta: int) -> None:
        error = ops.expect_adjust(self.model, key, delta)
        if self.expect(lambda: self.ops.adjust(key, delta), error) is not None:
            self.model.add(key, delta)

    @rule(key=keys, counted=st.integers(0, 20), guard=st.sampled_from([None, "right", "wrong"]))
    def count(self, key: ops.Key, counted: int, guard: str | None) -> None:
        on_hand = self.model.on_hand.get(key, 0)
        expected = None if guard is None else on_hand + (0 if guard == "right" else 1)
        error = ops.expect_count(self.model, key, counted, expected)
        if self.expect(lambda: self.ops.count(key, counted, expected), error) is not None:
            self.model.on_hand[key] = counted

    @rule(
        lines=st.dictionaries(keys, small, min_size=1, max_size=3),
        ttl=st.one_of(st.none(), st.integers(1, 90)),
    )
    def reserve(self, lines: dict[ops.Key, int], ttl: int | None) -> None:
        error = ops.expect_reserve(self.model, lines)
        created = self.expect(lambda: self.ops.reserve(lines, ttl), error)
        if created is not None:
            self.model.reservations[created] = ops.model_reservation(self.model, lines, ttl)
            self.reservation_ids.append(created)

    @precondition(lambda self: self.reservation_ids)
    @rule(pick=st.integers(0, 10**6), part=st.sampled_from([None, 1, 2]), fulfil=st.booleans())
    def settle(self, pick: int, part: int | None, fulfil: bool) -> None:
        rid = self.reservation_ids[pick % len(self.reservation_ids)]
        parts, error = ops.expect_settle(self.model, rid, part)
        settled = parts or ops.open_parts(self.model, rid)
        if self.expect(lambda: self.ops.settle(rid, parts, fulfil=fulfil), error) is not None:
            self.model.reservations[rid].settle(settled, fulfil=fulfil)
            for key, quantity in settled.items():
                self.model.add(key, -quantity if fulfil else 0)

    @precondition(lambda self: self.reservation_ids)
    @rule(pick=st.integers(0, 10**6), ttl=st.integers(1, 90))
    def extend(self, pick: int, ttl: int) -> None:
        rid = self.reservation_ids[pick % len(self.reservation_ids)]
        status = self.model.reservations[rid].effective_status(self.model.now)
        error = None if status == "active" else ops.InvalidTransition
        if self.expect(lambda: self.ops.extend(rid, ttl), error) is not None:
            self.model.reservations[rid].expires_at = self.model.now + ttl

    @rule(seconds=st.integers(1, 60))
    def advance_clock(self, seconds: int) -> None:
        self.b.deps.clock.advance(seconds)  # type: ignore[attr-defined]
        self.model.now += seconds

    @rule()
    def expire_reservations(self) -> None:
        self.run(self.ops.expire_reservations())
        self.model.expire_reservations()

    @rule(key=keys, quantity=small)
    def replay_is_applied_once(self, key: ops.Key, quantity: int) -> None:
        first, second = self.run(self.ops.receive_twice_with_one_key(key, quantity))
        assert second.replayed and second.value == first.value
        self.model.add(key, quantity)

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
