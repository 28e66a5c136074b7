"""Ports: what the use cases need from the outside world, as Protocols adapters subclass."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar
from uuid import UUID

from application.pagination import PageRequest
from application.principal import Principal
from application.webhooks.ports import Webhooks
from application.workflow_ports import CountSessions, Transfers
from domain.catalog import Item, Location
from domain.events import Event, EventType
from domain.lot_holds import LotHold
from domain.movements import Movement, MovementType
from domain.reservations import Reservation, ReservationStatus
from domain.stock import LevelKey, StockChange, StockLevel

if TYPE_CHECKING:  # lot_ports builds on LevelChange below
    from application.lot_ports import Lots

E = TypeVar("E", Item, Location)


class Clock(Protocol):
    """The current time (UTC, timezone-aware)."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """New unique ids for entities and ledger documents."""

    def new_id(self) -> UUID: ...


class TokenVerifier(Protocol):
    """Turns a bearer token into a Principal; raises Unauthenticated or IdentityProviderUnavailable."""

    async def verify(self, token: str) -> Principal: ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An access token minted by the identity provider for a signed-in user."""

    access_token: str
    expires_in: int


class LoginClient(Protocol):
    """Signs a user in at the identity provider; raises InvalidCredentials, RateLimited (the
    provider's own limit) or IdentityProviderUnavailable. ``client_ip`` is the address the
    attempt came from, for the provider's per-address limits."""

    async def login(
        self, email: str, password: str, organization_id: str | None, client_ip: str | None = None
    ) -> IssuedToken: ...


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Outcome of one hit against a fixed-window limit."""

    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the window resets


class RateLimiter(Protocol):
    """Counts hits per key in fixed windows, shared by every API process."""

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision: ...


# --- Persistence ---------------------------------------------------------------------------
# Every repository is bound to one org by its Unit of Work; none of them commits.


@dataclass(frozen=True, slots=True, kw_only=True)
class StockFilter:
    """Filters of GET /v1/stock-levels."""

    item_id: UUID | None = None
    location_id: UUID | None = None
    below_reorder_point: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementFilter:
    """Filters of GET /v1/movements; ``since`` inclusive, ``until`` exclusive."""

    item_id: UUID | None = None
    location_id: UUID | None = None
    type: MovementType | None = None
    reference: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationFilter:
    """Filters of GET /v1/reservations; status is the effective one (expiry counts)."""

    status: ReservationStatus | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class LevelChange:
    """A stock level after a change, and how much its on_hand moved."""

    level: StockLevel
    on_hand_delta: int


@dataclass(frozen=True, slots=True)
class ExpiredHolds:
    """Holds of expired reservations just released: per level, the reservations, and each
    (reservation, level, quantity) released (the events of a level only a release touched)."""

    by_level: dict[LevelKey, int]
    reservation_ids: tuple[UUID, ...] = ()
    lines: tuple[tuple[UUID, LevelKey, int], ...] = ()
    # Of those lines, the ones held in lots (ADR 0031): what each lot held, in pick order.
    lots: tuple[tuple[UUID, LevelKey, tuple[LotHold, ...]], ...] = ()

    def holds_at(self, key: LevelKey, reservation_id: UUID | None = None) -> list[LotHold]:
        """The lot holds released at ``key`` (of one reservation, or of all of them)."""
        return [
            hold
            for rid, level, holds in sorted(self.lots, key=lambda r: str(r[0]))
            if level == key and (reservation_id is None or rid == reservation_id)
            for hold in holds
        ]


@dataclass(frozen=True, slots=True)
class FirstHold:
    """What ``Reservations.add_and_reserve`` found and did: the line's item and location
    (absent ones missing, as ``get_many`` returns them), and the level after its reserve, or
    None when nothing was written."""

    items: dict[UUID, Item]
    locations: dict[UUID, Location]
    change: LevelChange | None


class CatalogEntries(Protocol[E]):
    """Items or locations of one org, stored as last saved."""

    async def add(self, entry: E) -> None: ...
    async def get(self, entry_id: UUID, *, for_update: bool = False) -> E | None: ...
    async def get_many(self, entry_ids: Sequence[UUID]) -> dict[UUID, E]:
        """The entries found, held until the unit of work ends against being archived (a
        write that brings stock in reads them, and the archive must wait for it)."""
        ...

    async def lock_to_archive(self, entry_id: UUID) -> E | None:
        """The entry, locked for update, once no bulk import of the org is running (imports
        check the catalog once, so an archive waits for them, and they for it)."""
        ...

    async def save(self, entry: E) -> None: ...
    async def list(self, page: PageRequest) -> list[E]: ...


class Items(CatalogEntries[Item], Protocol):
    """Items of one org; SKUs unique case-insensitively (duplicate: Conflict)."""


class Locations(CatalogEntries[Location], Protocol):
    """Locations of one org; codes unique case-insensitively (duplicate: Conflict)."""


class StockLevels(Protocol):
    """Stock levels of one org. ``change`` is atomic and conditional: it applies the rule of
    ``StockLevel.apply`` under the row lock (creating the level on first receipt) or raises
    the error ``apply`` gives. Reads report ``reserved`` without expired holds."""

    async def change(self, key: LevelKey, change: StockChange, now: datetime) -> LevelChange: ...
    async def get(self, key: LevelKey, now: datetime) -> StockLevel | None: ...
    async def list(
        self, filters: StockFilter, page: PageRequest, now: datetime
    ) -> list[StockLevel]: ...
    async def holds_any(self, item_id: UUID) -> bool:
        """True when the item has stock on hand, reserved or in transit anywhere."""
        ...

    async def on_hand_at(
        self, location_id: UUID, item_ids: Sequence[UUID] | None, limit: int
    ) -> dict[UUID, int]:
        """A count's snapshot: on_hand per item at a location, read at one moment (of the
        listed items, or of every item there, at most ``limit``)."""
        ...


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A movement and its place in the ledger: the position of the transaction that wrote it.

    Lists run in (position, movement id) order and show only what no running transaction can
    still precede, so paging never skips a movement that commits late (ADR 0020)."""

    position: int
    movement: Movement


