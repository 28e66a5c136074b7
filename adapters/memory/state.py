"""The in-memory database: one state per org, replaced wholesale on commit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.ports import FeedEntry
from domain.catalog import Item, Location
from domain.counts import CountSession
from domain.lots import Lot, LotPosition
from domain.movements import Movement
from domain.reservations import Reservation
from domain.stock import LevelKey, StockLevel
from domain.transfers import Transfer


@dataclass(slots=True)
class IdempotencyRecord:
    """A claimed key: the request fingerprint and, once done, its result."""

    fingerprint: str
    created_at: datetime
    result: dict[str, object] | None = None


@dataclass(slots=True)
class OrgState:
    """Everything one org has. Values are frozen dataclasses, so a shallow copy isolates."""

    items: dict[UUID, Item] = field(default_factory=dict)
    locations: dict[UUID, Location] = field(default_factory=dict)
    levels: dict[LevelKey, StockLevel] = field(default_factory=dict)
    movements: dict[UUID, Movement] = field(default_factory=dict)
    reservations: dict[UUID, Reservation] = field(default_factory=dict)
    transfers: dict[UUID, Transfer] = field(default_factory=dict)
    counts: dict[UUID, CountSession] = field(default_factory=dict)
    idempotency: dict[str, IdempotencyRecord] = field(default_factory=dict)
    # The ledger position of each movement: the number of the unit of work that wrote it.
    positions: dict[UUID, int] = field(default_factory=dict)
    reversed_by: dict[UUID, UUID] = field(default_factory=dict)  # original id -> its reversal
    events: list[FeedEntry] = field(default_factory=list)
    webhooks: dict[UUID, Any] = field(default_factory=dict)  # StoredWebhook (memory/webhooks.py)
    lots: dict[UUID, Lot] = field(default_factory=dict)
    # Positions of lot-tracked items per (item, location); the level stays the aggregate.
    lot_levels: dict[LevelKey, dict[UUID, LotPosition]] = field(default_factory=dict)

    def copy(self) -> OrgState:
        return OrgState(
            items=dict(self.items),
            locations=dict(self.locations),
            levels=dict(self.levels),
            movements=dict(self.movements),
            reservations=dict(self.reservations),
            transfers=dict(self.transfers),
            counts=dict(self.counts),
            idempotency={
                k: IdempotencyRecord(v.fingerprint, v.created_at, v.result)
                for k, v in self.idempotency.items()
            },
            positions=dict(self.positions),
            reversed_by=dict(self.reversed_by),
            events=list(self.events),
            webhooks=dict(self.webhooks),
            lots=dict(self.lots),
            lot_levels={key: dict(lots) for key, lots in self.lot_levels.items()},
        )


@dataclass(slots=True)
class RateLimitWindow:
    """A key's current fixed window and the hits counted in it (not org data)."""

    start: datetime
    hits: int


class InMemoryDatabase:
    """All orgs' state plus one lock: units of work run one at a time, like serialized
    transactions, so concurrency semantics match the row-locked Postgres adapter."""

    def __init__(self) -> None:
        self.orgs: dict[str, OrgState] = {}
        self.lock = asyncio.Lock()
        self.rate_limit_windows: dict[str, RateLimitWindow] = {}
        self._transactions = 0
        self._sequence = 0

    def next_transaction(self) -> int:
        """A number for a unit of work holding the lock: units of work run one at a time, so
        these numbers are in commit order (the twin of Postgres's transaction ids)."""
        self._transactions += 1
        return self._transactions

    def next_sequence(self) -> int:
        """The next event's sequence number (across orgs, like the Postgres identity)."""
        self._sequence += 1
        return self._sequence

    def state(self, org_id: str) -> OrgState:
        return self.orgs.get(org_id) or OrgState()
