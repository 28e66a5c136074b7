"""The state machine's rules for transfers in transit, count sessions and reversals, and the
invariants they add: each item's total on hand plus in transit changes only by what may
change it, and each level's ``incoming`` is what is in transit towards it."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from domain.errors import InsufficientStock, InvalidCountState
from tests.property import workflow_ops as wf
from tests.property.model import Key, ModelCount, ModelTransfer, Warehouse

ITEMS, LOCATIONS = 2, 2
picks = st.integers(0, 10**6)


class WorkflowRules:
    """Mixed into the inventory machine, which provides ``model``, ``ops``, ``expect``,
    ``announce``, ``available`` and ``run``; ``workflows`` is built with its catalog."""

    warehouse: Warehouse
    workflows: wf.WorkflowOperations
    model: Any
    ops: Any

    def start_workflows(self) -> None:
        self.warehouse = Warehouse()
        self.workflows = wf.WorkflowOperations(
            self.ops.deps, self.ops.principal, self.ops.items, self.ops.locations
        )

    def _open_transfers(self) -> dict[str, ModelTransfer]:
        # Receipts and counts go mostly to open documents; cancels to any (ended ones refuse).
        return {
            tid: t
            for tid, t in self.warehouse.transfers.items()
            if t.status in ("in_transit", "partially_received")
        }

    def _open_counts(self, *, counted: bool = False) -> dict[str, ModelCount]:
        return {
            sid: c
            for sid, c in self.warehouse.counts.items()
            if c.status == "open" and (c.counted or not counted)
        }

    def _pick(self, kind: dict[str, Any], pick: int) -> str:
        # In the order they were made: ids are random, so sorting them would pick differently
        # when hypothesis replays a failing run.
        return list(kind)[pick % len(kind)]

    # --- transfers in transit -------------------------------------------------------------

    @rule(item=st.integers(0, ITEMS - 1), quantity=st.integers(1, 12), back=st.booleans())
    def ship_transfer(self, item: int, quantity: int, back: bool) -> None:
        source, destination = (1, 0) if back else (0, 1)
        error = None if quantity <= self.model.available((item, source)) else InsufficientStock
        before = self.available([(item, source), (item, destination)])
        moved = self.expect(lambda: self.workflows.ship(item, source, destination, quantity), error)
        if moved is None:
            return
        tid = str(moved.transfer.id)
        self.model.add((item, source), -quantity)
        self.model.add((item, destination), 0)  # the level exists now, expecting the stock
        self.warehouse.transfers[tid] = ModelTransfer(item, source, destination, quantity)
        self.warehouse.record(str(moved.movement_id), "transfer_out", [((item, source), -quantity)])
        self.announce(["transfer.created", "movement.posted"], before, [(item, source)])

    @precondition(lambda self: self._open_transfers())
    @rule(pick=picks, part=st.sampled_from([None, 1, 2, 5]))
    def receive_transfer(self, pick: int, part: int | None) -> None:
        tid = self._pick(self._open_transfers(), pick)
        transfer = self.warehouse.transfers[tid]
        key = (transfer.item, transfer.destination)
        error = wf.expect_receive(transfer, part)
        before = self.available([key])
        moved = self.expect(lambda: self.workflows.receive(tid, transfer.item, part), error)
        if moved is None:
            return
        taken = transfer.in_transit if part is None else part
        transfer.received += taken
        transfer.status = "received" if transfer.in_transit == 0 else "partially_received"
        self.model.add(key, taken)
        self.warehouse.record(str(moved.movement_id), "transfer_in", [(key, taken)])
        self.announce(["transfer.received", "movement.posted"], before)

    @precondition(lambda self: self.warehouse.transfers)
    @rule(pick=picks)
    def cancel_transfer(self, pick: int) -> None:
        tid = self._pick(self.warehouse.transfers, pick)
        transfer = self.warehouse.transfers[tid]
        source = (transfer.item, transfer.source)
        before = self.available([source, (transfer.item, transfer.destination)])
        error = wf.expect_cancel(transfer)
        moved = self.expect(lambda: self.workflows.cancel(tid), error)
        if moved is None:
            return
        returned = transfer.in_transit
        transfer.cancelled += returned
        transfer.status = "cancelled"
        self.model.add(source, returned)
        self.warehouse.record(str(moved.movement_id), "transfer_in", [(source, returned)])
        self.announce(["transfer.cancelled", "movement.posted"], before)

    # --- count sessions -------------------------------------------------------------------

    @rule(location=st.integers(0, LOCATIONS - 1), listed=st.booleans())
    def open_count(self, location: int, listed: bool) -> None:
        items = [0] if listed else None
        session = self.expect(lambda: self.workflows.open_count(location, items), None)
        snapshot = {
            item: self.model.on_hand.get((item, location), 0)
            for item in range(ITEMS)
            if (listed and item == 0) or (not listed and (item, location) in self.model.on_hand)
        }
        self.warehouse.counts[str(session.id)] = ModelCount(location, snapshot, listed)
        self.announce(["count_session.created"], {})

    @precondition(lambda self: self._open_counts())
    @rule(pick=picks, item=st.integers(0, ITEMS - 1), counted=st.integers(0, 20))
    def record_count(self, pick: int, item: int, counted: int) -> None:
        sid = self._pick(self._open_counts(), pick)
        count = self.warehouse.counts[sid]
        error = wf.expect_record(count, item)
        if self.expect(lambda: self.workflows.record(sid, item, counted), error) is None:
            return
        count.counted[item] = counted
        self.announce(["count_session.counted"], {})

    @precondition(lambda self: self._open_counts(counted=True))
    @rule(pick=picks)
    def post_count(self, pick: int) -> None:
        sid = self._pick(self._open_counts(counted=True), pick)
        count = self.warehouse.counts[sid]
        error = wf.expect_post(self.model, count)
        deltas = wf.count_deltas(count)
        before = self.available(deltas)
        posted = self.expect(lambda: self.workflows.post(sid), error)
        if posted is None:
            return
        count.status = "posted"
        for (item, location), delta in deltas.items():
            self.model.add((item, location), delta)
            self.warehouse.changes_total(item, delta)
        self.warehouse.record(str(posted.movement_id), "count", list(deltas.items()))
        consumed = [key for key, delta in deltas.items() if delta < 0]
        self.announce(["count_session.posted", "movement.posted"], before, consumed)

    @precondition(lambda self: self.warehouse.counts)
    @rule(pick=picks)
    def cancel_count(self, pick: int) -> None:
        sid = self._pick(self.warehouse.counts, pick)
        count = self.warehouse.counts[sid]
        error = None if count.status == "open" else InvalidCountState
        if self.expect(lambda: self.workflows.cancel_count(sid), error) is None:
            return
        count.status = "cancelled"
        self.announce(["count_session.cancelled"], {})

    # --- reversals ------------------------------------------------------------------------

    @precondition(lambda self: self.warehouse.movements)
    @rule(pick=picks)
    def reverse(self, pick: int) -> None:
        mid = self._pick(self.warehouse.movements, pick)
        record = self.warehouse.movements[mid]
        error = wf.expect_reverse(self.model, self.warehouse, mid)
        before = self.available(key for key, _ in record.deltas)
        reversal = self.expect(lambda: self.workflows.reverse(mid), error)
        if reversal is None:
            return
        record.reversed = True
        negated = [(key, -delta) for key, delta in record.deltas]
        for key, delta in negated:
            self.model.add(key, delta)
            self.warehouse.changes_total(key[0], delta)
        self.warehouse.record(str(reversal.id), "reversal", negated)
        consumed = [key for key, delta in negated if delta < 0]
        self.announce(["movement.posted", "movement.reversed"], before, consumed)

    # --- what the model remembers of the other rules ----------------------------------------

    def moved(self, movement: Any, kind: str, deltas: list[tuple[Key, int]]) -> None:
        """A movement another rule posted: it may be reversed; it changes the conserved
        totals unless it is a transfer."""
        self.warehouse.record(str(movement), kind, deltas)
        if kind != "transfer":
            for (item, _), delta in deltas:
                self.warehouse.changes_total(item, delta)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def on_hand_plus_in_transit_is_conserved_per_item(self) -> None:
        levels = self.run(self.ops.all_levels(self.ops.principal))
        for item in range(ITEMS):
            mine = [lv for lv in levels if lv.item_id == self.ops.items[item]]
            total = sum(lv.on_hand + lv.incoming for lv in mine)
            assert total == self.warehouse.conserved.get(item, 0), f"item {item}: total {total}"
        for lv in levels:
            key = self.ops.key_of(lv)
            assert lv.incoming == self.warehouse.incoming(key), f"{key}: incoming {lv.incoming}"

    @invariant()
    def transfers_match_the_model(self) -> None:
        for tid, expected in self.warehouse.transfers.items():
            actual = self.run(self.workflows.transfer(tid))
            [line] = actual.lines
            got = (actual.status.value, line.shipped, line.received, line.cancelled)
            assert got == (
                expected.status,
                expected.shipped,
                expected.received,
                expected.cancelled,
            ), tid