class Movements(Protocol):
    """The append-only ledger of one org; a movement reads with the ``reversed_by`` of the
    one reversal that may name it. ``get(for_update=True)`` locks it, then reads it."""

    async def add(self, movement: Movement) -> None: ...
    async def get(self, movement_id: UUID, *, for_update: bool = False) -> Movement | None: ...
    async def list(self, filters: MovementFilter, page: PageRequest) -> list[LedgerEntry]: ...


class Reservations(Protocol):
    """Reservations of one org, stored as last saved (``Reservation.as_of`` gives the view)."""

    async def add(self, reservation: Reservation) -> None: ...
    async def get(
        self, reservation_id: UUID, *, for_update: bool = False
    ) -> Reservation | None: ...
    async def save(self, reservation: Reservation) -> None: ...
    async def add_lots(self, reservation: Reservation) -> None:
        """Record the lots that hold the lines of a reservation just added (its lines with
        ``lots``, ADR 0031); with the commit, as ``add``."""
        ...

    async def list(
        self, filters: ReservationFilter, page: PageRequest, now: datetime
    ) -> list[Reservation]: ...
    async def release_expired_holds(self, keys: Sequence[LevelKey], now: datetime) -> ExpiredHolds:
        """Mark open quantities of expired reservations at ``keys`` released; return per level
        how much to take off ``reserved``, and whose holds they were."""
        ...

    async def add_and_reserve(self, reservation: Reservation, now: datetime) -> FirstHold:
        """A new one-line reservation in one step (ADR 0035): read the line's item and location
        (held against archiving, as ``get_many``), and only if the item tracks no lots,
        neither is archived, no expired open hold sits at the level and the level has the
        quantity available, add the reservation and reserve the line, exactly as ``add`` and
        then ``StockLevels.change`` with ``Reserve`` would. Otherwise write nothing (the
        caller takes the general path, which says why or releases the expired holds first)."""
        ...


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An event and its place in the org's feed: (transaction position, sequence) (ADR 0020)."""

    position: int
    sequence: int
    event: Event


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedQuery:
    """A page of the feed: after a position (None: from the start), of some types (None: all)."""

    after: tuple[int, int] | None = None
    types: frozenset[EventType] | None = None
    limit: int = 50


