"""In-memory unit of work: a private working copy, published only on commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from adapters.event_signal import InProcessEventSignal
from adapters.memory.catalog import InMemoryItems, InMemoryLocations
from adapters.memory.events import InMemoryEvents
from adapters.memory.idempotency import InMemoryIdempotencyStore
from adapters.memory.ledger import InMemoryMovements, InMemoryReservations
from adapters.memory.lots import InMemoryLots
from adapters.memory.state import InMemoryDatabase, OrgState
from adapters.memory.stock import InMemoryStockLevels
from adapters.memory.webhooks import InMemoryWebhooks
from adapters.memory.workflows import InMemoryCountSessions, InMemoryTransfers
from application.errors import StorageUnavailable
from application.events import reservation_created
from application.ports import EventSignal, FirstHold, UnitOfWork, UnitOfWorkFactory
from domain.reservations import Reservation
from domain.stock import Reserve


class InMemoryUnitOfWork(UnitOfWork):
    """Holds the database lock for its lifetime; rollback is dropping the working copy."""

    def __init__(
        self, db: InMemoryDatabase, org_id: str, signal: EventSignal | None = None
    ) -> None:
        self._db = db
        self._signal = signal
        self._org_id = org_id
        self._working: OrgState | None = None
        self._transaction = 0

    async def __aenter__(self) -> InMemoryUnitOfWork:
        await self._db.lock.acquire()
        self._transaction = self._db.next_transaction()
        self._bind(self._db.state(self._org_id).copy())
        return self

    def _bind(self, working: OrgState) -> None:
        self._working = working
        self.items = InMemoryItems(working)
        self.locations = InMemoryLocations(working)
        self.stock = InMemoryStockLevels(working)
        self.movements = InMemoryMovements(working, self._transaction)
        self.reservations = InMemoryReservations(working)
        self.lots = InMemoryLots(working)
        self.transfers = InMemoryTransfers(working)
        self.counts = InMemoryCountSessions(working)
        self.idempotency = InMemoryIdempotencyStore(working)
        self.events = InMemoryEvents(working, self._transaction, self._db.next_sequence)
        self.webhooks = InMemoryWebhooks(working, self._transaction)

    async def __aexit__(self, *exc: object) -> None:
        self._working = None
        self._db.lock.release()

    async def commit(self) -> None:
        if self._working is None:
            raise StorageUnavailable("commit outside an open unit of work")
        self._db.orgs[self._org_id] = self._working
        if self.events.added and self._signal is not None:
            self._signal.notify(self._org_id)
        self._bind(self._working.copy())  # later writes in this block stay uncommitted

    async def reserve_and_commit(
        self, reservation: Reservation, now: datetime, new_id: Callable[[], UUID]
    ) -> FirstHold:
        first = await self.reservations.add_and_reserve(reservation, now)
        if first.change is not None:
            (line,) = reservation.lines
            reorder_points = {item.id: item.reorder_point for item in first.items.values()}
            changes = [(Reserve(line.quantity), first.change)]
            self.events.add(reservation_created(new_id, reservation, changes, reorder_points, now))
        await self.commit()  # as Postgres's flight does, matched or not
        return first


class InMemoryUnitOfWorkFactory(UnitOfWorkFactory):
    """Opens units of work on one shared in-memory database."""

    def __init__(self, db: InMemoryDatabase, event_signal: EventSignal | None = None) -> None:
        self.db = db
        self.event_signal = event_signal or InProcessEventSignal()

    def __call__(self, org_id: str, *, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.db, org_id, self.event_signal)
