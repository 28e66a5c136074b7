"""Rename a location or change its kind."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application import catalog
from application.events import location_event
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Location, LocationKind
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLocation:
    """A partial update, applied only if still at one of ``expected_versions`` (If-Match; None: any)."""

    location_id: UUID
    name: str | None = None
    kind: LocationKind | None = None
    expected_versions: frozenset[int] | None = None


class UpdateLocationHandler(UseCase):
    """Update a location (admin, owner)."""

    async def __call__(self, principal: Principal, command: UpdateLocation) -> Location:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            location = await catalog.lock_for_change(
                uow.locations, command.location_id, "location", command.expected_versions
            )
            updated = location.update(name=command.name, kind=command.kind, now=now)
            await uow.locations.save(updated)
            event = location_event(self.deps.ids.new_id, EventType.LOCATION_UPDATED, updated, now)
            uow.events.add([event])
            await uow.commit()
            return updated