class Events(Protocol):
    """The outbox and the feed of one org (ADR 0021)."""

    def add(self, events: Iterable[Event]) -> None:
        """Queue events of this unit of work; they are written in its transaction, with its
        commit (one statement for all of them), and vanish if it rolls back. A second
        ``reservation.expired`` for one reservation is dropped."""
        ...

    async def list(self, query: FeedQuery) -> list[FeedEntry]:
        """Settled events in feed order: none that a running transaction may still precede."""
        ...


class EventSignal(Protocol):
    """Wakes feed readers of an org in this process when events of that org commit here;
    other processes' events are found by polling."""

    def notify(self, org_id: str) -> None: ...
    async def wait(self, org_id: str, seconds: float) -> None:
        """Return when ``notify(org_id)`` is called, or after ``seconds``."""
        ...


class RecordPurge(Protocol):
    """Deletes records whose useful life is over, across all orgs (a system task)."""

    async def purge_idempotency_keys(self, before: datetime) -> int:
        """Delete idempotency keys created before ``before`` (never any under 24 h old)."""
        ...

    async def purge_rate_limit_windows(self, before: datetime) -> int:
        """Delete rate-limit windows that started before ``before``."""
        ...

    async def purge_events(self, before: datetime) -> int:
        """Delete events that occurred before ``before``."""
        ...


class ExpiredReservations(Protocol):
    """Reservations past expiry but still stored as active, across all orgs (for the expiry job)."""

    async def list_expired(self, now: datetime, limit: int) -> list[tuple[str, UUID]]: ...


@dataclass(frozen=True, slots=True)
class StoredResult:
    """The first result recorded under an idempotency key."""

    result: dict[str, object]


class IdempotencyStore(Protocol):
    """Idempotency keys of one org, written in the same transaction as the change."""

    async def claim(self, key: str, fingerprint: str, now: datetime) -> StoredResult | None:
        """Reserve ``key`` for this request, or return the result stored by an earlier one with
        the same fingerprint. A different fingerprint: IdempotencyKeyReused; a concurrent
        holder that does not finish in time: RequestInProgress."""
        ...

    async def complete(self, key: str, result: dict[str, object]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction over one org's repositories: rollback unless ``commit`` is called."""

    items: Items
    locations: Locations
    stock: StockLevels
    movements: Movements
    reservations: Reservations
    lots: Lots
    transfers: Transfers
    counts: CountSessions
    idempotency: IdempotencyStore
    events: Events
    webhooks: Webhooks

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def reserve_and_commit(
        self, reservation: Reservation, now: datetime, new_id: Callable[[], UUID]
    ) -> FirstHold:
        """A new one-line reservation with its commit, in one step (ADR 0036): what
        ``Reservations.add_and_reserve`` does and, when it reserved, the events the general
        path writes (``application.events.reservation_created``); then commit. When it did
        not reserve, nothing of it was written and the commit had nothing of its own: the
        unit of work stays open, in a new transaction, for the general path."""
        ...


class UnitOfWorkFactory(Protocol):
    """Opens a Unit of Work bound to one org. ``read_only``: the caller makes one read and
    never commits, so an adapter may run it outside an explicit transaction (one round trip)."""

    def __call__(self, org_id: str, *, read_only: bool = False) -> UnitOfWork: ...
