"""Unit-test factories: a fresh in-memory database, a manual clock, principals per role and a
``given`` helper that builds catalog entries and stock through the real use cases.

Each test gets its own database and a random org id, so nothing leaks between tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from adapters.clock import ManualClock
from adapters.ids import UuidGenerator
from adapters.memory.state import InMemoryDatabase, OrgState
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from application.principal import Principal
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from domain.catalog import Item, Location
from domain.movements import Movement, MovementRequest, MovementType, QuantityLine
from domain.reservations import LineQuantity, Reservation
from domain.stock import LevelKey, StockLevel

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new_org_id() -> str:
    """BetterAuth org ids are opaque strings, not UUIDs."""
    return f"org_{uuid4().hex[:12]}"


def principal(org_id: str | None, role: str | None, user_id: str | None = None) -> Principal:
    """A verified caller as the token verifier would build it from claims."""
    return Principal.from_claims(
        user_id=user_id or f"user_{uuid4().hex[:8]}", org_id=org_id, raw_role=role
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def deps(db: InMemoryDatabase, clock: ManualClock) -> Deps:
    return Deps(InMemoryUnitOfWorkFactory(db), clock, UuidGenerator())


@pytest.fixture
def org_id() -> str:
    return new_org_id()


@pytest.fixture
def member(org_id: str) -> Principal:
    return principal(org_id, "member")


@pytest.fixture
def admin(org_id: str) -> Principal:
    return principal(org_id, "admin")


@pytest.fixture
def owner(org_id: str) -> Principal:
    return principal(org_id, "owner")


@pytest.fixture
def no_org() -> Principal:
    return principal(None, "admin")


@pytest.fixture
def unknown_role(org_id: str) -> Principal:
    return principal(org_id, "viewer")


class Given:
    """Builds test data in one org through the real use cases, as an admin."""

    def __init__(self, deps: Deps, db: InMemoryDatabase, admin: Principal) -> None:
        self.deps, self.db, self.admin = deps, db, admin
        assert admin.org_id is not None
        self.org_id = admin.org_id

    async def item(self, sku: str | None = None, **fields: object) -> Item:
        command = CreateItem(sku=sku or f"SKU-{uuid4().hex[:8]}", name="Widget", **fields)  # type: ignore[arg-type]
        return (await CreateItemHandler(self.deps)(self.admin, command)).value

    async def location(self, code: str | None = None, **fields: object) -> Location:
        command = CreateLocation(code=code or f"LOC-{uuid4().hex[:8]}", name="Main", **fields)  # type: ignore[arg-type]
        return (await CreateLocationHandler(self.deps)(self.admin, command)).value

    async def archive(self, entity: Item | Location) -> None:
        if isinstance(entity, Item):
            await ArchiveItemHandler(self.deps)(self.admin, ArchiveItem(item_id=entity.id))
        else:
            await ArchiveLocationHandler(self.deps)(
                self.admin, ArchiveLocation(location_id=entity.id)
            )

    async def receive(self, item: Item, location: Location, quantity: int) -> Movement:
        request = MovementRequest(
            type=MovementType.RECEIPT, lines=(QuantityLine(item.id, location.id, quantity),)
        )
        return (await PostMovementHandler(self.deps)(self.admin, request)).value

    async def stocked(self, quantity: int = 10) -> tuple[Item, Location]:
        """A new item and location with ``quantity`` received there."""
        item, location = await self.item(), await self.location()
        await self.receive(item, location, quantity)
        return item, location

    async def reservation(
        self,
        item: Item,
        location: Location,
        quantity: int,
        ttl_seconds: int | None = None,
        reference: str | None = None,
    ) -> Reservation:
        command = CreateReservation(
            lines=(LineQuantity(item.id, location.id, quantity),),
            ttl_seconds=ttl_seconds,
            reference=reference,
        )
        return (await CreateReservationHandler(self.deps)(self.admin, command)).value

    async def level(self, item: Item | UUID, location: Location | UUID) -> StockLevel | None:
        """The level as every read reports it (expired holds discounted)."""
        key = LevelKey(_id(item), _id(location))
        async with self.deps.uow(self.org_id) as uow:
            return await uow.stock.get(key, self.deps.clock.now())

    def stored(self) -> OrgState:
        """The committed state of the org."""
        return self.db.state(self.org_id)

    def snapshot(self) -> OrgState:
        """A copy of the committed state; OrgState compares by value."""
        return self.stored().copy()


def _id(entity: Item | Location | UUID) -> UUID:
    return entity if isinstance(entity, UUID) else entity.id


@pytest.fixture
def given(deps: Deps, db: InMemoryDatabase, admin: Principal) -> Given:
    return Given(deps, db, admin)
