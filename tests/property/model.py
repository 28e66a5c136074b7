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

    def expire_reservations(self) -> None:
        """What the expiry job does: expired reservations become final, releasing what is open."""
        for r in self.reservations.values():
            if r.effective_status(self.now) == "expired" and r.status == "active":
                for line in r.lines.values():
                    line.released += line.open
                r.status = "expired"
