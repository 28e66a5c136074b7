"""A deliberately simple reference model of stock and reservations, written without the domain
code, so the state machine compares two independent descriptions of the same rules."""

from __future__ import annotations

from dataclasses import dataclass, field

Key = tuple[int, int]  # (item index, location index)


@dataclass
class ModelLine:
    quantity: int
    fulfilled: int = 0
    released: int = 0

    @property
    def open(self) -> int:
        return self.quantity - self.fulfilled - self.released


@dataclass
class ModelReservation:
    lines: dict[Key, ModelLine]
    expires_at: float | None  # seconds on the model clock
    status: str = "active"

    def effective_status(self, now: float) -> str:
        if self.status == "active" and self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return self.status

    def settle(self, parts: dict[Key, int], *, fulfil: bool) -> None:
        for key, quantity in parts.items():
            line = self.lines[key]
            if fulfil:
                line.fulfilled += quantity
            else:
                line.released += quantity
        if all(line.open == 0 for line in self.lines.values()):
            done = any(line.fulfilled for line in self.lines.values())
            self.status = "fulfilled" if done else "released"


@dataclass
class Model:
    now: float = 0.0
    on_hand: dict[Key, int] = field(default_factory=dict)
    reservations: dict[str, ModelReservation] = field(default_factory=dict)
    reorder_points: dict[int, int | None] = field(default_factory=lambda: {0: 5, 1: None})
    announced_expired: set[str] = field(default_factory=set)  # reservation.expired written

    def unmarked_expiry(self) -> bool:
        """Some reservation is past expiry but not yet marked: stored levels still count it."""
        return any(
            r.status == "active" and r.effective_status(self.now) == "expired"
            for r in self.reservations.values()
        )

    def release_expired_at(self, keys: set[Key]) -> list[tuple[str, bool, list[Key]]]:
        """What a write that needs stock at ``keys`` does first: every reservation past
        expiry with an open line there is marked expired and all its open lines released.
        Returns per such reservation whether it is announced now, and the levels released."""
        expired = []
        for rid, r in self.reservations.items():
            if r.status != "active" or r.effective_status(self.now) != "expired":
                continue
            if not any(key in keys and line.open for key, line in r.lines.items()):
                continue
            levels = [key for key, line in r.lines.items() if line.open]
            for line in r.lines.values():
                line.released += line.open
            r.status = "expired"
            announce = rid not in self.announced_expired
            self.announced_expired.add(rid)
            expired.append((rid, announce, levels))
        return expired

    def reserved(self, key: Key) -> int:
        return sum(
            r.lines[key].open
            for r in self.reservations.values()
            if key in r.lines and r.effective_status(self.now) == "active"
        )

    def available(self, key: Key) -> int:
        return self.on_hand.get(key, 0) - self.reserved(key)

    def add(self, key: Key, delta: int) -> None:
        self.on_hand[key] = self.on_hand.get(key, 0) + delta

    def expire_reservations(self) -> list[tuple[str, bool, list[Key]]]:
        """What the expiry job does: expired reservations become final, releasing what is open.
        Returns per reservation whether it is announced now, and the levels it releases."""
        expired = []
        for rid, r in self.reservations.items():
            if r.effective_status(self.now) == "expired" and r.status == "active":
                levels = [key for key, line in r.lines.items() if line.open]
                for line in r.lines.values():
                    line.released += line.open
                r.status = "expired"
                announce = rid not in self.announced_expired
                self.announced_expired.add(rid)
                expired.append((rid, announce, levels))
        return expired


# --- warehouse workflows: transfers in transit, count sessions, reversals -------------------


@dataclass
class ModelTransfer:
    item: int
    source: int
    destination: int
    shipped: int
    received: int = 0
    cancelled: int = 0
    status: str = "in_transit"

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received - self.cancelled


@dataclass
class ModelCount:
    location: int
    expected: dict[int, int]  # item -> on_hand at the snapshot
    listed: bool
    counted: dict[int, int] = field(default_factory=dict)
    status: str = "open"


@dataclass
class ModelMovement:
    kind: str
    deltas: list[tuple[Key, int]]
    reversed: bool = False


@dataclass
class Warehouse:
    """What the workflows add to the model. ``conserved`` is each item's on_hand plus in
    transit, moved only by what may change it (receipts, shipments, adjustments, counts,
    reversals): transfers of either kind must leave it as it is."""

    transfers: dict[str, ModelTransfer] = field(default_factory=dict)
    counts: dict[str, ModelCount] = field(default_factory=dict)
    movements: dict[str, ModelMovement] = field(default_factory=dict)
    conserved: dict[int, int] = field(default_factory=dict)

    def incoming(self, key: Key) -> int:
        item, location = key
        return sum(
            t.in_transit
            for t in self.transfers.values()
            if (t.item, t.destination) == (item, location)
        )

    def changes_total(self, item: int, delta: int) -> None:
        self.conserved[item] = self.conserved.get(item, 0) + delta

    def record(self, movement_id: str, kind: str, deltas: list[tuple[Key, int]]) -> None:
        self.movements[movement_id] = ModelMovement(kind, deltas)
